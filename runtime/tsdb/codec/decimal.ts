// Decimal-aware value coding. Sensor values are usually decimals printed at a fixed
// number of digits (0.202394, 238.852); as float64 their low mantissa bits look random,
// which defeats XOR coding. Scaled by 10^k they are small integers m, and
// m / 10^k reproduces the original double exactly (division is correctly rounded and
// 10^k is exact), which the encoder verifies value by value.
//
// V_DECIMAL: k, a predictor, then residuals m[i] − prediction, zig-zag mapped and
// adaptive-Rice coded. Predictors (chosen per chunk by the smallest sum of |residual|):
//   P_AR    prediction = c + round(j/8 · (m[i−1] − c)), j = 0..8: j = 8 is the plain
//           delta, j = 0 the level around c; in between suits noisy, mean-reverting
//           sensors (a first-order autoregressive model).
//   P_DOD   prediction = 2·m[i−1] − m[i−2] (smooth ramps).
// V_DECIMAL_RUNS: k, then runs of equal values (step signals, booleans, setpoints).
import { appendBits, bitLength, BitReader, BitWriter, unzigzag, zigzag } from './bits';
import { decodeResiduals, encodeResiduals } from './residual-coder';
import { RiceDecoder, RiceEncoder, RiceSizer } from './rice';
import { scratchF64 } from './scratch';

export const MAX_SCALE = 12;
/** |m| stays below this so deltas and zig-zag values are exact doubles. */
const MAX_INT = 2 ** 50;
const P10: number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

const P_AR = 0;
const P_DOD = 1;

export interface DecimalForm {
  scale: number;
  ints: Float64Array;
  /** the integers as prepared for coding, once a codec has asked */
  series?: IntSeries;
}

/** The smallest scale k at which every value is an exact decimal, or null. */
export function toDecimal(values: ArrayLike<number>, n: number): DecimalForm | null {
  // pass 1: the largest per-value minimal scale; a value exact at scale k is exact at
  // every larger scale while |m| < 2^50, so each value is usually checked once
  let k = 0;
  let p = 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Math.round(v * p) / p === v) continue;
    if (!Number.isFinite(v)) return null;
    for (k++; k <= MAX_SCALE; k++) {
      p = P10[k];
      if (Math.round(v * p) / p === v) break;
    }
    if (k > MAX_SCALE) return null;
  }
  // pass 2: the integers at the final scale, each verified to decode to the same bits
  const ints = scratchF64(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const m = Math.round(v * p);
    if (m / p !== v || m >= MAX_INT || m <= -MAX_INT || (v === 0 && 1 / v < 0)) return null;
    ints[i] = m;
  }
  return { scale: k, ints };
}

/** Runs of equal consecutive integers. */
export function countRuns(ints: Float64Array, n: number): number {
  let runs = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (ints[i] !== ints[i - 1]) runs++;
  return runs;
}

interface Predictor { kind: number; j: number; c: number; cost: number }

/** Sum of |residual| under AR weight j/8 around c; stops once it reaches `bound` (it cannot win then). */
function arCost(m: Float64Array, n: number, c: number, j: number, bound = Infinity): number {
  let s = 0;
  if (j === 8) { for (let i = 1; i < n; i++) s += Math.abs(m[i] - m[i - 1]); return s; }
  if (j === 0) { for (let i = 1; i < n && s < bound; i++) s += Math.abs(m[i] - c); return s; }
  for (let i = 1; i < n && s < bound; i++) s += Math.abs(m[i] - c - Math.round((j * (m[i - 1] - c)) / 8));
  return s;
}

function choosePredictor(m: Float64Array, n: number): Predictor {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += m[i];
  const c = Math.round(sum / n);
  // lag-1 autocorrelation suggests j; its neighbours and the extremes are tried too
  let num = 0;
  let den = 0;
  for (let i = 1; i < n; i++) { num += (m[i] - c) * (m[i - 1] - c); den += (m[i - 1] - c) * (m[i - 1] - c); }
  const rho = den > 0 ? num / den : 1;
  const j0 = Math.max(0, Math.min(8, Math.round(rho * 8)));
  let best: Predictor = { kind: P_AR, j: 8, c, cost: arCost(m, n, c, 8) };
  for (const j of new Set([0, j0 - 1, j0, j0 + 1])) {
    if (j < 0 || j > 7) continue;
    const cost = arCost(m, n, c, j, best.cost);
    if (cost < best.cost) best = { kind: P_AR, j, c, cost };
  }
  if (n > 2) {
    let s = Math.abs(m[1] - m[0]);
    for (let i = 2; i < n && s < best.cost; i++) s += Math.abs(m[i] - 2 * m[i - 1] + m[i - 2]);
    if (s < best.cost) best = { kind: P_DOD, j: 0, c: 0, cost: s };
  }
  return best;
}

