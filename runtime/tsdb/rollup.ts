// Rollups: per-bucket summaries (count, min, max, sum, first, last, step integral, worst
// quality, first/last sample time) at fixed resolutions, stored with each block's series
// (FORMAT-block.md). A bucket's row is a Summary, so queries fold rows exactly like chunk
// summaries. Rows are packed column by column (rollup-packed.ts), which keeps them small.
//
// A level pays for itself only where reading the samples instead would be slow: a view
// reads a level for ranges up to the point where the next coarser level takes over (a
// 1000-point view of buckets half the next resolution wide: up to ~42 hours for 1 min,
// ~21 days for 5 min, ~500 days for 1 h; the day level up to the 10-year horizon). A series
// keeps a level in a block only when, at its rate, that longest range holds more than
// RAW_VIEW_BUDGET samples; below that the query decodes the chunks (folding whole-chunk
// summaries). The budget is what a 2-core gateway busy with other work decodes in ~50 ms
// (measured 4M samples/s under a load average of 12; a budget of 1M let a 1-year view of a
// 1-minute tag take a second). So a 10 Hz tag keeps all four levels, a 1 s tag 5 min, 1 h
// and 1 d, a 10 s or 1-minute tag 1 h and 1 d, a 5-minute tag 1 d, an hourly tag none.
// (A 6-hour rung would let a 1-minute tag drop its hour rows, 0.08 byte/sample, but hourly
// aggregates of a year then decode half a million samples: ~100 ms instead of ~4.)
import { decodeChunk, encodeChunk } from './codec';
import { decodePacked, encodePacked, ENC_PACKED } from './rollup-packed';
import type { Summary } from './summary';

export const ROLLUP_RESOLUTIONS = [60_000, 300_000, 3_600_000, 86_400_000] as const;
/** samples a view may decode where a level is missing (see above) */
export const RAW_VIEW_BUDGET = 200_000;
/** buckets of the longest view a level serves (the default 1000-point view) */
const VIEW_POINTS = 1000;
/** the longest view the top level serves: ten years */
const TOP_HORIZON_MS = 3653 * 86_400_000;

/**
 * Samples a series must average per row for a level to be kept: the longest range the
 * level serves (until buckets reach half the next coarser resolution) holding
 * RAW_VIEW_BUDGET samples. 1 min: 80, 5 min: ~33.3, 1 h: ~16.7, 1 d: ~55.
 */
export function minSamplesPerRow(res: number): number {
  const i = ROLLUP_RESOLUTIONS.indexOf(res as (typeof ROLLUP_RESOLUTIONS)[number]);
  const next = i >= 0 && i + 1 < ROLLUP_RESOLUTIONS.length ? ROLLUP_RESOLUTIONS[i + 1] : null;
  const served = next === null ? TOP_HORIZON_MS : (VIEW_POINTS * next) / 2;
  return (RAW_VIEW_BUDGET * res) / served;
}

const COLS = 9; // count, min, max, sum, first, last, integral, firstTs-start, lastTs-start
/** rows a builder holds before its arrays first grow */
const INITIAL_ROWS = 16;

/**
 * Builds one level's rows for one series at a time. A block writer keeps one builder per
 * level and resets it for each series: its arrays stay (grown to the largest series so far),
 * so a block of many small series (slow tags: two dozen samples a series in a 2-hour block)
 * does not allocate eleven arrays per series and level; that was most of what a cut
 * allocated, and the collector's work with it.
 */
export class RollupBuilder {
  private ts = new Float64Array(INITIAL_ROWS);
  private cols: Float64Array[] = Array.from({ length: COLS }, () => new Float64Array(INITIAL_ROWS));
  private q = new Uint16Array(INITIAL_ROWS);
  /** closed rows */
  private n = 0;
  private cur = NaN;
  /** end of the current bucket (cur + res) */
  private end = NaN;
  private count = 0; private min = 0; private max = 0; private sum = 0; private first = 0; private last = 0;
  private integral = 0; private firstTs = 0; private lastTs = 0; private quality = 0; private qrank = 0;

  private samples = 0;
  private readonly minPerRow: number;

  constructor(readonly res: number) {
    this.minPerRow = minSamplesPerRow(res);
  }

  /** Starts a new series: the rows and the open bucket are dropped, the arrays are kept. */
  reset(): this {
    this.n = 0; this.cur = NaN; this.end = NaN; this.samples = 0;
    return this;
  }

  /** Whether this level is worth storing for the samples added so far. */
  get pays(): boolean { return this.samples > this.minPerRow * this.rows; }

  /**
   * Whether the level cannot pay once the series is complete, if it has at most `maxSamples`
   * samples in all: rows only grow, so `pays` stays false whatever is added from here on.
   */
  cannotPay(maxSamples: number): boolean { return this.minPerRow * this.rows >= maxSamples; }

  add(t: number, v: number, q: number): void {
    this.samples++;
    // a bucket is [cur, cur + res): inside it, t's bucket start is cur (exact for any time
    // below 2^53 ms), and two float remainders a sample cost more than the rest of add
    if (!(t >= this.cur && t < this.end)) {
      this.close();
      const b = t - (((t % this.res) + this.res) % this.res);
      this.cur = b; this.end = b + this.res; this.count = 0; this.min = v; this.max = v; this.sum = 0; this.first = v;
      this.integral = 0; this.firstTs = t; this.quality = q; this.qrank = rank(q);
    } else {
      this.integral += this.last * (t - this.lastTs);
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      const r = rank(q);
      if (r > this.qrank) { this.qrank = r; this.quality = q; }
    }
    this.count++; this.sum += v; this.last = v; this.lastTs = t;
  }

