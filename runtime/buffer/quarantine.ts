// Entries the broker refused permanently. They are kept in their own file
// (quarantine.log, records of type 3, FORMAT-segment.md) until an operator lists,
// replays or purges them; removal rewrites the file atomically.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform';
import { encodeQuarantine, parseRecord, SEGMENT_HEADER, SEGMENT_MAGIC, segmentHeader, type EntryMeta } from './record';
import type { Logger } from './types';

export interface QuarantineItem extends EntryMeta {
  reason: string;
  quarantined: number;
  body: Buffer;
}

export class Quarantine {
  private items = new Map<string, QuarantineItem>();
  private fd: number;
  private size: number;

  constructor(private readonly file: string, private readonly fsync: boolean, logger: Logger) {
    if (fs.existsSync(file)) {
      const img = fs.readFileSync(file);
      let pos = SEGMENT_HEADER;
      if (img.length >= SEGMENT_HEADER && img.readUInt32LE(0) === SEGMENT_MAGIC) {
        for (;;) {
          const r = parseRecord(img, pos);
          if (r.kind === 'end') break;
          if (r.kind === 'torn') { logger.warn(`buffer quarantine ${file}: torn at ${r.at} (${r.why}); cut`); fs.truncateSync(file, r.at); break; }
          if (r.kind === 'quarantine') this.items.set(r.meta.id, { ...r.meta, reason: r.reason, quarantined: r.quarantined, body: r.body });
          pos = r.next;
        }
      } else this.rewrite();
    } else this.rewrite();
    this.fd = fs.openSync(file, 'r+');
    this.size = fs.fstatSync(this.fd).size;
  }

  add(meta: EntryMeta, body: Buffer, reason: string, now: number): void {
    const rec = encodeQuarantine(meta, reason, now, body);
    fs.writeSync(this.fd, rec, 0, rec.length, this.size);
    this.size += rec.length;
    if (this.fsync) fs.fdatasyncSync(this.fd);
    this.items.set(meta.id, { ...meta, reason, quarantined: now, body });
  }

  list(): QuarantineItem[] {
    return [...this.items.values()].sort((a, b) => a.seq - b.seq);
  }

  get count(): number { return this.items.size; }
  get bytes(): number { return this.size; }

  /** Removes the given ids (all when omitted) and returns the removed items. */
  remove(ids?: readonly string[]): QuarantineItem[] {
    const out: QuarantineItem[] = [];
    for (const id of ids ?? [...this.items.keys()]) {
      const it = this.items.get(id);
      if (it) { out.push(it); this.items.delete(id); }
    }
    if (out.length) {
      fs.closeSync(this.fd);
      this.rewrite();
      this.fd = fs.openSync(this.file, 'r+');
      this.size = fs.fstatSync(this.fd).size;
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  private rewrite(): void {
    const parts = [segmentHeader(0)];
    for (const it of this.list()) parts.push(encodeQuarantine(it, it.reason, it.quarantined, it.body));
    writeFileAtomic(this.file, Buffer.concat(parts), { durable: this.fsync });
  }

  close(): void { fs.closeSync(this.fd); }
}
