// MSB-first bit streams over big-endian 32-bit words. Every codec writes through these,
// so they are kept branch-light: a write or read touches at most two words.
import { scratchU32 } from './scratch';

const TWO32 = 4294967296;

export class BitWriter {
  private words: Uint32Array;
  /** bits written so far */
  pos = 0;

  constructor(initialWords = 64) {
    this.words = scratchU32(Math.max(4, initialWords));
  }

  private grow(): void {
    const next = scratchU32(this.words.length * 2);
    next.set(this.words);
    this.words = next;
  }

  /** Writes the low `n` bits of `v` (0 ≤ n ≤ 32); higher bits of `v` are ignored. */
  write(v: number, n: number): void {
    if (n === 0) return;
    if (n < 32) v &= (1 << n) - 1;
    const pos = this.pos;
    const w = pos >>> 5;
    if (w + 1 >= this.words.length) this.grow();
    const free = 32 - (pos & 31);
    if (n <= free) {
      this.words[w] |= v << (free - n);
    } else {
      const rest = n - free;
      this.words[w] |= v >>> rest;
      this.words[w + 1] = v << (32 - rest);
    }
    this.pos = pos + n;
  }

  writeBit(b: number): void {
    this.write(b, 1);
  }

  /** Writes a non-negative integer below 2^53 in `n` bits (n ≤ 53). */
  writeBig(v: number, n: number): void {
    if (n <= 32) { this.write(v, n); return; }
    const hi = Math.floor(v / TWO32);
    this.write(hi, n - 32);
    this.write(v - hi * TWO32, 32);
  }

  /** Self-delimiting unsigned integer below 2^53: 6-bit bit length, then the bits. */
  writeLen(v: number): void {
    const n = bitLength(v);
    this.write(n, 6);
    this.writeBig(v, n);
  }

  /** Appends the stream's bytes (zero-padded to a byte boundary) to `out` at `offset`. */
  copyTo(out: Uint8Array, offset: number): void {
    const nBytes = (this.pos + 7) >>> 3;
    const words = this.words;
    for (let i = 0; i < nBytes; i++) out[offset + i] = words[i >>> 2] >>> (24 - ((i & 3) << 3));
  }

  /** Calls `fn` with each 32-bit word written and its number of valid (leading) bits. */
  forEachWord(fn: (word: number, bits: number) => void): void {
    const full = this.pos >>> 5;
    for (let i = 0; i < full; i++) fn(this.words[i], 32);
    const rest = this.pos & 31;
    if (rest > 0) fn(this.words[full], rest);
  }

  get byteLength(): number {
    return (this.pos + 7) >>> 3;
  }
}

export class BitReader {
  private readonly words: Uint32Array;
  pos = 0;
  /** readable bits */
  readonly limit: number;

  constructor(buf: Uint8Array, start: number, end = buf.length) {
    const nBytes = end - start;
    this.limit = nBytes * 8;
    // two spare words so reads that run past the end see zeros instead of undefined
    const words = scratchU32((nBytes >>> 2) + 3);
    const full = nBytes & ~3;
    let j = start;
    for (let i = 0; i < full; i += 4, j += 4) {
      words[i >>> 2] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
    }
    for (let i = full; i < nBytes; i++, j++) words[i >>> 2] |= buf[j] << (24 - ((i & 3) << 3));
    this.words = words;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned integer. */
  read(n: number): number {
    if (n === 0) return 0;
    const pos = this.pos;
    const w = pos >>> 5;
    const off = pos & 31;
    this.pos = pos + n;
    const head = (this.words[w] << off) >>> (32 - n);
    if (off + n <= 32) return head >>> 0;
    return (head | (this.words[w + 1] >>> (64 - off - n))) >>> 0;
  }

  /** The next 32 bits without consuming them. */
  peek32(): number {
    const pos = this.pos;
    const w = pos >>> 5;
    const off = pos & 31;
    if (off === 0) return this.words[w];
    return ((this.words[w] << off) | (this.words[w + 1] >>> (32 - off))) >>> 0;
  }

  readBit(): number {
    const pos = this.pos;
    this.pos = pos + 1;
    return (this.words[pos >>> 5] >>> (31 - (pos & 31))) & 1;
  }

  readBig(n: number): number {
    if (n <= 32) return this.read(n);
    const hi = this.read(n - 32);
    return hi * TWO32 + this.read(32);
  }

  readLen(): number {
    return this.readBig(this.read(6));
  }

  /** Throws when a decode consumed more bits than the buffer holds (truncated or corrupt). */
  checkInBounds(what: string): void {
    if (this.pos > this.limit) throw new Error(`corrupt chunk: ${what} runs past the end of the buffer (${this.pos} > ${this.limit} bits)`);
  }
}

/** Number of bits needed to write v (0 for 0); v a non-negative integer below 2^53. */
export function bitLength(v: number): number {
  if (v < TWO32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO32));
}

export function zigzag(v: number): number {
  return v < 0 ? -2 * v - 1 : 2 * v;
}

export function unzigzag(z: number): number {
  return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
}

/** Appends everything written to `src` onto `dst`. */
export function appendBits(dst: BitWriter, src: BitWriter): void {
  src.forEachWord((word, bits) => dst.write(bits === 32 ? word : word >>> (32 - bits), bits));
}