  private close(): void {
    if (Number.isNaN(this.cur)) return;
    const i = this.n;
    if (i === this.ts.length) this.grow();
    const c = this.cols;
    this.ts[i] = this.cur;
    c[0][i] = this.count; c[1][i] = this.min; c[2][i] = this.max; c[3][i] = this.sum;
    c[4][i] = this.first; c[5][i] = this.last; c[6][i] = this.integral;
    c[7][i] = this.firstTs - this.cur; c[8][i] = this.lastTs - this.cur;
    this.q[i] = this.quality;
    this.n = i + 1;
    this.cur = NaN;
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const more = <T extends Float64Array | Uint16Array>(a: T, b: T): T => { b.set(a); return b; };
    this.ts = more(this.ts, new Float64Array(cap));
    this.cols = this.cols.map((c) => more(c, new Float64Array(cap)));
    this.q = more(this.q, new Uint16Array(cap));
  }

  get rows(): number { return this.n + (Number.isNaN(this.cur) ? 0 : 1); }

  /** The encoded section: packed columns (encoding 3), or one codec chunk per column where a column cannot be packed. */
  finish(): Buffer {
    this.close();
    const n = this.n;
    const starts = this.ts.subarray(0, n), cols = this.cols.map((c) => c.subarray(0, n)), quality = this.q.subarray(0, n);
    return encodePacked({ starts, cols, quality }) ?? finishCodec(starts, cols, quality);
  }
}

/** Encoding 1: one codec chunk per column, where a column cannot be packed. */
function finishCodec(starts: Float64Array, cols: Float64Array[], quality: Uint16Array): Buffer {
  const zeros = new Uint16Array(starts.length);
  // only the first column's timestamps are read; the others carry all-zero times, which
  // the chunk codec stores in two bytes instead of repeating the bucket starts
  const noTimes = new Float64Array(starts.length);
  const parts: Buffer[] = [Buffer.from([ENC_CODEC])];
  for (let k = 0; k < COLS; k++) {
    const chunk = encodeChunk(k === 0 ? starts : noTimes, cols[k], k === 0 ? quality : zeros);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(chunk.length);
    parts.push(len, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }
  return Buffer.concat(parts);
}

const ENC_CODEC = 1;
/** written before encoding 3 for rows of 1024 samples or more; still read */
const ENC_PLAIN = 2;
const PLAIN_HEADER = 8;

/** Decodes a rollup section (encoding 1, 2 or 3) into bucket start times and Summary rows. */
export function decodeRollups(buf: Uint8Array): { starts: Float64Array; rows: Summary[] } {
  if (buf[0] === ENC_PLAIN) return decodePlain(buf);
  if (buf[0] === ENC_PACKED) {
    const p = decodePacked(buf);
    return { starts: p.starts, rows: toRows(p.starts, p.cols, p.quality) };
  }
  if (buf[0] !== ENC_CODEC) throw new Error(`unknown rollup encoding ${buf[0]}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = 1;
  const cols: Float64Array[] = [];
  let starts = new Float64Array(0);
  let quality = new Uint16Array(0);
  for (let k = 0; k < COLS; k++) {
    const len = dv.getUint32(p, true);
    const c = decodeChunk(buf.subarray(p + 4, p + 4 + len));
    if (k === 0) { starts = c.ts; quality = c.quality; }
    cols.push(c.values);
    p += 4 + len;
  }
  return { starts, rows: toRows(starts, cols, quality) };
}

function decodePlain(buf: Uint8Array): { starts: Float64Array; rows: Summary[] } {
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(4, true);
  if (buf.length !== PLAIN_HEADER + n * (8 * (COLS + 1) + 2)) throw new Error('rollup section has the wrong size');
  const ab = new ArrayBuffer(buf.length - PLAIN_HEADER);
  new Uint8Array(ab).set(buf.subarray(PLAIN_HEADER));
  const starts = new Float64Array(ab, 0, n);
  const cols: Float64Array[] = [];
  for (let k = 0; k < COLS; k++) cols.push(new Float64Array(ab, 8 * n * (k + 1), n));
  return { starts, rows: toRows(starts, cols, new Uint16Array(ab, 8 * n * (COLS + 1), n)) };
}

function toRows(starts: Float64Array, cols: Float64Array[], quality: Uint16Array): Summary[] {
  const rows: Summary[] = new Array(starts.length);
  for (let i = 0; i < starts.length; i++) {
    rows[i] = {
      count: cols[0][i], min: cols[1][i], max: cols[2][i], sum: cols[3][i], first: cols[4][i], last: cols[5][i],
      integral: cols[6][i], firstTs: starts[i] + cols[7][i], lastTs: starts[i] + cols[8][i], quality: quality[i],
    };
  }
  return rows;
}

function rank(q: number): number {
  return q & 0x8000 ? 2 : q & 0x4000 ? 1 : 0;
}
