// Writes one immutable block file: series are added one at a time as sorted column
// batches, cut into codec chunks, summarized and rolled up on the way; the index and
// footer go last. The file appears atomically: temp file, fsync, rename, fsync dir.
// Chunks may be encoded elsewhere (chunk-encoder.ts): the file's parts are then written
// in order as their bytes come back, and finish() waits for the last.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { type ChunkEncoder, INLINE_ENCODER } from './chunk-encoder';
import { encodeChunk } from './codec';
import { BLOCK_MAGIC, FOOTER_MAGIC, FOOTER_SIZE, BLOCK_VERSION, type SeriesIndex } from './block';
import { encodeIndex } from './block-index';
import { minSamplesPerRow, RollupBuilder, ROLLUP_RESOLUTIONS } from './rollup';
import { type Summary, summarize } from './summary';
import type { Columns } from './types';
import { renameDurable } from '../platform';

const FLUSH_BYTES = 1 << 20;
const fsync = promisify(fs.fsync);
/** rollup levels that cannot pay are looked for every 64 samples */
const PRUNE_MASK = 63;
/** chunks handed to an encoder thread and not back yet, at most (memory: ~150 KB of columns each) */
const MAX_IN_FLIGHT = 4;
/** smaller chunks are encoded inline: moving them to the thread and back costs about as much */
const THREAD_MIN_SAMPLES = 256;

/**
 * Samples per chunk in block files. Larger than the head's chunks (RECOMMENDED_CHUNK_SAMPLES,
 * which bound the memory of every active series): a chunk costs ~50 bytes of header and
 * index entry, 0.006 byte/sample at this size against 0.025 at 2048 and 0.1 at 480, which
 * on dense data that compresses to ~0.3–0.7 byte/sample is several percent; the adaptive
 * coder also settles better. Decoding 8192 samples for a narrow query takes well under a
 * millisecond (measured: a day of the demo plant 0.402 → 0.381 byte/sample, a year of
 * 1-minute tags 0.782 → 0.764, against 2048).
 */
export const BLOCK_CHUNK_SAMPLES = 8192;

export interface WrittenBlock {
  bytes: number;
  samples: number;
  series: number;
  minT: number;
  maxT: number;
}

export class BlockWriter {
  private fd: number;
  private pos = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index: SeriesIndex[] = [];
  private samples = 0;
  private minT = Infinity;
  private maxT = -Infinity;
  private readonly tmp: string;
  // the chunk being filled
  private ts: Float64Array; private values: Float64Array; private quality: Uint16Array; private n = 0;
  /** parts whose bytes are still being encoded, oldest first; each is written after the one before */
  private flights: Promise<void>[] = [];
  private closed = false;
  /** one per level, reset for each series (their arrays are kept) */
  private readonly rollupBuilders = ROLLUP_RESOLUTIONS.map((r) => new RollupBuilder(r));

  constructor(private readonly file: string, private readonly chunkSamples = BLOCK_CHUNK_SAMPLES, private readonly encoder: ChunkEncoder = INLINE_ENCODER) {
    this.tmp = file + '.tmp';
    this.fd = fs.openSync(this.tmp, 'w');
    this.ts = new Float64Array(chunkSamples); this.values = new Float64Array(chunkSamples); this.quality = new Uint16Array(chunkSamples);
    this.put(BLOCK_MAGIC);
  }

