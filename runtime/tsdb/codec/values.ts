// Picks the value codec per chunk (the smallest of the candidates that apply) and
// dispatches decoding by codec id.
import { BitReader, BitWriter, appendBits } from './bits';
import {
  countRuns, decimalBits, dictionaryBits, dictionaryForm, distinctInts, readDecimal, readDecimalRuns, readDictionary,
  toDecimal, writeDecimal, writeDecimalRuns, writeDictionary,
} from './decimal';
import { exceptionForm, exceptionScales, readDecimalExceptions, scaleProfile, writeDecimalExceptions } from './decimal-exceptions';
import { float64Bits, readGorillaValues, writeGorillaValues } from './gorilla-values';

export const V_XOR = 0;
export const V_CONST = 1;
export const V_DECIMAL = 2;
export const V_DECIMAL_RUNS = 3;
export const V_DICT = 4;
/** chunk format ≥ 2 */
export const V_DECIMAL_EXC = 5;
/** chunk format 3: DECIMAL, DICT and DECIMAL_EXC with range-coded residuals (FORMAT-chunk.md) */
export const V_DECIMAL_RC = 6;
export const V_DICT_RC = 7;
export const V_DECIMAL_EXC_RC = 8;

function allIdenticalBits(values: ArrayLike<number>, n: number): boolean {
  if (n === 0) return true;
  const u = float64Bits(values, n);
  for (let i = 1; i < n; i++) if (u[2 * i] !== u[0] || u[2 * i + 1] !== u[1]) return false;
  return true;
}

/** Writes the value section onto `w` and returns the codec id used. */
const XOR_CHECK_BITS = 12;
/** up to this exact scale a chunk keeps it: a smaller scale would save at most ~10 bits a value */
const SMALL_SCALE = 3;
/**
 * Shorter chunks are not range coded: the adaptive models start at 1/2 and the coder
 * flushes ~4 bytes, so below a few hundred samples it seldom wins, and the engine's head
 * chunks (128 samples, encoded on the ingest path) would pay its cost for nothing.
 */
const RC_MIN_SAMPLES = 256;
/**
 * From this length a chunk's Rice coded candidates are sized, not written, before range
 * coding is tried: range coding won 70–94 % of the 2048-sample chunks of five benchmark data
 * sets (plant, SKAB, NAB, slow and hourly tags), 1–59 % at 256–512 samples, where sizing
 * and then writing the Rice section kept would cost more than writing it once.
 */
const SIZE_FIRST_SAMPLES = 2048;

/**
 * `rangeCoding` admits codecs 6–8 (chunk format 3); without it the section uses ids 0–5
 * only, as packed formats that store the id in 3 bits (rollup sections) require.
 */
