// The buffer's append-only segment files (FORMAT-segment.md). Writes are gathered and
// written together (group commit); fsync per policy. A segment is deleted once it and
// every older segment hold no unacknowledged entry: acknowledgements of an entry may sit
// in a newer segment, so segments only ever disappear oldest first.
import fs from 'node:fs';
import path from 'node:path';
import { encodeAck, parseRecord, SEGMENT_HEADER, SEGMENT_MAGIC, segmentHeader, type EntryMeta } from './record';
import type { FsyncPolicy, Logger } from './types';

export interface RecoveredEntry extends EntryMeta { seg: number; pos: number; len: number }

interface Segment { no: number; fd: number; size: number; live: number }

const NAME = /^seg-(\d{8})\.log$/;
const fileName = (no: number) => `seg-${String(no).padStart(8, '0')}.log`;

export interface SegmentLogOptions {
  segmentBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  logger: Logger;
}

export class SegmentLog {
  private segs: Segment[] = [];
  private active!: Segment;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private acks: number[] = [];
  private dirty = false;
  private dirDirty = false;
  // opened once: a directory fsync needs a descriptor, and opening one per sync costs a syscall pair
  private dirFdNo: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextNo = 1;
  /** bytes in segment files (written and about to be written) */
  bytes = 0;

  private constructor(readonly dir: string, private readonly o: SegmentLogOptions) {}

  /** Opens the directory, returns the unacknowledged entries in sequence order and the highest sequence seen. */
  static open(dir: string, o: SegmentLogOptions): { log: SegmentLog; entries: RecoveredEntry[]; maxSeq: number; torn: number } {
    fs.mkdirSync(dir, { recursive: true });
    const log = new SegmentLog(dir, o);
    if (o.fsync !== 'never') log.dirFdNo = fs.openSync(dir, 'r');
    const files = fs.readdirSync(dir).filter((f) => NAME.test(f)).sort();
    const entries = new Map<number, RecoveredEntry>();
    const acked = new Set<number>();
    let maxSeq = 0, torn = 0;
    for (const f of files) {
      const no = Number(NAME.exec(f)![1]);
      const file = path.join(dir, f);
      const img = fs.readFileSync(file);
      if (img.length < SEGMENT_HEADER || img.readUInt32LE(0) !== SEGMENT_MAGIC) {
        o.logger.warn(`buffer ${dir}: ${f} has no valid header; removed`);
        fs.rmSync(file, { force: true });
        torn++;
        continue;
      }
      let pos = SEGMENT_HEADER;
      for (;;) {
        const r = parseRecord(img, pos);
        if (r.kind === 'end') break;
        if (r.kind === 'torn') {
          o.logger.warn(`buffer ${dir}: ${f} torn at byte ${r.at} (${r.why}); the rest of the segment is cut`);
          fs.truncateSync(file, r.at);
          torn++;
          break;
        }
        if (r.kind === 'entry') {
          entries.set(r.meta.seq, { ...r.meta, seg: no, pos: r.bodyPos, len: r.bodyLen });
          if (r.meta.seq > maxSeq) maxSeq = r.meta.seq;
        } else if (r.kind === 'ack') for (const s of r.seqs) acked.add(s);
        pos = r.next;
      }
      const fd = fs.openSync(file, 'r+');
      log.nextNo = no + 1;
      log.segs.push({ no, fd, size: fs.fstatSync(fd).size, live: 0 });
    }
    const live = [...entries.values()].filter((e) => !acked.has(e.seq)).sort((a, b) => a.seq - b.seq);
    for (const e of live) log.seg(e.seg)!.live++;
    for (const s of log.segs) log.bytes += s.size;
    log.roll();
    log.retire();
    if (o.fsync === 'interval') {
      log.timer = setInterval(() => log.sync(), o.fsyncIntervalMs);
      log.timer.unref();
    }
    return { log, entries: live, maxSeq, torn };
  }

  private seg(no: number): Segment | undefined {
    for (const s of this.segs) if (s.no === no) return s;
    return undefined;
  }

