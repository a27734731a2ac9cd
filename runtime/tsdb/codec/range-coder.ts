// Binary adaptive range coder (chunk format 3), the entropy stage that can spend less than
// one bit on a residual and follows skewed, context-dependent distributions, where the
// Rice coder (rice.ts) spends at least one bit and models only a running mean.
//
// The coder is LZMA's (Igor Pavlov; 32-bit range, carry propagated through a cached byte),
// with 15-bit probabilities. Each adaptive bit keeps a 16-bit estimate of P(0) and a use
// count; the estimate moves toward each coded bit by 1/2^s of the distance, s growing with
// the count (about 1/(count + 2), a frequency count while the bit is new) up to 6, a
// window of ~64 uses that still follows a process changing its noise level. Everything is
// integer arithmetic on values below 2^53, so encoder and decoder agree bit for bit.

import { scratchU16, scratchU8 } from './scratch';

/** Probability state of a set of adaptive bits: a 16-bit estimate of P(0) and a use count each. */
export class BitModels {
  readonly p: Uint16Array;
  readonly count: Uint8Array;
  constructor(size: number) {
    this.p = scratchU16(size).fill(32768);
    this.count = scratchU8(size);
  }
}

const MAX_SHIFT = 6;
/** adaptation shift by use count */
export const SHIFT = new Uint8Array(256);
for (let c = 0; c < 256; c++) SHIFT[c] = Math.min(MAX_SHIFT, 31 - Math.clz32(c + 2));
export const TOP = 1 << 24;
const TWO32 = 4294967296;

/** Probability of a 0 (1..32767 of 32768) of adaptive bit `i`. */
function probability(m: BitModels, i: number): number {
  const p = m.p[i] >>> 1;
  return p === 0 ? 1 : p;
}

/** Moves the estimate of adaptive bit `i` toward `bit` (16-bit state stays in 0..65535). */
function update(m: BitModels, i: number, bit: number): void {
  const c = m.count[i];
  const sh = SHIFT[c];
  if (c < 255) m.count[i] = c + 1;
  const f = m.p[i];
  if (bit === 0) m.p[i] = f + ((65536 - f) >> sh);
  else m.p[i] = f - (f >> sh);
}

export class RangeEncoder {
  /** below 2^33: bit 32 is a pending carry (public for encodeResiduals, which keeps it in a local) */
  low = 0;
  range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private out: Uint8Array;
  private len = 0;
  /** the first byte shifted out is always 0 (the coded value lies in [0, 1)) and is not stored */
  private first = true;

  constructor(capacity = 256) {
    this.out = scratchU8(Math.max(16, capacity));
  }

  private push(b: number): void {
    if (this.first) { this.first = false; return; }
    if (this.len === this.out.length) {
      const next = scratchU8(this.out.length * 2);
      next.set(this.out);
      this.out = next;
    }
    this.out[this.len++] = b;
  }

  private shiftLow(): void {
    this.low = this.shifted(this.low);
  }

  /** Shifts the top byte of `low` out (or holds it while a carry may still reach it); returns the new low. */
  shifted(low: number): number {
    if (low < 0xff000000 || low >= TWO32) {
      const carry = low >= TWO32 ? 1 : 0;
      let c = this.cache;
      do { this.push((c + carry) & 0xff); c = 0xff; } while (--this.cacheSize !== 0);
      this.cache = Math.floor(low / TOP) & 0xff;
    }
    this.cacheSize++;
    return (low % TOP) * 256;
  }

  /** Codes `bit` with adaptive bit `i` of `m`, then adapts it. */
  bit(m: BitModels, i: number, bit: number): void {
    const bound = (this.range >>> 15) * probability(m, i);
    if (bit === 0) this.range = bound;
    else { this.low += bound; this.range -= bound; }
    update(m, i, bit);
    while (this.range < TOP) { this.range = (this.range * 256) >>> 0; this.shiftLow(); }
  }

  /** Codes the low `n` bits of `v` (v < 2^53) at probability 1/2 each, most significant first. */
  direct(v: number, n: number): void {
    for (let k = n - 1; k >= 0; k--) {
      const b = k < 31 ? Math.floor(v / (1 << k)) & 1 : Math.floor(v / 2 ** k) % 2;
      this.range = this.range >>> 1;
      if (b) this.low += this.range;
      while (this.range < TOP) { this.range = (this.range * 256) >>> 0; this.shiftLow(); }
    }
  }

  /**
   * Flushes and returns the coded bytes. Any value in [low, low + range) decodes the same,
   * so the one with the most trailing zero bits is written, and trailing zero bytes are
   * dropped: the decoder reads zeros past the end.
   */
  finish(): Uint8Array {
    for (let k = 32; k >= 0; k--) {
      const step = 2 ** k;
      const v = Math.ceil(this.low / step) * step;
      if (v < this.low + this.range) { this.low = v; break; }
    }
    for (let i = 0; i < 5; i++) this.shiftLow();
    let len = this.len;
    while (len > 0 && this.out[len - 1] === 0) len--;
    return this.out.subarray(0, len);
  }
}

export class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private pos = 0;

  /** Reads bytes of `buf` from `start` to `end`; past the end it reads zeros (as the encoder's flush implies). */
  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    this.pos = start;
    for (let i = 0; i < 4; i++) this.code = (this.code * 256 + this.next()) >>> 0;
  }

  private next(): number {
    return this.pos < this.end ? this.buf[this.pos++] : 0;
  }

  bit(m: BitModels, i: number): number {
    const bound = (this.range >>> 15) * probability(m, i);
    let bit: number;
    if (this.code < bound) { this.range = bound; bit = 0; }
    else { this.code -= bound; this.range -= bound; bit = 1; }
    update(m, i, bit);
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = (this.code * 256 + this.next()) >>> 0;
    }
    return bit;
  }

  direct(n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) { this.code -= this.range; b = 1; }
      v = v * 2 + b;
      while (this.range < TOP) {
        this.range = (this.range * 256) >>> 0;
        this.code = (this.code * 256 + this.next()) >>> 0;
      }
    }
    return v;
  }
}
