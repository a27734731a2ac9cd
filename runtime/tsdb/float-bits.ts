// Integrals against their prediction, as bit-pattern differences. Within a run of evenly
// spaced samples the step integral Σ v[i]·(t[i+1] − t[i]) is step · (sum − last); float
// rounding makes the two differ in the last bits only, so rollup sections and block
// indexes store the difference of the 64-bit patterns (a few units), which decodes to the
// exact integral. Used by rollup-packed.ts and block-index.ts (FORMAT-block.md).

const TWO32 = 4294967296;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** index of the high word of a float64 in u32 (1 on little-endian machines) */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** step · (sum − last) with step = (lastTs − firstTs) / (count − 1); 0 for one sample. */
export function predictIntegral(sum: number, last: number, count: number, firstOff: number, lastOff: number): number {
  return count > 1 ? ((lastOff - firstOff) / (count - 1)) * (sum - last) : 0;
}

/** bits(a) − bits(b) as an integer (|result| < 2^49), or null when the patterns are further apart. */
export function bitsDiff(a: number, b: number): number | null {
  f64[0] = a; const ah = u32[HI], al = u32[1 - HI];
  f64[0] = b; const bh = u32[HI], bl = u32[1 - HI];
  const dh = ah - bh;
  if (Math.abs(dh) >= 2 ** 17) return null;
  return dh * TWO32 + (al - bl);
}

/** The double whose bit pattern is bits(p) + e. */
export function addToBits(p: number, e: number): number {
  f64[0] = p;
  const eh = Math.floor(e / TWO32);
  let lo = u32[1 - HI] + (e - eh * TWO32);
  let hi = u32[HI] + eh;
  if (lo >= TWO32) { lo -= TWO32; hi++; }
  if (hi < 0 || hi >= TWO32) throw new Error('integral bit pattern out of range');
  u32[HI] = hi; u32[1 - HI] = lo;
  return f64[0];
}
