// The head: the newest data of every series, in memory. Each series appends into an open
// columnar chunk and compresses it with the chunk codec when full. Out-of-order and
// duplicate samples go into the open chunk too, which is then sorted (stable, so the
// later write of an equal timestamp wins) before it is read or compressed; an open chunk
// that overlaps older closed chunks simply wins over them at query time. Closed chunks of
// every series live back to back in the head's shared pages (head-arena.ts), a series'
// summaries in one array of numbers: a chunk is ~100 bytes, and an ArrayBuffer, a view
// and a summary object of its own each would cost several times that.
import { decodeChunk, encodeChunk } from './codec';
import type { ChunkRef } from './chunk-ref';
import { ChunkArena } from './head-arena';
import { type Summary, summarize } from './summary';
import type { Columns } from './types';

export const HEAD_PRIORITY_BASE = 1e12;
/**
 * Samples per head chunk. Smaller than block chunks: an open chunk costs 18 bytes per slot
 * in memory for every active series, a closed one ~6 (its bytes and ~700 bytes of objects
 * per 128 samples); head chunks are re-encoded into 8192-sample chunks when cut into a
 * block, so their own ratio hardly matters. Measured: 10k tags at 1 Hz hold about half the
 * head memory of 480-sample chunks.
 */
export const HEAD_CHUNK_SAMPLES = 128;
/**
 * measured (Node 24, 20,000 series, heap after GC): a HeadSeries, its three column views of
 * one buffer, map entry: 575 bytes besides the columns' data (which bytes() counts apart),
 * plus the allocator's share of the buffer. Three separate typed arrays cost 815.
 */
const HEAD_SERIES_OVERHEAD = 650;
export interface ClosedChunk { summary: Summary; load(): Columns }

// one row of `meta` per closed chunk: the arena page holding its bytes, where they start
// and end in it, whether they are raw columns (1) or an encoded chunk (0), then its summary
const M_PAGE = 0, M_START = 1, M_END = 2, M_RAW = 3, M_COUNT = 4, M_FIRST_TS = 5, M_LAST_TS = 6, M_MIN = 7, M_MAX = 8, M_SUM = 9, M_FIRST = 10, M_LAST = 11, M_INTEGRAL = 12, M_QUALITY = 13;
const META = 14;

/**
 * Raw closed chunks a head may hold, shared by its series. Compressing a chunk costs about
 * as much CPU as everything else a sample goes through, and the head's chunks are
 * re-encoded into block chunks when the head is cut anyway: while a head is small (few
 * series, or a burst of backfill) its closed chunks stay as raw columns (18 bytes a
 * sample), and only past `limitBytes` are they compressed (under 1 byte a sample).
 */
export class RawAllowance {
  used = 0;
  /** set once the head is due for its cut: its chunks are about to be re-encoded into blocks */
  due = false;
  /**
   * `dueLimitBytes`: raw bytes a due head may hold. Compressing a chunk that the cut
   * re-encodes seconds later is wasted work (a backfill makes a head due within seconds);
   * the head's memory budget still bounds it, as the store cuts a head that outgrows it.
   */
  constructor(readonly limitBytes: number, readonly dueLimitBytes = limitBytes) {}

  allows(bytes: number): boolean {
    return this.used + bytes <= (this.due ? this.dueLimitBytes : this.limitBytes);
  }
}

const NO_RAW = new RawAllowance(0);

/** Open-chunk slots a new series starts with (doubling up to the chunk size). */
const FIRST_CAPACITY = 8;

/**
 * The open chunk's three columns as views of one ArrayBuffer (timestamps, values,
 * qualities): each ArrayBuffer costs a few hundred bytes of bookkeeping in V8 and the
 * allocator besides its data, which at 100,000 series is tens of megabytes.
 */
function columns(cap: number): { ts: Float64Array; values: Float64Array; quality: Uint16Array } {
  const ab = new ArrayBuffer(cap * 18);
  return { ts: new Float64Array(ab, 0, cap), values: new Float64Array(ab, cap * 8, cap), quality: new Uint16Array(ab, cap * 16, cap) };
}

/**
 * The memory of a head's series rows and open columns (HeadSeries.memoryBytes, summed),
 * kept as they grow: the store checks the head's size against its budget every few
 * thousand samples, and adding up 100,000 series each time cost more than the samples.
 */
export class SeriesBytes {
  total = 0;
}

