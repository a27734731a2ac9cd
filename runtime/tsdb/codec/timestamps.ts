// Timestamp streams (integer epoch ms, ascending or equal).
//
// TS_DOD — the Gorilla paper's delta-of-delta scheme with the buckets widened for
// milliseconds (as Prometheus does): first timestamp in 64 bits, then each
// delta-of-delta (the first delta against 0) as
//   '0' → 0 | '10' + 14 bits | '110' + 17 bits | '1110' + 20 bits | '1111' + 64 bits,
// each a two's-complement signed field.
// TS_GAPS — see writeGapTimestamps: a regularly sampled chunk costs a few bytes in total.
import { BitReader, BitWriter } from './bits';
import { RiceDecoder, RiceEncoder } from './rice';

const TWO32 = 4294967296;
export const TS_DOD = 0;
export const TS_GAPS = 1;

function checkTimestamps(ts: ArrayLike<number>, n: number): void {
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (!Number.isSafeInteger(t)) throw new Error(`ts[${i}]: must be a safe integer epoch ms (got ${t})`);
    if (t < prev) throw new Error(`ts[${i}]: timestamps must be ascending (${t} after ${prev})`);
    prev = t;
  }
}

export function validateTimestamps(ts: ArrayLike<number>, n: number): void {
  checkTimestamps(ts, n);
}

/** Writes a signed integer (|v| < 2^53) as 64-bit two's complement. */
function writeInt64(w: BitWriter, v: number): void {
  const hi = Math.floor(v / TWO32);
  w.write(hi | 0, 32);
  w.write(v - hi * TWO32, 32);
}

function readInt64(r: BitReader): number {
  const hi = r.read(32) | 0;
  return hi * TWO32 + r.read(32);
}

export function writeDodTimestamps(w: BitWriter, ts: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  let prev = ts[0];
  writeInt64(w, prev);
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const t = ts[i];
    const delta = t - prev;
    const dod = delta - prevDelta;
    prev = t;
    prevDelta = delta;
    if (dod === 0) w.write(0, 1);
    else if (dod >= -8192 && dod <= 8191) { w.write(2, 2); w.write(dod, 14); }
    else if (dod >= -65536 && dod <= 65535) { w.write(6, 3); w.write(dod, 17); }
    else if (dod >= -524288 && dod <= 524287) { w.write(14, 4); w.write(dod, 20); }
    else { w.write(15, 4); writeInt64(w, dod); }
  }
}

export function readDodTimestamps(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  let prev = readInt64(r);
  out[0] = prev;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    // leading ones of the next 4 bits select the bucket
    const ones = Math.clz32(~r.peek32());
    let dod: number;
    if (ones === 0) { r.pos += 1; dod = 0; }
    else if (ones === 1) { r.pos += 2; dod = (r.read(14) << 18) >> 18; }
    else if (ones === 2) { r.pos += 3; dod = (r.read(17) << 15) >> 15; }
    else if (ones === 3) { r.pos += 4; dod = (r.read(20) << 12) >> 12; }
    else { r.pos += 4; dod = readInt64(r); }
    delta += dod;
    prev += delta;
    out[i] = prev;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) { const t = a % b; a = b; b = t; }
  return a;
}

/**
 * TS_GAPS: first timestamp, g = gcd of the deltas, b = smallest delta / g; each delta
 * becomes a residual delta / g − b ≥ 0, mostly 0 for a scanned signal. Zero residuals
 * are run-length coded: (zero-run length, nonzero residual − 1) pairs, each adaptive
 * Rice coded. A perfectly regular chunk is one run; SKAB's 1 s rows with occasional
 * 2 s gaps cost a fraction of a bit per sample.
 */
export function writeGapTimestamps(w: BitWriter, ts: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  w.writeLen(ts[0]);
  if (n === 1) return;
  let g = 0;
  let min = Infinity;
  for (let i = 1; i < n; i++) {
    const d = ts[i] - ts[i - 1];
    g = gcd(d, g);
    if (d < min) min = d;
  }
  w.writeLen(g);
  if (g === 0) return; // every timestamp equal
  const b = min / g;
  w.writeLen(b);
  let nonzero = 0;
  let sum = 0;
  for (let i = 1; i < n; i++) {
    const r = (ts[i] - ts[i - 1]) / g - b;
    if (r !== 0) { nonzero++; sum += r - 1; }
  }
  const runs = new RiceEncoder(w, (n - 1) / (nonzero + 1));
  const vals = new RiceEncoder(w, nonzero > 0 ? sum / nonzero : 0);
  let zeros = 0;
  for (let i = 1; i < n; i++) {
    const r = (ts[i] - ts[i - 1]) / g - b;
    if (r === 0) { zeros++; continue; }
    runs.put(zeros);
    vals.put(r - 1);
    zeros = 0;
  }
  if (zeros > 0) runs.put(zeros);
}

export function readGapTimestamps(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  let t = r.readLen();
  out[0] = t;
  if (n === 1) return;
  const g = r.readLen();
  if (g === 0) { out.fill(t); return; }
  const base = r.readLen() * g;
  const runs = new RiceDecoder(r);
  const vals = new RiceDecoder(r);
  let i = 1;
  while (i < n) {
    const zeros = runs.get();
    if (i + zeros > n) throw new Error(`corrupt chunk: timestamp run of ${zeros} overflows ${n} samples`);
    for (const e = i + zeros; i < e; i++) out[i] = t += base;
    if (i < n) out[i++] = t += base + (vals.get() + 1) * g;
  }
}