function writeSigned(w: BitWriter, v: number): void {
  w.writeLen(zigzag(v));
}

function readSigned(r: BitReader): number {
  return unzigzag(r.readLen());
}

/**
 * An integer series (|m| < 2^50) with its predictor chosen, and its residuals made, at most
 * once: a chunk's encoder codes the same series Rice coded and range coded and keeps the
 * smaller, and choosing the predictor costs as much as Rice coding.
 */
export class IntSeries {
  private p: Predictor | null = null;
  private res: Float64Array | null = null;
  constructor(readonly m: Float64Array, readonly n: number) {}
  get predictor(): Predictor { return (this.p ??= choosePredictor(this.m, this.n)); }
  get residuals(): Float64Array { return (this.res ??= residuals(this.m, this.n, this.predictor)); }
}

/**
 * An integer series (|m| < 2^50): first value, predictor choice, coded residuals: Rice
 * coded, or with `rangeCoding` range coded (format 3; the caller keeps whichever section
 * is smaller). Returns whether the residuals are range coded.
 */
export function writeIntSeries(w: BitWriter, m: Float64Array | IntSeries, n: number, rangeCoding = false): boolean {
  const s = m instanceof IntSeries ? m : new IntSeries(m, n);
  writeSigned(w, s.m[0]);
  if (n === 1) return false;
  const p = s.predictor;
  w.write(p.kind, 1);
  if (!rangeCoding) {
    writeRiceResiduals(w, s.m, n, p);
    return false;
  }
  const { bytes, raw } = encodeResiduals(s.residuals, 1, n);
  if (p.kind === P_AR) {
    w.write(p.j, 4);
    if (p.j !== 8) writeSigned(w, p.c);
  }
  w.writeLen(bytes.length);
  for (let i = 0; i < bytes.length; i++) w.write(bytes[i], 8);
  appendBits(w, raw);
  return true;
}

/** Bits writeIntSeries writes for `s` Rice coded (`rangeCoding` false), without writing them. */
export function intSeriesBits(s: IntSeries, n: number): number {
  let bits = signedBits(s.m[0]);
  if (n === 1) return bits;
  const p = s.predictor;
  bits += 1;
  if (p.kind === P_AR) bits += 4 + (p.j !== 8 ? signedBits(p.c) : 0);
  const rice = new RiceSizer((2 * p.cost) / (n - 1));
  const res = s.residuals;
  for (let i = 1; i < n; i++) rice.add(zigzag(res[i]));
  return bits + rice.bits;
}

function signedBits(v: number): number {
  return 6 + bitLength(zigzag(v));
}

/** Residuals of samples 1..n−1 under predictor `p` (index 0 unused). */
function residuals(m: Float64Array, n: number, p: Predictor): Float64Array {
  const res = scratchF64(n);
  if (p.kind === P_DOD) {
    res[1] = m[1] - m[0];
    for (let i = 2; i < n; i++) res[i] = m[i] - 2 * m[i - 1] + m[i - 2];
    return res;
  }
  const c = p.c;
  const j = p.j;
  if (j === 8) for (let i = 1; i < n; i++) res[i] = m[i] - m[i - 1];
  else if (j === 0) for (let i = 1; i < n; i++) res[i] = m[i] - c;
  else for (let i = 1; i < n; i++) res[i] = m[i] - c - Math.round((j * (m[i - 1] - c)) / 8);
  return res;
}

function writeRiceResiduals(w: BitWriter, m: Float64Array, n: number, p: Predictor): void {
  const rice = new RiceEncoder(w, (2 * p.cost) / (n - 1));
  if (p.kind === P_DOD) {
    rice.put(zigzag(m[1] - m[0]));
    for (let i = 2; i < n; i++) rice.put(zigzag(m[i] - 2 * m[i - 1] + m[i - 2]));
    return;
  }
  w.write(p.j, 4);
  const c = p.c;
  const j = p.j;
  if (j !== 8) writeSigned(w, c);
  if (j === 8) for (let i = 1; i < n; i++) rice.put(zigzag(m[i] - m[i - 1]));
  else if (j === 0) for (let i = 1; i < n; i++) rice.put(zigzag(m[i] - c));
  else for (let i = 1; i < n; i++) rice.put(zigzag(m[i] - c - Math.round((j * (m[i - 1] - c)) / 8)));
}