export class HeadSeries {
  /**
   * A row of META numbers per closed chunk. A plain array of doubles: it lives in the JS
   * heap and grows in place, where a typed array per series reallocates off-heap memory.
   */
  private readonly meta: number[] = [];
  /** closed chunks */
  closedCount = 0;
  /** closed chunks as objects, made on demand (overwrite checks) and kept until the next cut */
  private view: ClosedChunk[] | null = null;
  ts: Float64Array;
  values: Float64Array;
  quality: Uint16Array;
  n = 0;
  sorted = true;
  bytes = 0;

  constructor(readonly tag: string, private readonly chunkSamples: number, private readonly raw: RawAllowance = NO_RAW, private readonly arena = new ChunkArena(), private readonly tally = new SeriesBytes()) {
    const c = columns(Math.min(FIRST_CAPACITY, chunkSamples));
    this.ts = c.ts; this.values = c.values; this.quality = c.quality;
    tally.total += c.ts.length * 18;
  }

  append(t: number, v: number, q: number): void {
    let n = this.n;
    if (n === this.ts.length) this.grow();
    if (n > 0 && t <= this.ts[n - 1]) this.sorted = false;
    this.ts[n] = t; this.values[n] = v; this.quality[n] = q;
    this.n = ++n;
    if (n >= this.chunkSamples) this.cut();
  }

  /** Closes the open chunk: raw while the head's allowance lasts, compressed otherwise. */
  cut(): void {
    this.normalize();
    const n = this.n;
    if (n === 0) return;
    const rawBytes = n * 18;
    const raw = this.raw.allows(rawBytes);
    const bytes = raw ? null : encodeChunk(this.ts, this.values, this.quality, n);
    const len = bytes ? bytes.length : rawBytes;
    const sm = summarize({ ts: this.ts, values: this.values, quality: this.quality }, 0, n);
    // raw columns start 8-aligned so they can be read as Float64Arrays in place
    const start = this.arena.place(len, raw);
    const page = this.arena.placedPage;
    const data = this.arena.page(page);
    if (bytes) data.set(bytes, start);
    else {
      const ab = data.buffer;
      new Float64Array(ab, start, n).set(this.ts.subarray(0, n));
      new Float64Array(ab, start + 8 * n, n).set(this.values.subarray(0, n));
      new Uint16Array(ab, start + 16 * n, n).set(this.quality.subarray(0, n));
      this.raw.used += rawBytes;
    }
    this.meta.push(page, start, start + len, raw ? 1 : 0, sm.count, sm.firstTs, sm.lastTs, sm.min, sm.max, sm.sum, sm.first, sm.last, sm.integral, sm.quality);
    this.tally.total += META * 8;
    this.closedCount++;
    this.bytes += len;
    this.n = 0;
  }

  /**
   * Reads closed chunk i. Bound to the bytes, which never change once written; their page
   * stays alive while a query holds it.
   */
  loader(i: number): () => Columns {
    const m = this.meta, o = i * META;
    const start = m[o + M_START], end = m[o + M_END], n = m[o + M_COUNT];
    const data = this.arena.page(m[o + M_PAGE]);
    if (!m[o + M_RAW]) {
      const bytes = data.subarray(start, end);
      return () => decodeChunk(bytes);
    }
    // a copy (a reader may keep or change the columns after this head is dropped), in one
    // buffer: a head cut loads every chunk once, and three allocations each churn the C heap
    return () => {
      const ab = data.buffer.slice(data.byteOffset + start, data.byteOffset + end);
      return { ts: new Float64Array(ab, 0, n), values: new Float64Array(ab, 8 * n, n), quality: new Uint16Array(ab, 16 * n, n) };
    };
  }

  firstTsOf(i: number): number { return this.meta[i * META + M_FIRST_TS]; }
  lastTsOf(i: number): number { return this.meta[i * META + M_LAST_TS]; }

  /** The summary of closed chunk i, as a new object. */
  summaryOf(i: number): Summary {
    const m = this.meta, o = i * META;
    return {
      count: m[o + M_COUNT], firstTs: m[o + M_FIRST_TS], lastTs: m[o + M_LAST_TS], min: m[o + M_MIN], max: m[o + M_MAX],
      sum: m[o + M_SUM], first: m[o + M_FIRST], last: m[o + M_LAST], integral: m[o + M_INTEGRAL], quality: m[o + M_QUALITY],
    };
  }

  /**
   * Closed chunks as objects: a new array once a chunk has closed since the last call (a
   * caller may hold the old one), with the same objects for the chunks it already had, so
   * what is kept by a chunk's summary object (the overwrite check's timestamps) stays valid.
   */
  get closed(): readonly ClosedChunk[] {
    const old = this.view;
    if (old && old.length === this.closedCount) return old;
    const view = old ? old.slice() : [];
    for (let i = view.length; i < this.closedCount; i++) view.push({ summary: this.summaryOf(i), load: this.loader(i) });
    this.view = view;
    return view;
  }

