// Timestamp streams (integer epoch ms, ascending or equal).
//
// TS_DOD — the Gorilla paper's delta-of-delta scheme with the buckets widened for
// milliseconds (as Prometheus does): first timestamp in 64 bits, then each
// delta-of-delta (the first delta against 0) as
//   '0' → 0 | '10' + 14 bits | '110' + 17 bits | '1110' + 20 bits | '1111' + 64 bits,
// each a two's-complement signed field.
// TS_RUNS — runs of equal deltas: first timestamp, run count, then (delta, run length)
// pairs. A regularly sampled chunk costs a handful of bytes in total.
import { BitReader, BitWriter } from './bits';

const TWO32 = 4294967296;
export const TS_DOD = 0;
export const TS_RUNS = 1;

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

export function writeRunTimestamps(w: BitWriter, ts: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  w.writeLen(ts[0]);
  let runs = 0;
  for (let i = 1; i < n; i++) if (i === 1 || ts[i] - ts[i - 1] !== ts[i - 1] - ts[i - 2]) runs++;
  w.writeLen(runs);
  let i = 1;
  while (i < n) {
    const d = ts[i] - ts[i - 1];
    let j = i + 1;
    while (j < n && ts[j] - ts[j - 1] === d) j++;
    w.writeLen(d);
    w.writeLen(j - i);
    i = j;
  }
}

export function readRunTimestamps(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  let t = r.readLen();
  out[0] = t;
  const runs = r.readLen();
  let i = 1;
  for (let k = 0; k < runs; k++) {
    const d = r.readLen();
    const len = r.readLen();
    if (len === 0 || i + len > n) throw new Error(`corrupt chunk: timestamp run ${k} of length ${len} overflows ${n} samples`);
    for (let e = i + len; i < e; i++) out[i] = t += d;
  }
  if (i !== n) throw new Error(`corrupt chunk: timestamp runs cover ${i} of ${n} samples`);
}

/** Number of delta runs, to decide cheaply whether TS_RUNS is worth trying. */
export function countDeltaRuns(ts: ArrayLike<number>, n: number): number {
  let runs = 0;
  for (let i = 1; i < n; i++) if (i === 1 || ts[i] - ts[i - 1] !== ts[i - 1] - ts[i - 2]) runs++;
  return runs;
}
