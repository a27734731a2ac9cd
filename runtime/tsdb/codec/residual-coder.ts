// Context-modelled coding of a predictor's integer residuals with the range coder
// (chunk format 3, FORMAT-chunk.md "Range-coded residuals"). Rice coding spends at least
// one bit a residual and assumes a geometric distribution around a running mean; sensor
// residuals are often mostly 0 and ±1 (slow signals at their resolution), follow patterns
// (a totaliser's steps alternate 1, 2, 1, 1, 2), or change noise level with the process.
// Here each residual r is binarised (CABAC-like) as
//   e = bit length of |r| (0..53), 6 adaptive bits (a binary tree), in a context given by
//       the bit length of |r| of the previous two residuals summed (the local magnitude);
//   the 3 bits of |r| below its leading one, adaptive per e;
//   the remaining low bits raw (they are close to uniform), after the range-coded bytes;
//   the sign (r ≠ 0), adaptive per (sign of the previous residual, min(e, 3)).
// No parameter is fitted offline: every probability starts at 1/2 and adapts to the chunk.
import { bitLength, BitReader, BitWriter } from './bits';
import { BitModels, RangeDecoder, RangeEncoder } from './range-coder';

/** Largest residual bit length (|r| < 2^53). */
const MAX_E = 53;
const MAG_CONTEXTS = 56;
const MANTISSA_BITS = 3;
const SIGN_CONTEXTS = 3 * 4;
const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

class Model {
  readonly exp = new BitModels(MAG_CONTEXTS * 64);
  readonly mant = new BitModels((MAX_E + 1) * 8);
  readonly sign = new BitModels(SIGN_CONTEXTS);
}

function signContext(prevSign: number, e: number): number {
  return prevSign * 4 + (e < 3 ? e : 3);
}

/**
 * Codes residuals res[from..to) (integers, |r| < 2^53): returns the range-coded bytes and
 * the raw low bits, which follow the bytes in the chunk.
 */
export function encodeResiduals(res: Float64Array, from: number, to: number): { bytes: Uint8Array; raw: BitWriter } {
  const enc = new RangeEncoder((to - from) >>> 1);
  const raw = new BitWriter(16);
  const m = new Model();
  let a1 = 0;
  let a2 = 0;
  let prevSign = 0;
  for (let i = from; i < to; i++) {
    const r = res[i];
    const a = r < 0 ? -r : r;
    const e = bitLength(a);
    const base = bitLength(a1 + a2) * 64;
    let node = 1;
    for (let k = 5; k >= 0; k--) {
      const b = (e >>> k) & 1;
      enc.bit(m.exp, base + node, b);
      node = node * 2 + b;
    }
    if (e > 1) {
      const rest = e - 1;
      const top = rest < MANTISSA_BITS ? rest : MANTISSA_BITS;
      const low = rest - top;
      let topBits: number;
      if (e <= 31) {
        topBits = (a >>> low) & ((1 << top) - 1);
        if (low > 0) raw.write(a & ((1 << low) - 1), low);
      } else {
        const scale = POW2[low];
        topBits = Math.floor(a / scale) - POW2[top];
        raw.writeBig(a % scale, low);
      }
      const mbase = e * 8;
      let mnode = 1;
      for (let k = top - 1; k >= 0; k--) {
        const b = (topBits >>> k) & 1;
        enc.bit(m.mant, mbase + mnode, b);
        mnode = mnode * 2 + b;
      }
    }
    if (e > 0) {
      const s = r < 0 ? 1 : 0;
      enc.bit(m.sign, signContext(prevSign, e), s);
      prevSign = 1 + s;
    } else prevSign = 0;
    a2 = a1;
    a1 = a;
  }
  return { bytes: enc.finish(), raw };
}

/** Decodes `count` residuals into out[from..from + count), reading the raw low bits from `raw`. */
export function decodeResiduals(buf: Uint8Array, start: number, end: number, raw: BitReader, out: Float64Array, from: number, count: number): void {
  const dec = new RangeDecoder(buf, start, end);
  const m = new Model();
  let a1 = 0;
  let a2 = 0;
  let prevSign = 0;
  for (let i = from, to = from + count; i < to; i++) {
    const base = bitLength(a1 + a2) * 64;
    let node = 1;
    for (let k = 0; k < 6; k++) node = node * 2 + dec.bit(m.exp, base + node);
    const e = node - 64;
    let a = 0;
    if (e > MAX_E) throw new Error(`corrupt chunk: residual of ${e} bits`);
    if (e === 1) a = 1;
    else if (e > 1) {
      const rest = e - 1;
      const top = rest < MANTISSA_BITS ? rest : MANTISSA_BITS;
      const low = rest - top;
      let mnode = 1;
      for (let k = 0; k < top; k++) mnode = mnode * 2 + dec.bit(m.mant, e * 8 + mnode);
      a = e <= 31
        ? ((1 << rest) | ((mnode - (1 << top)) << low) | (low > 0 ? raw.read(low) : 0)) >>> 0
        : POW2[rest] + (mnode - (1 << top)) * POW2[low] + raw.readBig(low);
    }
    let r = a;
    if (e > 0) {
      const s = dec.bit(m.sign, signContext(prevSign, e));
      if (s) r = -a;
      prevSign = 1 + s;
    } else prevSign = 0;
    out[i] = r;
    a2 = a1;
    a1 = a;
  }
}
