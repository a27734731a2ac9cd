// Write-ahead log: append-only numbered segment files of checksummed batch records
// (FORMAT-wal.md). Records are written with one write per batch; durability follows the
// fsync policy, with group commit for `always` (every ack waits for an fdatasync that
// started after its write, and one fdatasync serves every batch written before it).
import fs from 'node:fs';
import path from 'node:path';
import type { SampleColumns } from '../model';
import { fsyncDir } from '../platform';
import { type Logger, type FsyncPolicy, silentLogger } from './types';
import {
  type DecodedRecord, decodeRecord, dictionaryMark, encodeRecord, RecordError, rollback, TagDictionary,
} from './wal-record';

const MAGIC = Buffer.from('HWAL\x01\x00\x00\x00', 'latin1');
export const SEGMENT_HEADER = MAGIC.length;

export interface WalOptions {
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** start a new segment past this size */
  segmentBytes: number;
  logger: Logger;
}

export type ReplayFn = (tags: readonly string[], rec: DecodedRecord) => void;

class Segment {
  readonly dict = new TagDictionary();
  bytes = SEGMENT_HEADER;
  dirty = false;
  private syncing: Promise<void> | null = null;
  private waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private inFlight: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  constructor(readonly n: number, readonly file: string, readonly fd: number) {}

  /** Resolves after an fdatasync that started after this call. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.syncing) this.startSync();
    });
  }

  private startSync(): void {
    this.inFlight = this.waiting;
    this.waiting = [];
    this.dirty = false;
    this.syncing = new Promise<void>((done) => {
      fs.fdatasync(this.fd, (err) => {
        const batch = this.inFlight;
        this.inFlight = [];
        for (const w of batch) (err ? w.reject(err) : w.resolve());
        this.syncing = null;
        if (this.waiting.length) this.startSync();
        done();
      });
    });
  }

  async drain(): Promise<void> {
    while (this.syncing) await this.syncing;
  }
}

export class Wal {
  private seg!: Segment;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** segments older than the current one, still needed until a checkpoint */
  private older: number[] = [];

  private constructor(readonly dir: string, private readonly opts: WalOptions) {}

  /** Opens the WAL directory, replays every intact record, cuts torn/corrupt tails. */
  static open(dir: string, opts: Partial<WalOptions>, replay: ReplayFn): Wal {
    const o: WalOptions = {
      fsync: opts.fsync ?? 'interval', fsyncIntervalMs: opts.fsyncIntervalMs ?? 200,
      segmentBytes: opts.segmentBytes ?? 64 << 20, logger: opts.logger ?? silentLogger,
    };
    fs.mkdirSync(dir, { recursive: true });
    const wal = new Wal(dir, o);
    const existing = listSegments(dir);
    // segments holding no record (e.g. the last one of a clean shutdown) are dropped
    wal.older = existing.filter((n) => wal.replaySegment(n, replay) > 0 || (fs.rmSync(segmentPath(dir, n)), false));
    wal.seg = wal.createSegment(existing.length ? existing[existing.length - 1] + 1 : 1);
    if (o.fsync === 'interval') {
      wal.timer = setInterval(() => { if (wal.seg.dirty) wal.seg.sync().catch((e) => o.logger.error(`wal fsync failed: ${e}`)); }, o.fsyncIntervalMs);
      wal.timer.unref();
    }
    return wal;
  }

  get segment(): number { return this.seg.n; }

  /**
   * Appends the kept samples as one record. The promise resolves when the record is
   * durable per the policy: `always` after fdatasync, otherwise once the OS has it.
   */
  append(rows: SampleColumns, keep: Uint8Array | null, n: number): Promise<void> | null {
    if (this.closed) throw new Error('WAL is closed');
    const seg = this.seg;
    const mark = dictionaryMark(seg.dict);
    const buf = encodeRecord(seg.dict, rows, keep, n);
    try {
      writeAll(seg.fd, buf);
    } catch (e) {
      rollback(seg.dict, mark);
      // A partial write leaves a torn record: later records would sit behind it, so
      // continue in a fresh segment (replay cuts the torn tail).
      this.seg = this.createSegment(seg.n + 1);
      this.older.push(seg.n);
      fs.closeSync(seg.fd);
      throw e;
    }
    seg.bytes += buf.length;
    seg.dirty = true;
    const durable = this.opts.fsync === 'always' ? seg.sync() : null;
    if (seg.bytes >= this.opts.segmentBytes) this.rotate().catch((e) => this.opts.logger.error(`wal: rotating segment failed: ${e}`));
    return durable;
  }

  /**
   * Starts a new segment and returns its number: every record written before lives in
   * segments < that number, which `removeBefore` deletes once their data is in blocks.
   */
  async rotate(): Promise<number> {
    const old = this.seg;
    this.seg = this.createSegment(old.n + 1);
    this.older.push(old.n);
    await old.drain();
    if (this.opts.fsync !== 'never') fs.fdatasyncSync(old.fd);
    fs.closeSync(old.fd);
    return this.seg.n;
  }

  /** Checkpoint: deletes the segments below `n` (their data is durable in blocks). */
  removeBefore(n: number): void {
    const keep: number[] = [];
    for (const s of this.older) {
      if (s < n) fs.rmSync(segmentPath(this.dir, s), { force: true });
      else keep.push(s);
    }
    this.older = keep;
    fsyncDir(this.dir);
  }

  /** Makes everything written so far durable, whatever the policy. */
  async sync(): Promise<void> {
    await this.seg.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.seg.drain();
    fs.fdatasyncSync(this.seg.fd);
    fs.closeSync(this.seg.fd);
  }

  segmentCount(): number { return this.older.length + 1; }

  private createSegment(n: number): Segment {
    const file = segmentPath(this.dir, n);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, MAGIC);
    if (this.opts.fsync !== 'never') { fs.fdatasyncSync(fd); fsyncDir(this.dir); }
    return new Segment(n, file, fd);
  }

  /** Replays one segment; returns the number of records replayed. */
  private replaySegment(n: number, replay: ReplayFn): number {
    const file = segmentPath(this.dir, n);
    const data = fs.readFileSync(file);
    const log = this.opts.logger;
    if (data.length < SEGMENT_HEADER || !data.subarray(0, SEGMENT_HEADER).equals(MAGIC)) {
      log.warn(`wal: segment ${path.basename(file)} has no valid header (${data.length} bytes); ignored and truncated`);
      fs.truncateSync(file, 0);
      return 0;
    }
    const dict = new TagDictionary();
    const out: { rec: DecodedRecord | null } = { rec: null };
    let off = SEGMENT_HEADER;
    let records = 0;
    while (off < data.length) {
      try {
        off += decodeRecord(data, off, dict, out);
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        log.warn(`wal: ${e.message} in ${path.basename(file)}; cutting ${data.length - off} bytes of tail`);
        fs.truncateSync(file, off);
        return records;
      }
      replay(dict.tags, out.rec!);
      records++;
    }
    return records;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

export function segmentPath(dir: string, n: number): string {
  return path.join(dir, String(n).padStart(8, '0') + '.wal');
}

function listSegments(dir: string): number[] {
  return fs.readdirSync(dir).filter((f) => /^\d{8}\.wal$/.test(f)).map((f) => Number(f.slice(0, 8))).sort((a, b) => a - b);
}
