// The part of a remote block that stays on local disk (FORMAT-pin.md): magic, index,
// footer and every rollup section. Opening a remote block and every rollup query
// (long-range views) therefore never wait for object storage; only raw chunk reads do.
import { crc32 } from 'node:zlib';
import { BlockReader, CorruptBlockError } from '../tsdb';
import type { BlockSource } from '../tsdb';

export const PIN_MAGIC = Buffer.from('HTSPIN01', 'latin1');

export interface PinnedRange { offset: number; data: Uint8Array }

export class Pin {
  constructor(readonly size: number, readonly sha256: string, readonly ranges: PinnedRange[]) {}

  /** The bytes of [offset, offset+length) when one pinned range holds them all. */
  read(offset: number, length: number): Uint8Array | null {
    for (const r of this.ranges) {
      if (offset >= r.offset && offset + length <= r.offset + r.data.length) return r.data.subarray(offset - r.offset, offset - r.offset + length);
    }
    return null;
  }

  get bytes(): number { return this.ranges.reduce((n, r) => n + r.data.length, 0); }

  encode(): Buffer {
    const head = Buffer.alloc(8 + 8 + 32 + 4 + this.ranges.length * 12);
    PIN_MAGIC.copy(head, 0);
    head.writeDoubleLE(this.size, 8);
    Buffer.from(this.sha256, 'hex').copy(head, 16);
    let p = head.writeUInt32LE(this.ranges.length, 48);
    for (const r of this.ranges) { p = head.writeDoubleLE(r.offset, p); p = head.writeUInt32LE(r.data.length, p); }
    const body = Buffer.concat([head, ...this.ranges.map((r) => r.data)]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(crc32(body));
    return Buffer.concat([body, tail]);
  }

  static decode(buf: Buffer): Pin {
    if (buf.length < 56 || !buf.subarray(0, 8).equals(PIN_MAGIC)) throw new Error('not a pin file');
    if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) throw new Error('pin file checksum mismatch');
    const size = buf.readDoubleLE(8);
    const sha256 = buf.subarray(16, 48).toString('hex');
    const n = buf.readUInt32LE(48);
    let p = 52, d = 52 + n * 12;
    const ranges: PinnedRange[] = [];
    for (let i = 0; i < n; i++) {
      const offset = buf.readDoubleLE(p), len = buf.readUInt32LE(p + 8);
      p += 12;
      ranges.push({ offset, data: new Uint8Array(buf.subarray(d, d + len)) });
      d += len;
    }
    if (d !== buf.length - 4) throw new Error('pin file has the wrong length');
    return new Pin(size, sha256, ranges);
  }

  /** A BlockSource view of the pinned bytes alone (to parse the index without the object). */
  asSource(): BlockSource {
    return {
      location: 'pin',
      size: async () => this.size,
      read: async (id, offset, length) => {
        const b = this.read(offset, length);
        if (!b) throw new CorruptBlockError(id, `range ${offset}+${length} is not pinned`);
        return b;
      },
      remove: async () => undefined,
    };
  }
}

/**
 * Builds the pin of a block from any way to read its bytes (the local file before a move,
 * ranged GETs when a pin was lost). Index and rollup sections are checked against their
 * CRCs, so a corrupt source never becomes a pin.
 */
export async function buildPin(id: string, size: number, sha256: string, read: (offset: number, length: number) => Promise<Uint8Array>): Promise<Pin> {
  const got = new Map<number, Uint8Array>();
  const src: BlockSource = {
    location: 'pin-build',
    size: async () => size,
    read: async (_id, offset, length) => { const b = await read(offset, length); got.set(offset, b); return b; },
    remove: async () => undefined,
  };
  const reader = await BlockReader.open(id, src); // checks magic, footer and the index CRC
  const ranges: PinnedRange[] = [...got.entries()].map(([offset, data]) => ({ offset, data }));
  for (const s of reader.series.values()) {
    for (const r of s.rollups) {
      const data = await read(r.offset, r.len);
      if (crc32(data) !== r.crc) throw new CorruptBlockError(id, `rollup section of ${s.tag} checksum mismatch`);
      ranges.push({ offset: r.offset, data });
    }
  }
  return new Pin(size, sha256, coalesce(ranges));
}

function coalesce(ranges: PinnedRange[]): PinnedRange[] {
  ranges.sort((a, b) => a.offset - b.offset);
  const out: PinnedRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.offset + last.data.length >= r.offset) {
      const end = Math.max(last.offset + last.data.length, r.offset + r.data.length);
      if (end > last.offset + last.data.length) {
        const merged = new Uint8Array(end - last.offset);
        merged.set(last.data, 0);
        merged.set(r.data, r.offset - last.offset);
        last.data = merged;
      }
    } else out.push({ offset: r.offset, data: r.data });
  }
  return out;
}
