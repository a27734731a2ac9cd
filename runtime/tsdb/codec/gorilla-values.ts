// Value stream of the Gorilla paper (Pelkonen et al., VLDB 2015, §4.1.2): the first
// value in 64 raw bits, then each value XORed with its predecessor:
//   '0'                         identical value
//   '10' + meaningful bits      the XOR fits the previous leading/trailing-zero window
//   '11' + 5 bits leading zeros + 6 bits meaningful length (64 stored as 0) + bits
// float64 bit patterns are handled as (hi, lo) 32-bit halves of a little-endian view.
import { BitReader, BitWriter } from './bits';
import { scratchF64 } from './scratch';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('tsdb codecs assume a little-endian platform');
}

/** float64 bit patterns of `values[0..n)` as little-endian (lo, hi) uint32 pairs. */
export function float64Bits(values: ArrayLike<number>, n: number): Uint32Array {
  const f = scratchF64(n);
  for (let i = 0; i < n; i++) f[i] = values[i];
  return new Uint32Array(f.buffer, f.byteOffset, 2 * n);
}

export function writeGorillaValues(w: BitWriter, values: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  const u = float64Bits(values, n);
  let prevLo = u[0];
  let prevHi = u[1];
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let lead = -1; // no window yet
  let trail = 0;
  for (let i = 1; i < n; i++) {
    const lo = u[2 * i];
    const hi = u[2 * i + 1];
    const xHi = (hi ^ prevHi) >>> 0;
    const xLo = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xHi === 0 && xLo === 0) {
      w.write(0, 1);
      continue;
    }
    let l = xHi !== 0 ? Math.clz32(xHi) : 32 + Math.clz32(xLo);
    const t = xLo !== 0 ? 31 - Math.clz32(xLo & -xLo) : 32 + 31 - Math.clz32(xHi & -xHi);
    if (l > 31) l = 31; // 5-bit field, as in the paper
    if (lead >= 0 && l >= lead && t >= trail) {
      w.write(2, 2);
      writeRange(w, xHi, xLo, trail, 64 - lead - trail);
    } else {
      lead = l;
      trail = t;
      const len = 64 - l - t;
      w.write(3, 2);
      w.write(l, 5);
      w.write(len & 63, 6);
      writeRange(w, xHi, xLo, t, len);
    }
  }
}

/** Writes bits [t, t+len) of the 64-bit (hi, lo), most significant first. */
function writeRange(w: BitWriter, hi: number, lo: number, t: number, len: number): void {
  let sHi: number;
  let sLo: number;
  if (t >= 32) {
    sHi = 0;
    sLo = hi >>> (t - 32);
  } else if (t > 0) {
    sLo = ((lo >>> t) | (hi << (32 - t))) >>> 0;
    sHi = hi >>> t;
  } else {
    sLo = lo;
    sHi = hi;
  }
  if (len > 32) {
    w.write(sHi, len - 32);
    w.write(sLo, 32);
  } else {
    w.write(sLo, len);
  }
}

export function readGorillaValues(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  const u = new Uint32Array(out.buffer, out.byteOffset, n * 2);
  let hi = r.read(32);
  let lo = r.read(32);
  u[0] = lo;
  u[1] = hi;
  let lead = -1;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    if (r.readBit() === 1) {
      if (r.readBit() === 1) {
        lead = r.read(5);
        let len = r.read(6);
        if (len === 0) len = 64;
        trail = 64 - lead - len;
        if (trail < 0) throw new Error(`corrupt chunk: Gorilla value window ${lead}+${len} exceeds 64 bits at sample ${i}`);
      } else if (lead < 0) {
        throw new Error(`corrupt chunk: Gorilla value ${i} reuses a window before one was set`);
      }
      const len = 64 - lead - trail;
      let xHi: number;
      let xLo: number;
      // read `len` bits and shift them left by `trail`
      if (len > 32) {
        const a = r.read(len - 32);
        const b = r.read(32);
        // value = a * 2^32 + b, shifted by trail (trail ≤ 32 - (len - 32) here)
        if (trail === 0) { xHi = a; xLo = b; } else {
          xHi = ((a << trail) | (b >>> (32 - trail))) >>> 0;
          xLo = (b << trail) >>> 0;
        }
      } else {
        const b = r.read(len);
        if (trail >= 32) { xHi = (b << (trail - 32)) >>> 0; xLo = 0; } else if (trail === 0) { xHi = 0; xLo = b; } else {
          xHi = b >>> (32 - trail);
          xLo = (b << trail) >>> 0;
        }
      }
      hi = (hi ^ xHi) >>> 0;
      lo = (lo ^ xLo) >>> 0;
    }
    u[2 * i] = lo;
    u[2 * i + 1] = hi;
  }
}
