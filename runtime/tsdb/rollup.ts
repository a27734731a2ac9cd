// Rollups: per-bucket summaries (count, min, max, sum, first, last, step integral, worst
// quality, first/last sample time) at fixed resolutions, stored with each block's series
// (FORMAT-block.md). A bucket's row is a Summary, so queries fold rows exactly like chunk
// summaries. Rows are encoded as columns with the chunk codec, which keeps them small.
//
// A level pays for itself only where a row stands for many samples: a row costs some
// 10–30 bytes, and a query reading it instead of the samples saves little when the
// bucket holds a handful of them (chunk summaries already cover runs of 480). So a series
// keeps a resolution in a block only when it averages at least ROLLUP_MIN_SAMPLES_PER_ROW
// samples per row; slow tags keep the coarse levels or none, and queries read their chunks
// (folding whole-chunk summaries) where a level is missing.
import { decodeChunk, encodeChunk } from './codec';
import type { Summary } from './summary';

export const ROLLUP_RESOLUTIONS = [60_000, 3_600_000, 86_400_000] as const;
export const ROLLUP_MIN_SAMPLES_PER_ROW = 32;
/** rows standing for this many samples each are stored plain (read without decoding; their size does not matter) */
const PLAIN_MIN_SAMPLES_PER_ROW = 1024;

const COLS = 9; // count, min, max, sum, first, last, integral, firstTs-start, lastTs-start

export class RollupBuilder {
  private ts: number[] = [];
  private cols: number[][] = Array.from({ length: COLS }, () => []);
  private q: number[] = [];
  private cur = NaN;
  private count = 0; private min = 0; private max = 0; private sum = 0; private first = 0; private last = 0;
  private integral = 0; private firstTs = 0; private lastTs = 0; private quality = 0; private qrank = 0;

  private samples = 0;

  constructor(readonly res: number) {}

  /** Whether this level is worth storing for the samples added so far. */
  get pays(): boolean { return this.samples >= ROLLUP_MIN_SAMPLES_PER_ROW * this.rows; }

  add(t: number, v: number, q: number): void {
    this.samples++;
    const b = t - (((t % this.res) + this.res) % this.res);
    if (b !== this.cur) {
      this.close();
      this.cur = b; this.count = 0; this.min = v; this.max = v; this.sum = 0; this.first = v;
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
    const c = this.cols;
    this.ts.push(this.cur);
    c[0].push(this.count); c[1].push(this.min); c[2].push(this.max); c[3].push(this.sum);
    c[4].push(this.first); c[5].push(this.last); c[6].push(this.integral);
    c[7].push(this.firstTs - this.cur); c[8].push(this.lastTs - this.cur);
    this.q.push(this.quality);
    this.cur = NaN;
  }

  get rows(): number { return this.ts.length + (Number.isNaN(this.cur) ? 0 : 1); }

  /**
   * The encoded section: codec-compressed columns, or plain float64 columns (read without
   * decoding) where each row stands for so many samples that its size does not matter.
   */
  finish(plain = this.samples >= PLAIN_MIN_SAMPLES_PER_ROW * this.rows): Buffer {
    this.close();
    if (plain) return this.finishPlain();
    const zeros = new Uint16Array(this.ts.length);
    // only the first column's timestamps are read; the others carry all-zero times, which
    // the chunk codec stores in two bytes instead of repeating the bucket starts
    const noTimes = new Float64Array(this.ts.length);
    const parts: Buffer[] = [Buffer.from([ENC_CODEC])];
    for (let k = 0; k < COLS; k++) {
      const chunk = encodeChunk(k === 0 ? this.ts : noTimes, this.cols[k], k === 0 ? this.q : zeros);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(chunk.length);
      parts.push(len, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
    return Buffer.concat(parts);
  }

  private finishPlain(): Buffer {
    const n = this.ts.length;
    const buf = Buffer.alloc(PLAIN_HEADER + n * (8 * (COLS + 1) + 2));
    buf[0] = ENC_PLAIN;
    buf.writeUInt32LE(n, 4);
    let p = PLAIN_HEADER;
    for (const col of [this.ts, ...this.cols]) for (let i = 0; i < n; i++) p = buf.writeDoubleLE(col[i], p);
    for (let i = 0; i < n; i++) p = buf.writeUInt16LE(this.q[i], p);
    return buf;
  }
}

const ENC_CODEC = 1;
const ENC_PLAIN = 2;
const PLAIN_HEADER = 8;

/** Decodes a rollup section into bucket start times and Summary rows. */
export function decodeRollups(buf: Uint8Array): { starts: Float64Array; rows: Summary[] } {
  if (buf[0] === ENC_PLAIN) return decodePlain(buf);
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
