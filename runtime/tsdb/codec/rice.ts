// Adaptive Golomb-Rice coding of non-negative integers (< 2^53), the entropy stage of
// the decimal codec. The Rice parameter follows a running mean of recent values, as in
// JPEG-LS (LOCO-I): no side information besides a 6-bit start parameter, and it adapts
// within a chunk when the signal's noise level changes.
//   value z, parameter k: q = z >> k in unary ('1' × q, then '0'), then the k low bits.
//   When q ≥ ESCAPE the code is '1' × ESCAPE followed by z as a length-prefixed integer
//   (6-bit bit length, then the bits), so outliers cost at most ~ESCAPE + 59 bits.
import { BitReader, BitWriter, bitLength } from './bits';

export const RICE_ESCAPE = 24;
/** Running statistics are halved when the count reaches this, to follow local changes. */
const RESET = 32;
const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

/** k = floor(log2(mean · ln 2)), the Rice parameter closest to optimal for a geometric source. */
function riceK(a: number, n: number): number {
  const m = (a * 0.6931) / n;
  if (m < 1) return 0;
  return bitLength(Math.floor(m)) - 1;
}

export class RiceEncoder {
  private a: number;
  private n = 1;
  constructor(private readonly w: BitWriter, startMean: number) {
    const k0 = bitLength(Math.floor(startMean));
    w.write(k0, 6);
    this.a = POW2[k0];
  }

  put(z: number): void {
    const w = this.w;
    const k = riceK(this.a, this.n);
    const q = k < 31 ? Math.floor(z / POW2[k]) : Math.floor(z / POW2[k]);
    if (q < RICE_ESCAPE) {
      // q ones and a zero in one write (q + 1 ≤ 25 bits)
      w.write(((1 << q) - 1) << 1, q + 1);
      if (k > 0) {
        const rem = z - q * POW2[k];
        if (k <= 32) w.write(rem, k);
        else w.writeBig(rem, k);
      }
    } else {
      w.write((1 << RICE_ESCAPE) - 1, RICE_ESCAPE);
      w.writeLen(z);
    }
    this.a += z;
    if (++this.n >= RESET) { this.a /= 2; this.n /= 2; }
  }
}

/**
 * The bits a RiceEncoder with this start mean writes for the values added, its 6-bit start
 * parameter included, without writing them: an encoder compares candidate sections by size
 * and writes only the one it keeps.
 */
export class RiceSizer {
  bits = 6;
  private a: number;
  private n = 1;
  constructor(startMean: number) {
    this.a = POW2[bitLength(Math.floor(startMean))];
  }

  add(z: number): void {
    const k = riceK(this.a, this.n);
    const q = Math.floor(z / POW2[k]);
    this.bits += q < RICE_ESCAPE ? q + 1 + k : RICE_ESCAPE + 6 + bitLength(z);
    this.a += z;
    if (++this.n >= RESET) { this.a /= 2; this.n /= 2; }
  }
}

export class RiceDecoder {
  private a: number;
  private n = 1;
  constructor(private readonly r: BitReader) {
    this.a = POW2[r.read(6)];
  }

  get(): number {
    const r = this.r;
    const k = riceK(this.a, this.n);
    const ones = Math.clz32(~r.peek32());
    let z: number;
    if (ones < RICE_ESCAPE) {
      r.pos += ones + 1;
      z = k === 0 ? ones : ones * POW2[k] + (k <= 32 ? r.read(k) : r.readBig(k));
    } else {
      r.pos += RICE_ESCAPE;
      z = r.readLen();
    }
    this.a += z;
    if (++this.n >= RESET) { this.a /= 2; this.n /= 2; }
    return z;
  }
}