export function writeValues(w: BitWriter, values: ArrayLike<number>, n: number, rangeCoding = false): number {
  if (allIdenticalBits(values, n)) {
    if (n > 0) writeGorillaValues(w, values, 1);
    return V_CONST;
  }
  // values that round-trip only at a large scale, or not at all, may be cheaper as
  // exceptions to a smaller scale; each candidate is measured, never guessed
  const d = toDecimal(values, n);
  // the per-value scale profile costs a pass over the chunk: it is taken only where a
  // smaller scale could pay, i.e. no exact scale exists (float artefacts) or a large one
  const profile = d === null || d.scale > SMALL_SCALE ? scaleProfile(values, n) : null;
  let best: Section | null = null;
  let codec = V_XOR;
  const tryRc = rangeCoding && n >= RC_MIN_SAMPLES;
  // in long chunks range coding usually wins: the Rice coded sections it is compared with
  // are then sized first, and written only if one of them is kept
  const sized = tryRc && n >= SIZE_FIRST_SAMPLES;
  // candidates are first compared by their Rice coding (kept when nothing beats it); then
  // each is range coded too, as its gain differs widely between candidates (an exception
  // scale with many exceptions may win only once its integer series is range coded)
  const rcTries: Array<{ id: number; write: (w: BitWriter) => boolean }> = [];
  if (d !== null) {
    best = section((alt) => writeDecimal(alt, d, n), (n >>> 2) + 8, sized ? () => decimalBits(d, n) : null);
    codec = V_DECIMAL;
    const plainBits = best.bits;
    rcTries.push({ id: V_DECIMAL_RC, write: (alt) => writeDecimal(alt, d, n, true) });
    const runs = countRuns(d.ints, n);
    if (runs * 4 < n) {
      const alt = section((a) => writeDecimalRuns(a, d, n, runs), runs + 8, null);
      if (alt.bits < best.bits) { best = alt; codec = V_DECIMAL_RUNS; }
    }
    const dict = runs > 2 ? distinctInts(d.ints, n, n >>> 2) : null;
    if (dict !== null) {
      const f = dictionaryForm(d, dict, n);
      const alt = section((a) => writeDictionary(a, d, f, n), (n >>> 3) + dict.length + 8, sized ? () => dictionaryBits(f, n) : null);
      // range coded only where its Rice coding beat the plain integers': a dictionary of
      // nearly every value in its range (a noisy 2-decimal sensor) indexes almost the same
      // series plus the dictionary, and range coding gains alike on both (measured on the
      // benchmark data sets: no chunk larger, half the range coding of such chunks saved)
      if (alt.bits < plainBits) rcTries.push({ id: V_DICT_RC, write: (a) => writeDictionary(a, d, f, n, true) });
      if (alt.bits < best.bits) { best = alt; codec = V_DICT; }
    }
  }
  if (n > 1 && profile) {
    for (const k of exceptionScales(profile.histogram, n)) {
      if (d !== null && k >= d.scale) continue;
      const f = exceptionForm(values, n, k);
      if (f === null) continue;
      const alt = section((a) => writeDecimalExceptions(a, values, n, f), (n >>> 2) + 8, null);
      rcTries.push({ id: V_DECIMAL_EXC_RC, write: (a) => writeDecimalExceptions(a, values, n, f, true) });
      if (best === null || alt.bits < best.bits) { best = alt; codec = V_DECIMAL_EXC; }
    }
  }
  if (tryRc && best !== null) {
    for (const t of rcTries) {
      const alt = new BitWriter((best.bits >>> 5) + 8);
      // kept only when strictly smaller than the best section so far
      if (t.write(alt) === true && alt.pos < best.bits) { best = { bits: alt.pos, out: alt, write: null }; codec = t.id; }
    }
  }
  // compared with its XOR coding whenever that could be smaller: XOR needs 2 bits plus the
  // changed mantissa bits for every value that changes (usually 12 or more), so a decimal
  // section under 12 bits a value is kept without encoding XOR too (that costs as much
  // as the decimal coding itself, and ingest pays it for every chunk)
  if (best === null || best.bits > XOR_CHECK_BITS * n) {
    const alt = new BitWriter(n * 2 + 8);
    writeGorillaValues(alt, values, n);
    if (best === null || alt.pos <= best.bits) { best = { bits: alt.pos, out: alt, write: null }; codec = V_XOR; }
  }
  if (best.out) appendBits(w, best.out);
  else best.write!(w);
  return codec;
}

/** A candidate value section: written (`out`), or only sized, with how to write it. */
interface Section { bits: number; out: BitWriter | null; write: ((w: BitWriter) => unknown) | null }

/** A candidate section: written now, or, given `size`, only sized (written if it is kept). */
function section(write: (w: BitWriter) => unknown, capacity: number, size: (() => number) | null): Section {
  if (size) return { bits: size(), out: null, write };
  const out = new BitWriter(capacity);
  write(out);
  return { bits: out.pos, out, write: null };
}

export function readValues(r: BitReader, codec: number, out: Float64Array, n: number): void {
  switch (codec) {
    case V_XOR: readGorillaValues(r, out, n); return;
    case V_CONST:
      if (n > 0) { readGorillaValues(r, out, 1); out.fill(out[0]); }
      return;
    case V_DECIMAL: readDecimal(r, out, n); return;
    case V_DECIMAL_RUNS: readDecimalRuns(r, out, n); return;
    case V_DICT: readDictionary(r, out, n); return;
    case V_DECIMAL_EXC: readDecimalExceptions(r, out, n); return;
    case V_DECIMAL_RC: readDecimal(r, out, n, true); return;
    case V_DICT_RC: readDictionary(r, out, n, true); return;
    case V_DECIMAL_EXC_RC: readDecimalExceptions(r, out, n, true); return;
    default: throw new Error(`corrupt chunk: unknown value codec ${codec}`);
  }
}
