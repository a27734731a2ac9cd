// A streaming ZIP writer: each entry is deflated as it is written and followed by a data
// descriptor (general-purpose flag bit 3), so nothing of an entry is held in memory and
// the output never needs seeking. Enough of PKWARE APPNOTE for XLSX; no ZIP64, so an
// entry or the archive must stay below 4 GiB (the XLSX writer rolls sheets over long
// before that).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { constants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';

interface CentralEntry { name: Buffer; crc: number; csize: number; usize: number; offset: number; dosTime: number; dosDate: number }

const LIMIT = 0xffff_ffff;

function dosDateTime(d: Date): { dosTime: number; dosDate: number } {
  return {
    dosTime: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    dosDate: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Resolves on 'drain', rejects when `out` closes first; leaves no listener behind. */
export function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (err) reject(err); else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('output closed'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/** Writes bytes to `out`, waiting for 'drain' when it is full: memory stays bounded. */
export async function writeTo(out: Writable, chunk: Buffer | string): Promise<void> {
  if (out.destroyed) throw new Error('output closed');
  if (!out.write(chunk)) await drained(out);
}

export class ZipWriter {
  private offset = 0;
  private entries: CentralEntry[] = [];
  private current: { entry: CentralEntry; deflate: DeflateRaw; done: Promise<void>; failed: Error | null } | null = null;
  private readonly stamp = dosDateTime(new Date());

  constructor(private readonly out: Writable, private readonly level = constants.Z_BEST_SPEED) {}

  private closedP: Promise<never> | null = null;
  private closed(): Promise<never> {
    this.closedP ??= new Promise<never>((_, reject) => {
      if (this.out.destroyed) reject(new Error('output closed'));
      this.out.once('close', () => reject(new Error('output closed')));
    });
    this.closedP.catch(() => undefined);
    return this.closedP;
  }

  private async raw(b: Buffer): Promise<void> {
    this.offset += b.length;
    await writeTo(this.out, b);
  }

  /** Starts an entry; write its content with write() and finish it with closeEntry(). */
  async openEntry(name: string): Promise<void> {
    if (this.current) throw new Error(`zip: entry still open when opening "${name}"`);
    const nameBuf = Buffer.from(name, 'utf8');
    const entry: CentralEntry = { name: nameBuf, crc: 0, csize: 0, usize: 0, offset: this.offset, ...this.stamp };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed
    h.writeUInt16LE(0x0808, 6); // bit 3: sizes in data descriptor; bit 11: UTF-8 names
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(entry.dosTime, 10);
    h.writeUInt16LE(entry.dosDate, 12);
    // crc and sizes (14..25) stay zero: they follow in the data descriptor
    h.writeUInt16LE(nameBuf.length, 26);
    await this.raw(Buffer.concat([h, nameBuf]));
    const deflate = createDeflateRaw({ level: this.level, chunkSize: 64 * 1024 });
    const cur = { entry, deflate, done: Promise.resolve(), failed: null as Error | null };
    // Compressed output goes straight to `out`; when `out` is full the deflate stream is
    // paused, its buffer fills, and write() below starts waiting: back-pressure end to end.
    cur.done = new Promise<void>((resolve, reject) => {
      deflate.on('data', (c: Buffer) => {
        entry.csize += c.length;
        this.offset += c.length;
        if (!this.out.write(c) && !deflate.isPaused()) {
          deflate.pause();
          this.out.once('drain', () => deflate.resume());
        }
      });
      deflate.once('end', resolve);
      deflate.once('error', (e) => { cur.failed = e; reject(e); });
    });
    cur.done.catch(() => undefined);
    this.current = cur;
  }

  async write(chunk: string | Buffer): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('zip: write without an open entry');
    if (cur.failed) throw cur.failed;
    if (this.out.destroyed) throw new Error('output closed');
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    cur.entry.crc = crc32(b, cur.entry.crc);
    cur.entry.usize += b.length;
    if (cur.entry.usize > LIMIT) throw new Error('zip: entry larger than 4 GiB (no ZIP64)');
    if (!cur.deflate.write(b)) {
      // The deflate stream drains as `out` accepts its output; an output that closes
      // meanwhile fails the export instead of hanging it.
      await Promise.race([once(cur.deflate, 'drain'), cur.done, this.closed()]);
    }
  }

  async closeEntry(): Promise<void> {
    const cur = this.current;
    if (!cur) throw new Error('zip: no open entry');
    cur.deflate.end();
    await cur.done;
    this.current = null;
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(cur.entry.crc >>> 0, 4);
    d.writeUInt32LE(cur.entry.csize, 8);
    d.writeUInt32LE(cur.entry.usize, 12);
    await this.raw(d);
    this.entries.push(cur.entry);
  }

  /** A whole small entry at once. */
  async entry(name: string, content: string | Buffer): Promise<void> {
    await this.openEntry(name);
    await this.write(content);
    await this.closeEntry();
  }

  /** Writes the central directory; the caller ends `out`. */
  async finish(): Promise<void> {
    if (this.current) throw new Error('zip: entry still open at finish');
    if (this.offset > LIMIT) throw new Error('zip: archive larger than 4 GiB (no ZIP64)');
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4); // made by
      c.writeUInt16LE(20, 6); // needed
      c.writeUInt16LE(0x0808, 8);
      c.writeUInt16LE(8, 10);
      c.writeUInt16LE(e.dosTime, 12);
      c.writeUInt16LE(e.dosDate, 14);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(e.csize, 20);
      c.writeUInt32LE(e.usize, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      parts.push(c, e.name);
    }
    const dir = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(start, 16);
    await this.raw(Buffer.concat([dir, end]));
  }
}
