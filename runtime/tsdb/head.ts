// The head: the newest data of every series, in memory. Each series appends into an open
// columnar chunk and compresses it with the chunk codec when full. Out-of-order and
// duplicate samples go into the open chunk too, which is then sorted (stable, so the
// later write of an equal timestamp wins) before it is read or compressed; an open chunk
// that overlaps older closed chunks simply wins over them at query time.
import { decodeChunk, encodeChunk } from './codec';
import type { ChunkRef } from './chunk-ref';
import { type Summary, summarize } from './summary';
import type { Columns } from './types';

export const HEAD_PRIORITY_BASE = 1e12;
/**
 * Samples per head chunk. Smaller than block chunks: an open chunk costs 18 bytes per slot
 * in memory for every active series, a closed one ~6 (its bytes and ~700 bytes of objects
 * per 128 samples); head chunks are re-encoded into 2048-sample chunks when cut into a
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
/** measured likewise: a closed chunk's own ArrayBuffer and view, its summary object, the list slot */
const HEAD_CHUNK_OVERHEAD = 700;

interface ClosedChunk { bytes: Uint8Array; summary: Summary }

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

export class HeadSeries {
  readonly closed: ClosedChunk[] = [];
  ts: Float64Array;
  values: Float64Array;
  quality: Uint16Array;
  n = 0;
  sorted = true;
  bytes = 0;

  constructor(readonly tag: string, private readonly chunkSamples: number) {
    const c = columns(Math.min(FIRST_CAPACITY, chunkSamples));
    this.ts = c.ts; this.values = c.values; this.quality = c.quality;
  }

  append(t: number, v: number, q: number): void {
    let n = this.n;
    if (n === this.ts.length) this.grow();
    if (n > 0 && t <= this.ts[n - 1]) this.sorted = false;
    this.ts[n] = t; this.values[n] = v; this.quality[n] = q;
    this.n = ++n;
    if (n >= this.chunkSamples) this.cut();
  }

  /** Compresses the open chunk. */
  cut(): void {
    this.normalize();
    if (this.n === 0) return;
    const bytes = encodeChunk(this.ts, this.values, this.quality, this.n);
    const summary = summarize({ ts: this.ts, values: this.values, quality: this.quality }, 0, this.n);
    this.closed.push({ bytes, summary });
    this.bytes += bytes.length;
    this.n = 0;
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
    this.ts = c.ts; this.values = c.values; this.quality = c.quality;
  }

  /** Chunk refs of this series overlapping [from, to). */
  refs(from: number, to: number, base: number, out: ChunkRef[]): void {
    const closed = this.closed;
    for (let i = 0; i < closed.length; i++) {
      const c = closed[i];
      if (c.summary.lastTs < from || c.summary.firstTs >= to) continue;
      out.push({ minT: c.summary.firstTs, maxT: c.summary.lastTs, summary: c.summary, priority: base + i, load: () => decodeChunk(c.bytes) });
    }
    this.normalize();
    if (this.n > 0 && this.ts[this.n - 1] >= from && this.ts[0] < to) {
      // a copy: the open chunk keeps changing while a query streams
      const cols: Columns = { ts: this.ts.slice(0, this.n), values: this.values.slice(0, this.n), quality: this.quality.slice(0, this.n) };
      const summary = summarize(cols);
      out.push({ minT: summary.firstTs, maxT: summary.lastTs, summary, priority: base + closed.length, load: () => cols });
    }
  }

  get sampleCount(): number {
    let c = this.n;
    for (const ch of this.closed) c += ch.summary.count;
    return c;
  }
}

export class Head {
  readonly series = new Map<string, HeadSeries>();
  samples = 0;
  minT = Infinity;
  maxT = -Infinity;
  readonly createdAt: number;

  constructor(readonly priorityBase: number, now: number, readonly chunkSamples = HEAD_CHUNK_SAMPLES) {
    this.createdAt = now;
  }

  getOrCreate(tag: string): HeadSeries {
    let s = this.series.get(tag);
    if (!s) { s = new HeadSeries(tag, this.chunkSamples); this.series.set(tag, s); }
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
   * Approximate memory: compressed chunks, open columns (18 bytes per slot), and the objects
   * around them (series, map entry, per closed chunk its array view and summary).
   */
  bytes(): number {
    let b = 0;
    for (const s of this.series.values()) b += s.bytes + s.closed.length * HEAD_CHUNK_OVERHEAD + s.ts.length * 18 + HEAD_SERIES_OVERHEAD;
    return b;
  }
}
