// Decimal coding with exceptions (value codec DECIMAL_EXC, chunk format 2), after ALP
// (Afroozeh, Kuffo, Boncz, SIGMOD 2023). Devices and gateways print floats with artefacts
// (91.45716359999999, 0.134000000000001: float32 → float64 conversions, sums): one such
// value used to send a whole chunk of clean 2-decimal readings back to XOR coding. Here
// the chunk keeps its scale k; a value that does not round-trip at k is an exception.
//
// Every value still has an integer m = round(v · 10^k) in the integer series (so the
// predictor sees a smooth signal); an exception adds the correction from m / 10^k to the
// exact bits: usually a few units in the last place (ulps), otherwise the raw 64 bits.
import { BitReader, BitWriter, unzigzag, zigzag } from './bits';
import { IntSeries, MAX_SCALE, readIntSeries, writeIntSeries } from './decimal';
import { RiceDecoder, RiceEncoder } from './rice';
import { scratchF64 } from './scratch';

const P10: number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);
const MAX_INT = 2 ** 50;
/** per-value minimal scale when no scale up to MAX_SCALE round-trips */
export const NO_SCALE = MAX_SCALE + 1;
const MAX_ULPS = 2 ** 31;
const TWO32 = 4294967296;

const f64 = new Float64Array(2);
const u32 = new Uint32Array(f64.buffer);

/** The smallest scale at which each value round-trips (NO_SCALE if none), and how many per scale. */
export function scaleProfile(values: ArrayLike<number>, n: number): { histogram: Uint32Array } {
  const histogram = new Uint32Array(NO_SCALE + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let k = 0;
    if (v === 0 && 1 / v < 0) k = NO_SCALE;
    else while (k <= MAX_SCALE && !(Math.round(v * P10[k]) / P10[k] === v && Math.abs(v * P10[k]) < MAX_INT)) k++;
    histogram[k]++;
  }
  return { histogram };
}

/**
 * Scales worth trying with exceptions: the smallest scale leaving at most three quarters of
 * the values as exceptions (printed sums often leave half of them one ulp off), the next scale up that halves those, and the exact scale (none left)
 * when it exists and differs; failing all, the most common scale. The caller measures each and keeps the smallest encoding.
 */
export function exceptionScales(histogram: Uint32Array, n: number): number[] {
  const out: number[] = [];
  let ok = 0;
  let firstExc = -1;
  for (let k = 0; k <= MAX_SCALE; k++) {
    ok += histogram[k];
    const exc = n - ok;
    if (histogram[k] === 0 && k > 0) continue;
    if (exc * 4 > 3 * n) continue;
    if (out.length === 0) { out.push(k); firstExc = exc; continue; }
    if (exc === 0 || exc * 2 <= firstExc) { out.push(k); if (exc === 0 || out.length === 3) break; }
  }
  if (out.length === 0) {
    // mostly artefacts (e.g. float sums of decimals): the scale most clean values share,
    // where corrections are a few ulps each, may still beat XOR; measured like the others
    let mode = -1;
    for (let k = 0; k <= MAX_SCALE; k++) if (histogram[k] > 0 && (mode < 0 || histogram[k] >= histogram[mode])) mode = k;
    if (mode >= 0) out.push(mode);
  }
  return out;
}

/** A chunk at scale k: its integer series and the positions of the values that do not round-trip. */
export interface ExceptionForm { k: number; ints: IntSeries; pos: number[] }

/** The chunk's values at scale k, or null when no value is usable as a decimal. */
export function exceptionForm(values: ArrayLike<number>, n: number, k: number): ExceptionForm | null {
  const p = P10[k];
  const ints = scratchF64(n);
  const pos: number[] = [];
  let prev = NaN;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const m = Math.round(v * p) + 0; // + 0 turns −0 into 0, as the integer series stores it
    const valid = Number.isFinite(m) && m < MAX_INT && m > -MAX_INT;
    if (!valid || m / p !== v || (v === 0 && 1 / v < 0)) pos.push(i);
    if (valid) { ints[i] = m; prev = m; } else ints[i] = NaN;
  }
  if (Number.isNaN(prev)) return null;
  // unusable integers take their neighbour's value, which costs the predictor nothing
  let fill = NaN;
  for (let i = 0; i < n; i++) if (!Number.isNaN(ints[i])) { fill = ints[i]; break; }
  for (let i = 0; i < n; i++) { if (Number.isNaN(ints[i])) ints[i] = fill; else fill = ints[i]; }
  return { k, ints: new IntSeries(ints, n), pos };
}

/**
 * V_DECIMAL_EXC section for n ≥ 2 values (`f` made of them by exceptionForm); returns
 * whether the integer series is range coded (only with `rangeCoding`).
 */
export function writeDecimalExceptions(w: BitWriter, values: ArrayLike<number>, n: number, f: ExceptionForm, rangeCoding = false): boolean {
  const p = P10[f.k];
  const ints = f.ints.m;
  const pos = f.pos;
  const E = pos.length;
  w.write(f.k, 4);
  w.writeLen(E);
  if (E > 0) {
    const rice = new RiceEncoder(w, n / E);
    let last = -1;
    for (const i of pos) { rice.put(i - last - 1); last = i; }
    const ulps = new RiceEncoder(w, 4);
    for (const i of pos) {
      f64[0] = values[i];
      f64[1] = ints[i] / p;
      const delta = (u32[1] - u32[3]) * TWO32 + (u32[0] - u32[2]);
      if (delta > -MAX_ULPS && delta < MAX_ULPS) {
        w.write(0, 1);
        ulps.put(zigzag(delta));
      } else {
        w.write(1, 1);
        w.write(u32[1], 32);
        w.write(u32[0], 32);
      }
    }
  }
  return writeIntSeries(w, f.ints, n, rangeCoding);
}

export function readDecimalExceptions(r: BitReader, out: Float64Array, n: number, rangeCoded = false): void {
  if (n === 0) return;
  const k = r.read(4);
  if (k > MAX_SCALE) throw new Error(`corrupt chunk: decimal scale ${k} exceeds ${MAX_SCALE}`);
  const p = P10[k];
  const E = r.readLen();
  if (E > n) throw new Error(`corrupt chunk: ${E} exceptions for ${n} samples`);
  const pos = new Uint32Array(E);
  const kind = new Uint8Array(E);
  const a = new Float64Array(E);
  const b = new Float64Array(E);
  if (E > 0) {
    const rice = new RiceDecoder(r);
    let last = -1;
    for (let e = 0; e < E; e++) {
      last += rice.get() + 1;
      if (last >= n) throw new Error(`corrupt chunk: exception position ${last} beyond ${n} samples`);
      pos[e] = last;
    }
    const ulps = new RiceDecoder(r);
    for (let e = 0; e < E; e++) {
      kind[e] = r.read(1);
      if (kind[e] === 0) a[e] = unzigzag(ulps.get());
      else { a[e] = r.read(32); b[e] = r.read(32); }
    }
  }
  readIntSeries(r, out, n, rangeCoded);
  for (let i = 0; i < n; i++) out[i] /= p;
  for (let e = 0; e < E; e++) {
    const i = pos[e];
    if (kind[e] === 0) {
      f64[0] = out[i];
      let lo = u32[0] + a[e];
      const carry = Math.floor(lo / TWO32);
      lo -= carry * TWO32;
      u32[0] = lo;
      u32[1] = (u32[1] + carry) >>> 0;
    } else {
      u32[1] = a[e];
      u32[0] = b[e];
    }
    out[i] = f64[0];
  }
}