/** Reads an integer series written by writeIntSeries; `rangeCoded` as it returned. */
export function readIntSeries(r: BitReader, out: Float64Array, n: number, rangeCoded = false): void {
  let prev = readSigned(r);
  out[0] = prev;
  if (n === 1) return;
  const kind = r.read(1);
  if (rangeCoded) { readRangeCoded(r, out, n, kind); return; }
  const rice = new RiceDecoder(r);
  if (kind === P_DOD) {
    let delta = unzigzag(rice.get());
    prev += delta;
    out[1] = prev;
    for (let i = 2; i < n; i++) {
      delta += unzigzag(rice.get());
      prev += delta;
      out[i] = prev;
    }
    return;
  }
  const j = readWeight(r);
  const c = j !== 8 ? readSigned(r) : 0;
  if (j === 8) {
    for (let i = 1; i < n; i++) out[i] = prev += unzigzag(rice.get());
  } else if (j === 0) {
    for (let i = 1; i < n; i++) out[i] = c + unzigzag(rice.get());
  } else {
    for (let i = 1; i < n; i++) out[i] = prev = c + Math.round((j * (prev - c)) / 8) + unzigzag(rice.get());
  }
}

function readWeight(r: BitReader): number {
  const j = r.read(4);
  if (j > 8) throw new Error(`corrupt chunk: predictor weight ${j}/8 exceeds 1`);
  return j;
}

function readRangeCoded(r: BitReader, out: Float64Array, n: number, kind: number): void {
  const j = kind === P_AR ? readWeight(r) : 0;
  const c = kind === P_AR && j !== 8 ? readSigned(r) : 0;
  const len = r.readLen();
  if (len * 8 > r.limit - r.pos) throw new Error(`corrupt chunk: ${len} range-coded bytes exceed the chunk`);
  const bytes = new Uint8Array(len);
  for (let i = 0; i < len; i++) bytes[i] = r.read(8);
  decodeResiduals(bytes, 0, len, r, out, 1, n - 1);
  let prev = out[0];
  if (kind === P_DOD) {
    let delta = 0;
    for (let i = 1; i < n; i++) { delta += out[i]; out[i] = prev += delta; }
  } else if (j === 8) {
    for (let i = 1; i < n; i++) out[i] = prev += out[i];
  } else if (j === 0) {
    for (let i = 1; i < n; i++) out[i] += c;
  } else {
    for (let i = 1; i < n; i++) out[i] = prev = c + Math.round((j * (prev - c)) / 8) + out[i];
  }
}

function readScale(r: BitReader): number {
  const scale = r.read(4);
  if (scale > MAX_SCALE) throw new Error(`corrupt chunk: decimal scale ${scale} exceeds ${MAX_SCALE}`);
  return P10[scale];
}

/** V_DECIMAL value section for n ≥ 1 values: scale, then the integer series. */
export function writeDecimal(w: BitWriter, d: DecimalForm, n: number, rangeCoding = false): boolean {
  w.write(d.scale, 4);
  return writeIntSeries(w, (d.series ??= new IntSeries(d.ints, n)), n, rangeCoding);
}

/** Bits writeDecimal writes (Rice coded), without writing them. */
export function decimalBits(d: DecimalForm, n: number): number {
  return 4 + intSeriesBits((d.series ??= new IntSeries(d.ints, n)), n);
}

export function readDecimal(r: BitReader, out: Float64Array, n: number, rangeCoded = false): void {
  if (n === 0) return;
  const p = readScale(r);
  readIntSeries(r, out, n, rangeCoded);
  for (let i = 0; i < n; i++) out[i] /= p;
}

// Hash set of distinctInts, kept between calls (a chunk asks once per encoding): keys and
// whether a slot is taken, sized for the largest `max` seen; only used slots are cleared.
let setKeys = new Float64Array(0);
let setUsed = new Uint8Array(0);
let setSlots = new Int32Array(0);

/**
 * Sorted distinct integers, or null when there are more than `max`. Collected in a hash set
 * that gives up at max + 1: most chunks have many distinct values, and sorting all of them
 * to find out cost a tenth of cutting a head into blocks.
 */
export function distinctInts(m: Float64Array, n: number, max: number): Float64Array | null {
  let bits = 4;
  while (1 << bits < 2 * (max + 1)) bits++;
  const cap = 1 << bits, mask = cap - 1;
  if (setKeys.length < cap) { setKeys = new Float64Array(cap); setUsed = new Uint8Array(cap); }
  if (setSlots.length < max + 1) setSlots = new Int32Array(max + 1);
  const keys = setKeys, used = setUsed, slots = setSlots;
  let d = 0;
  let over = false;
  for (let i = 0; i < n; i++) {
    const v = m[i];
    // integers below 2^53: both 32-bit halves feed the hash
    let h = Math.imul((v | 0) ^ ((v / 4294967296) | 0), 0x9e3779b1) >>> (32 - bits);
    while (used[h] && keys[h] !== v) h = (h + 1) & mask;
    if (used[h]) continue;
    if (d === max) { over = true; break; }
    used[h] = 1; keys[h] = v; slots[d++] = h;
  }
  const out = over ? null : new Float64Array(d);
  for (let k = 0; k < d; k++) {
    if (out) out[k] = keys[slots[k]];
    used[slots[k]] = 0;
  }
  return out ? out.sort() : null;
}