  /** Bytes this series holds besides the head's shared pages: its rows of meta, open columns. */
  get memoryBytes(): number {
    return this.meta.length * 8 + this.ts.length * 18;
  }

  /** Sorts the open chunk by time; of equal timestamps the last written is kept. */
  normalize(): void {
    if (this.sorted) return;
    const n = this.n;
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const ts = this.ts;
    idx.sort((a, b) => ts[a] - ts[b] || a - b);
    const { ts: nts, values: nv, quality: nq } = columns(this.ts.length);
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      if (m > 0 && nts[m - 1] === ts[i]) m--; // later write (higher index) replaces
      nts[m] = ts[i]; nv[m] = this.values[i]; nq[m] = this.quality[i]; m++;
    }
    this.ts = nts; this.values = nv; this.quality = nq; this.n = m; this.sorted = true;
  }

  private grow(): void {
    const cap = Math.min(this.ts.length * 2, Math.max(this.chunkSamples, FIRST_CAPACITY));
    const c = columns(cap);
    c.ts.set(this.ts); c.values.set(this.values); c.quality.set(this.quality);
    this.tally.total += (cap - this.ts.length) * 18;
    this.ts = c.ts; this.values = c.values; this.quality = c.quality;
  }

  /** Chunk refs of this series overlapping [from, to). */
  refs(from: number, to: number, base: number, out: ChunkRef[]): void {
    for (let i = 0; i < this.closedCount; i++) {
      const minT = this.firstTsOf(i), maxT = this.lastTsOf(i);
      if (maxT < from || minT >= to) continue;
      out.push({ minT, maxT, summary: this.summaryOf(i), priority: base + i, load: this.loader(i) });
    }
    this.normalize();
    if (this.n > 0 && this.ts[this.n - 1] >= from && this.ts[0] < to) {
      // a copy: the open chunk keeps changing while a query streams
      const cols: Columns = { ts: this.ts.slice(0, this.n), values: this.values.slice(0, this.n), quality: this.quality.slice(0, this.n) };
      const summary = summarize(cols);
      out.push({ minT: summary.firstTs, maxT: summary.lastTs, summary, priority: base + this.closedCount, load: () => cols });
    }
  }

  get sampleCount(): number {
    let c = this.n;
    for (let i = 0; i < this.closedCount; i++) c += this.meta[i * META + M_COUNT];
    return c;
  }
}

export class Head {
  readonly series = new Map<string, HeadSeries>();
  samples = 0;
  minT = Infinity;
  maxT = -Infinity;
  readonly createdAt: number;

  private readonly raw: RawAllowance;
  /** closed chunks of every series */
  private readonly arena = new ChunkArena();
  private readonly seriesBytes = new SeriesBytes();

  constructor(readonly priorityBase: number, now: number, readonly chunkSamples = HEAD_CHUNK_SAMPLES, rawLimitBytes = 0, rawDueLimitBytes = rawLimitBytes) {
    this.raw = new RawAllowance(rawLimitBytes, rawDueLimitBytes);
    this.createdAt = now;
  }

  /** Whether the head was marked due for its cut (markDue). */
  get due(): boolean { return this.raw.due; }

  /** The head is due for its cut: closed chunks stay raw up to the due allowance. */
  markDue(): void { this.raw.due = true; }

  /** Bytes of closed chunks kept as raw columns. */
  get rawBytes(): number { return this.raw.used; }

  getOrCreate(tag: string): HeadSeries {
    let s = this.series.get(tag);
    if (!s) { s = new HeadSeries(tag, this.chunkSamples, this.raw, this.arena, this.seriesBytes); this.series.set(tag, s); }
    return s;
  }

  noteRange(minT: number, maxT: number, n: number): void {
    if (minT < this.minT) this.minT = minT;
    if (maxT > this.maxT) this.maxT = maxT;
    this.samples += n;
  }

  refs(tag: string, from: number, to: number, out: ChunkRef[]): void {
    this.series.get(tag)?.refs(from, to, this.priorityBase, out);
  }

  /**
   * Approximate memory: the pages of closed chunks, the series' rows of meta and open
   * columns at 18 bytes per slot, and the objects around them (series, views, map entry).
   */
  bytes(): number {
    return this.arena.capacity + this.seriesBytes.total + this.series.size * HEAD_SERIES_OVERHEAD;
  }
}