  /**
   * Adds one series; batches must be sorted, unique in time, and ascending across batches.
   * `maxSamples`, when the caller knows that many at most will come, lets the rollup levels
   * that cannot pay for themselves stop early (a 1-minute tag's minute and 5-minute rows
   * would otherwise be built for every sample and then dropped).
   */
  async addSeries(tag: string, batches: AsyncIterable<Columns> | Iterable<Columns>, maxSamples = Infinity): Promise<number> {
    const entry: SeriesIndex = { tag, chunks: [], rollups: [] };
    // a level needs more samples than its minimum per row for its first row: with fewer in
    // all it cannot pay, and is not built (a slow tag's small blocks skip most levels)
    const rollups: RollupBuilder[] = [];
    for (const r of this.rollupBuilders) if (maxSamples > minSamplesPerRow(r.res)) rollups.push(r.reset());
    let live = rollups;
    let count = 0;
    let last = -Infinity;
    for await (const b of batches) {
      for (let i = 0; i < b.ts.length; i++) {
        const t = b.ts[i], v = b.values[i], q = b.quality[i];
        if (!(t > last)) throw new Error(`block writer: series ${tag} is not sorted at ${t}`);
        last = t;
        this.ts[this.n] = t; this.values[this.n] = v; this.quality[this.n] = q;
        if (++this.n === this.chunkSamples) {
          this.cutChunk(entry);
          while (this.flights.length >= MAX_IN_FLIGHT) await this.flights[0];
        }
        for (let k = 0; k < live.length; k++) live[k].add(t, v, q);
        if ((++count & PRUNE_MASK) === 0 && maxSamples !== Infinity) live = live.filter((r) => !r.cannotPay(maxSamples));
      }
    }
    this.cutChunk(entry);
    if (count === 0) return 0;
    // a level whose only row covers the series' only chunk repeats that chunk's summary
    // (same samples, same arithmetic): queries fold the chunk instead (FORMAT-block.md)
    const redundant = entry.chunks.length === 1;
    for (const r of rollups) {
      if (!r.pays || (redundant && r.rows === 1)) continue;
      const sec = r.finish();
      const ref = { res: r.res, rows: r.rows, offset: 0, len: sec.length, crc: crc32(sec) };
      entry.rollups.push(ref);
      this.emit(sec, (offset) => { ref.offset = offset; });
    }
    this.index.push(entry);
    this.samples += count;
    return count;
  }

  private cutChunk(entry: SeriesIndex): void {
    const n = this.n;
    if (n === 0) return;
    const summary: Summary = summarize({ ts: this.ts, values: this.values, quality: this.quality }, 0, n);
    const bytes = this.encoder.threaded && n >= THREAD_MIN_SAMPLES
      ? this.encoder.encode(this.ts.slice(0, n), this.values.slice(0, n), this.quality.slice(0, n), n)
      : encodeChunk(this.ts, this.values, this.quality, n);
    const ref = { offset: 0, len: 0, crc: 0, summary };
    entry.chunks.push(ref);
    this.emit(bytes, (offset, buf) => { ref.offset = offset; ref.len = buf.length; ref.crc = crc32(buf); });
    if (summary.firstTs < this.minT) this.minT = summary.firstTs;
    if (summary.lastTs > this.maxT) this.maxT = summary.lastTs;
    this.n = 0;
  }

  /** Writes a part after everything before it; `placed` learns where it went. */
  private emit(part: Uint8Array | Promise<Uint8Array>, placed: (offset: number, buf: Buffer) => void): void {
    const write = (b: Uint8Array) => {
      const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
      placed(this.pos, buf);
      this.put(buf);
    };
    const before = this.flights.length ? this.flights[this.flights.length - 1] : null;
    if (before === null && !(part instanceof Promise)) { write(part); return; }
    if (part instanceof Promise) part.catch(() => undefined); // its failure is seen through its flight
    const t: Promise<void> = (before ?? Promise.resolve()).then(() => part).then((b) => {
      this.flights.shift(); // flights end in order, each after the one before
      write(b);
    });
    t.catch(() => undefined); // seen by whoever awaits it: addSeries, finish()
    this.flights.push(t);
  }

  private put(buf: Buffer): void {
    if (this.closed) return; // a part that came back after abort(): its file is gone
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.pos += buf.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flushPending();
  }

  private flushPending(): void {
    if (!this.pending.length) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.pending = []; this.pendingBytes = 0;
  }

  get sampleCount(): number { return this.samples; }

  /** Writes index and footer once every part is written, and publishes the file; returns what it holds. */
  async finish(): Promise<WrittenBlock> {
    while (this.flights.length) await this.flights[this.flights.length - 1];
    const index = encodeIndex(this.index);
    const indexOffset = this.pos;
    this.put(index);
    const footer = Buffer.alloc(FOOTER_SIZE);
    footer.writeDoubleLE(indexOffset, 0);
    footer.writeUInt32LE(index.length, 8);
    footer.writeUInt32LE(crc32(index), 12);
    footer.writeUInt32LE(BLOCK_VERSION, 16);
    FOOTER_MAGIC.copy(footer, 24);
    this.put(footer);
    this.flushPending();
    // the block's bytes reach the disk on the thread pool: a block of megabytes takes a
    // disk tens of milliseconds to sync, which the event loop would otherwise wait out
    await fsync(this.fd);
    fs.closeSync(this.fd);
    this.closed = true;
    renameDurable(this.tmp, this.file);
    return { bytes: this.pos, samples: this.samples, series: this.index.length, minT: this.minT, maxT: this.maxT };
  }

  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try { fs.closeSync(this.fd); } catch { /* already closed */ }
    }
    fs.rmSync(this.tmp, { force: true });
  }
}