/** A chunk's sorted distinct integers and each sample's index into them (V_DICT). */
export interface DictionaryForm { dict: Float64Array; index: IntSeries }

export function dictionaryForm(d: DecimalForm, dict: Float64Array, n: number): DictionaryForm {
  const idx = scratchF64(n);
  const m = d.ints;
  const lo = dict[0], span = dict[dict.length - 1] - lo;
  if (span < 4 * n) {
    // values within a few times n of each other (the usual case): a table, not a map
    const at = new Int32Array(span + 1);
    for (let i = 0; i < dict.length; i++) at[dict[i] - lo] = i;
    for (let i = 0; i < n; i++) idx[i] = at[m[i] - lo];
  } else {
    const at = new Map<number, number>();
    for (let i = 0; i < dict.length; i++) at.set(dict[i], i);
    for (let i = 0; i < n; i++) idx[i] = at.get(m[i])!;
  }
  return { dict, index: new IntSeries(idx, n) };
}

/**
 * V_DICT value section: scale, the sorted distinct integers (first, then Rice-coded gaps),
 * then each sample's dictionary index as an integer series. Suits quantised sensors
 * (an ADC step that is not a round decimal) and multi-level signals.
 */
export function writeDictionary(w: BitWriter, d: DecimalForm, f: DictionaryForm, n: number, rangeCoding = false): boolean {
  const dict = f.dict;
  w.write(d.scale, 4);
  const D = dict.length;
  w.writeLen(D);
  writeSigned(w, dict[0]);
  if (D > 1) {
    const rice = new RiceEncoder(w, (dict[D - 1] - dict[0]) / (D - 1));
    for (let i = 1; i < D; i++) rice.put(dict[i] - dict[i - 1] - 1);
  }
  return writeIntSeries(w, f.index, n, rangeCoding);
}

/** Bits writeDictionary writes (Rice coded), without writing them. */
export function dictionaryBits(f: DictionaryForm, n: number): number {
  const dict = f.dict;
  const D = dict.length;
  let bits = 4 + 6 + bitLength(D) + signedBits(dict[0]);
  if (D > 1) {
    const rice = new RiceSizer((dict[D - 1] - dict[0]) / (D - 1));
    for (let i = 1; i < D; i++) rice.add(dict[i] - dict[i - 1] - 1);
    bits += rice.bits;
  }
  return bits + intSeriesBits(f.index, n);
}

export function readDictionary(r: BitReader, out: Float64Array, n: number, rangeCoded = false): void {
  if (n === 0) return;
  const p = readScale(r);
  const D = r.readLen();
  if (D === 0 || D > n) throw new Error(`corrupt chunk: dictionary of ${D} values for ${n} samples`);
  const dict = new Float64Array(D);
  let v = readSigned(r);
  dict[0] = v / p;
  if (D > 1) {
    const rice = new RiceDecoder(r);
    for (let i = 1; i < D; i++) { v += rice.get() + 1; dict[i] = v / p; }
  }
  readIntSeries(r, out, n, rangeCoded);
  for (let i = 0; i < n; i++) {
    const k = out[i];
    if (!(k >= 0 && k < D)) throw new Error(`corrupt chunk: dictionary index ${k} out of range 0..${D - 1} at sample ${i}`);
    out[i] = dict[k];
  }
}

/** V_DECIMAL_RUNS value section for n ≥ 1 values: k, run count, (signed step, length) pairs. */
export function writeDecimalRuns(w: BitWriter, d: DecimalForm, n: number, runs: number): void {
  const m = d.ints;
  w.write(d.scale, 4);
  w.writeLen(runs);
  let prev = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && m[j] === m[i]) j++;
    writeSigned(w, m[i] - prev);
    w.writeLen(j - i);
    prev = m[i];
    i = j;
  }
}

export function readDecimalRuns(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  const p = readScale(r);
  const runs = r.readLen();
  let prev = 0;
  let i = 0;
  for (let k = 0; k < runs; k++) {
    prev += readSigned(r);
    const len = r.readLen();
    if (len === 0 || i + len > n) throw new Error(`corrupt chunk: value run ${k} of length ${len} overflows ${n} samples`);
    out.fill(prev / p, i, i + len);
    i += len;
  }
  if (i !== n) throw new Error(`corrupt chunk: value runs cover ${i} of ${n} samples`);
}