  private roll(): void {
    this.writePending();
    // the segment being left holds records that the next sync (of the new active
    // segment only) would not cover
    if (this.dirty && this.active && this.o.fsync !== 'never') fs.fdatasyncSync(this.active.fd);
    const no = this.nextNo++;
    const fd = fs.openSync(path.join(this.dir, fileName(no)), 'wx+');
    fs.writeSync(fd, segmentHeader(no));
    this.active = { no, fd, size: SEGMENT_HEADER, live: 0 };
    this.segs.push(this.active);
    // the new file's name must be durable before anything in it is acknowledged
    this.dirDirty = true;
    this.dirty = true;
    this.bytes += SEGMENT_HEADER;
  }

  /** Queues a record holding one entry; returns where its body will be. */
  appendEntry(record: Buffer, bodyOffset: number): { seg: number; pos: number } {
    if (this.active.size + this.pendingBytes + record.length > this.o.segmentBytes && this.active.size + this.pendingBytes > SEGMENT_HEADER) this.roll();
    const pos = this.active.size + this.pendingBytes + bodyOffset;
    this.pending.push(record);
    this.pendingBytes += record.length;
    this.bytes += record.length;
    this.active.live++;
    return { seg: this.active.no, pos };
  }

  /** Notes that the entry `seq` stored in segment `seg` was acknowledged. */
  ack(seq: number, seg: number): void {
    this.acks.push(seq);
    const s = this.seg(seg);
    if (s) s.live--;
  }

  /** Writes everything queued; fsyncs when the policy is `always`. */
  flush(): void {
    if (this.acks.length) {
      const rec = encodeAck(this.acks);
      this.acks = [];
      this.pending.push(rec);
      this.pendingBytes += rec.length;
      this.bytes += rec.length;
    }
    this.writePending();
    if (this.o.fsync === 'always') this.sync();
    this.retire();
  }

  private writePending(): void {
    if (!this.pendingBytes) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    fs.writeSync(this.active.fd, buf, 0, buf.length, this.active.size);
    this.active.size += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.dirty = true;
  }

  sync(): void {
    if (!this.dirty || this.o.fsync === 'never') return;
    fs.fdatasyncSync(this.active.fd);
    if (this.dirDirty && this.dirFdNo !== null) { syncDirFd(this.dirFdNo); this.dirDirty = false; }
    this.dirty = false;
  }

  hasPending(): boolean { return this.pendingBytes > 0 || this.acks.length > 0; }

  /** Reads an entry body back (queued writes are written first). */
  read(seg: number, pos: number, len: number): Buffer {
    if (seg === this.active.no && this.pendingBytes) this.writePending();
    const s = this.seg(seg);
    if (!s) throw new Error(`buffer segment ${seg} is gone`);
    const b = Buffer.allocUnsafe(len);
    const n = fs.readSync(s.fd, b, 0, len, pos);
    if (n !== len) throw new Error(`buffer segment ${seg}: short read at ${pos}`);
    return b;
  }

  /** Deletes the oldest segments while they hold nothing unacknowledged; rolls a full active segment away. */
  retire(): void {
    while (this.segs.length > 1 && this.segs[0].live <= 0) {
      const s = this.segs.shift()!;
      fs.closeSync(s.fd);
      fs.rmSync(path.join(this.dir, fileName(s.no)), { force: true });
      this.bytes -= s.size;
    }
    // an active segment whose entries are all acknowledged starts over, so an idle
    // buffer does not keep a long file of dead records
    if (this.segs.length === 1 && this.active.live <= 0 && this.active.size > Math.min(this.o.segmentBytes, 1 << 20) && !this.pendingBytes) {
      const old = this.active;
      this.segs = [];
      this.roll();
      fs.closeSync(old.fd);
      fs.rmSync(path.join(this.dir, fileName(old.no)), { force: true });
      this.bytes -= old.size;
    }
  }

  segmentCount(): number { return this.segs.length; }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    if (this.o.fsync !== 'never') fs.fdatasyncSync(this.active.fd);
    for (const s of this.segs) fs.closeSync(s.fd);
    this.segs = [];
    if (this.dirFdNo !== null) { fs.closeSync(this.dirFdNo); this.dirFdNo = null; }
  }
}

function syncDirFd(fd: number): void {
  try { fs.fsyncSync(fd); } catch (e) {
    // some filesystems cannot fsync a directory; their renames and creates are then as
    // durable as they get
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  }
}
