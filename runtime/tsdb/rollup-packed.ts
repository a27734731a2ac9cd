// Rollup section encoding 3 (FORMAT-block.md): all columns of a section in one bit stream,
// each column coded against what the others already say. Encoding 1 spent a whole chunk
// (header, timestamps, length prefix) on each of nine columns, some 50 bytes per section,
// which for a slow series' few rows per block was more than the rows; and it coded first,
// last, min and max independently although they are the bucket's own samples, mostly a
// few units apart. Here count and time offsets of a regular series are one constant each,
// first is a decimal series, last is coded against the next row's first (its neighbour
// in time) or its own first, max and min by how far they reach beyond first and last.
// Sums and integrals keep the chunk value codec, so every row decodes bit for bit.
import {
  BitReader, BitWriter, appendBits, qualityCodec, readDodTimestamps, readGapTimestamps, readIntSeries, readQuality,
  readValues, toDecimal, unzigzag, writeDodTimestamps, writeGapTimestamps, writeIntSeries, writeQuality, writeValues,
  zigzag,
} from './codec';
import { addToBits, bitsDiff, predictIntegral } from './float-bits';

export const ENC_PACKED = 3;
/** rows of one section; a bound that guards allocation on corrupt input */
const MAX_ROWS = 1 << 24;
const P10: number[] = Array.from({ length: 13 }, (_, i) => 10 ** i);

/** Columns of a rollup section, in the order of FORMAT-block.md. */
export interface RollupColumns {
  starts: ArrayLike<number>;
  /** count, min, max, sum, first, last, integral, firstTs − start, lastTs − start */
  cols: ArrayLike<number>[];
  quality: ArrayLike<number>;
}

function writeIntCol(w: BitWriter, x: Float64Array, n: number): void {
  let same = true;
  for (let i = 1; i < n && same; i++) same = x[i] === x[0];
  w.write(same ? 1 : 0, 1);
  if (same) w.writeLen(zigzag(x[0]));
  else writeIntSeries(w, x, n);
}

function readIntCol(r: BitReader, n: number): Float64Array {
  const out = new Float64Array(n);
  if (r.read(1) === 1) out.fill(unzigzag(r.readLen()));
  else readIntSeries(r, out, n);
  return out;
}

function writeValueCol(w: BitWriter, v: ArrayLike<number>, n: number): void {
  const body = new BitWriter(n + 8);
  const codec = writeValues(body, v, n);
  w.write(codec, 3);
  appendBits(w, body);
}

function readValueCol(r: BitReader, n: number): Float64Array {
  const out = new Float64Array(n);
  readValues(r, r.read(3), out, n);
  return out;
}

/** Integer columns need exact integers below 2^50 (times in ms, counts). */
function ints(x: ArrayLike<number>, n: number): Float64Array | null {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 50) return null;
    out[i] = v;
  }
  return out;
}

function integralResiduals(integral: ArrayLike<number>, sum: ArrayLike<number>, last: ArrayLike<number>, count: Float64Array, fo: Float64Array, lo: Float64Array, n: number): Float64Array | null {
  const e = new Float64Array(n);
  let cost = 0;
  for (let i = 0; i < n; i++) {
    const d = bitsDiff(integral[i], predictIntegral(sum[i], last[i], count[i], fo[i], lo[i]));
    if (d === null) return null;
    e[i] = d;
    cost += Math.abs(d);
  }
  // irregular buckets: the prediction is far off and the value codec does better
  return cost / n < 2 ** 12 ? e : null;
}

/** The encoded section, or null when a column cannot take this encoding (the caller falls back). */
export function encodePacked(c: RollupColumns): Buffer | null {
  const n = c.starts.length;
  if (n === 0 || n > MAX_ROWS) return null;
  const [count, min, max, sum, first, last, integral, firstOff, lastOff] = c.cols;
  const starts = ints(c.starts, n), cnt = ints(count, n), fo = ints(firstOff, n), lo = ints(lastOff, n);
  if (!starts || !cnt || !fo || !lo) return null;
  const w = new BitWriter(n + 16);
  const gaps = starts[0] >= 0;
  w.write(gaps ? 1 : 0, 1);
  if (gaps) writeGapTimestamps(w, starts, n); else writeDodTimestamps(w, starts, n);
  writeIntCol(w, cnt, n);
  writeIntCol(w, fo, n);
  writeIntCol(w, lo, n);
  const qc = qualityCodec(c.quality, n);
  w.write(qc, 1);
  writeQuality(w, qc, c.quality, n);
  const all = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) { all[i] = first[i]; all[n + i] = last[i]; all[2 * n + i] = min[i]; all[3 * n + i] = max[i]; }
  const d = toDecimal(all, 4 * n);
  w.write(d ? 1 : 0, 1);
  if (d) {
    w.write(d.scale, 4);
    const m = d.ints;
    const F = m.subarray(0, n), L = m.subarray(n, 2 * n), N = m.subarray(2 * n, 3 * n), X = m.subarray(3 * n, 4 * n);
    // last against the next row's first (adjacent samples when buckets are dense) or its own first
    const dNext = new Float64Array(n), dOwn = new Float64Array(n);
    let costNext = 0, costOwn = 0;
    for (let i = 0; i < n; i++) {
      dOwn[i] = L[i] - F[i];
      dNext[i] = i + 1 < n ? L[i] - F[i + 1] : dOwn[i];
      costNext += Math.abs(dNext[i]); costOwn += Math.abs(dOwn[i]);
    }
    const up = new Float64Array(n), down = new Float64Array(n);
    for (let i = 0; i < n; i++) { up[i] = X[i] - Math.max(F[i], L[i]); down[i] = Math.min(F[i], L[i]) - N[i]; }
    writeIntCol(w, F, n);
    w.write(costNext < costOwn ? 1 : 0, 1);
    writeIntCol(w, costNext < costOwn ? dNext : dOwn, n);
    writeIntCol(w, up, n);
    writeIntCol(w, down, n);
  } else {
    writeValueCol(w, first, n);
    writeValueCol(w, last, n);
    writeValueCol(w, min, n);
    writeValueCol(w, max, n);
  }
  writeValueCol(w, sum, n);
  const e = integralResiduals(integral, sum, last, cnt, fo, lo, n);
  w.write(e ? 1 : 0, 1);
  if (e) writeIntCol(w, e, n); else writeValueCol(w, integral, n);
  let lenBytes = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) lenBytes++;
  const out = Buffer.alloc(1 + lenBytes + w.byteLength);
  out[0] = ENC_PACKED;
  let p = 1;
  let v = n;
  while (v >= 0x80) { out[p++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
  out[p++] = v;
  w.copyTo(out, p);
  return out;
}

/** Decodes an encoding-3 section into its columns (same order as RollupColumns.cols). */
export function decodePacked(buf: Uint8Array): { starts: Float64Array; cols: Float64Array[]; quality: Uint16Array } {
  if (buf[0] !== ENC_PACKED) throw new Error(`not a packed rollup section (${buf[0]})`);
  let n = 0, scale = 1, p = 1;
  for (;;) {
    if (p >= buf.length) throw new Error('rollup section truncated');
    const b = buf[p++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
    if (scale > 2 ** 28) throw new Error('rollup row count too long');
  }
  if (n === 0 || n > MAX_ROWS) throw new Error(`rollup section has ${n} rows`);
  const r = new BitReader(buf, p);
  const starts = new Float64Array(n);
  if (r.read(1) === 1) readGapTimestamps(r, starts, n); else readDodTimestamps(r, starts, n);
  const count = readIntCol(r, n), fo = readIntCol(r, n), lo = readIntCol(r, n);
  const quality = new Uint16Array(n);
  readQuality(r, r.read(1), quality, n);
  let first: Float64Array, last: Float64Array, min: Float64Array, max: Float64Array;
  if (r.read(1) === 1) {
    const k = r.read(4);
    if (k > 12) throw new Error(`rollup decimal scale ${k}`);
    const F = readIntCol(r, n);
    const next = r.read(1) === 1;
    const D = readIntCol(r, n), up = readIntCol(r, n), down = readIntCol(r, n);
    first = new Float64Array(n); last = new Float64Array(n); min = new Float64Array(n); max = new Float64Array(n);
    const s = P10[k];
    for (let i = 0; i < n; i++) {
      const L = D[i] + (next && i + 1 < n ? F[i + 1] : F[i]);
      first[i] = F[i] / s; last[i] = L / s;
      max[i] = (Math.max(F[i], L) + up[i]) / s;
      min[i] = (Math.min(F[i], L) - down[i]) / s;
    }
  } else {
    first = readValueCol(r, n); last = readValueCol(r, n); min = readValueCol(r, n); max = readValueCol(r, n);
  }
  const sum = readValueCol(r, n);
  let integral: Float64Array;
  if (r.read(1) === 1) {
    const e = readIntCol(r, n);
    integral = new Float64Array(n);
    for (let i = 0; i < n; i++) integral[i] = addToBits(predictIntegral(sum[i], last[i], count[i], fo[i], lo[i]), e[i]);
  } else integral = readValueCol(r, n);
  r.checkInBounds('rollup section');
  if (buf.length - p !== (r.pos + 7) >>> 3) throw new Error('rollup section has trailing bytes');
  return { starts, cols: [count, min, max, sum, first, last, integral, fo, lo], quality };
}
