// Chunk format 3: the range-coded residual and quality codings. Round trips must be bit
// exact for every input, and the chunk encoder may pick them only where they are smaller.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader, BitWriter, chunkValueCodec, decodeChunk, encodeChunk, writeValues } from '../../../../runtime/tsdb/codec';
import { appendBits } from '../../../../runtime/tsdb/codec/bits';
import { BitModels, RangeDecoder, RangeEncoder } from '../../../../runtime/tsdb/codec/range-coder';
import { decodeResiduals, encodeResiduals } from '../../../../runtime/tsdb/codec/residual-coder';

const T0 = 1_700_000_000_000;
const MAX = 2 ** 53 - 1;

function bitsOf(v: number): string {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return u[1].toString(16) + ':' + u[0].toString(16);
}

/** encodeResiduals → bytes + raw bits in one stream (as in a chunk) → decodeResiduals. */
function residualRoundTrip(res: number[]): number[] {
  const src = Float64Array.from([0, ...res]);
  const { bytes, raw } = encodeResiduals(src, 1, src.length);
  const w = new BitWriter();
  for (const b of bytes) w.write(b, 8);
  appendBits(w, raw);
  const buf = new Uint8Array(w.byteLength);
  w.copyTo(buf, 0);
  const r = new BitReader(buf, 0);
  const out = new Float64Array(src.length);
  const head = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) head[i] = r.read(8);
  decodeResiduals(head, 0, head.length, r, out, 1, res.length);
  expect(r.pos).toBe(w.pos);
  return Array.from(out.subarray(1));
}

const residualArrays = fc.oneof(
  fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 600, size: 'max' }),
  // huge residuals up to the 53-bit limit mixed with small ones
  fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -MAX, max: MAX }), fc.constantFrom(MAX, -MAX, 2 ** 52, -(2 ** 52), 2 ** 31, -(2 ** 32))), { maxLength: 400, size: 'max' }),
  // all equal, including all zero
  fc.tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 700 })).map(([v, n]) => new Array<number>(n).fill(v)),
  // alternating signs
  fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1, max: 500 })).map(([v, n]) => Array.from({ length: n }, (_, i) => (i % 2 ? -v : v))),
  // a sparse signal: mostly zero, rare large steps
  fc.array(fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }) }), { maxLength: 800, size: 'max' }),
);

describe('range coder', () => {
  it('round-trips adaptive and direct bits in any mix', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 ** 20 })), { maxLength: 2000, size: 'max' }), (ops) => {
      const enc = new RangeEncoder(4);
      const m = new BitModels(16);
      for (const [ctx, bit, v] of ops) {
        if (ctx < 12) enc.bit(m, ctx, bit);
        else enc.direct(v, 21);
      }
      const bytes = enc.finish();
      const dec = new RangeDecoder(bytes);
      const m2 = new BitModels(16);
      for (const [ctx, bit, v] of ops) {
        if (ctx < 12) expect(dec.bit(m2, ctx)).toBe(bit);
        else expect(dec.direct(21)).toBe(v);
      }
    }), { numRuns: 200 });
  });

  it('spends far less than a bit on a near-certain bit', () => {
    const enc = new RangeEncoder();
    const m = new BitModels(1);
    for (let i = 0; i < 10_000; i++) enc.bit(m, 0, i % 100 === 0 ? 1 : 0);
    // order-0 entropy of a 1 % bit is 0.081 bit: 10,000 of them ≈ 101 bytes
    expect(enc.finish().length).toBeLessThan(140);
  });
});

describe('range-coded residuals', () => {
  it('round-trip every integer residual below 2^53 exactly', () => {
    fc.assert(fc.property(residualArrays, (res) => {
      expect(residualRoundTrip(res)).toEqual(res.map((x) => x + 0));
    }), { numRuns: 300 });
  });

  it('rejects a residual bit length beyond 53 from a corrupt stream', () => {
    // all-ones bytes decode the largest bit-length codes first
    const out = new Float64Array(4);
    expect(() => decodeResiduals(new Uint8Array(16).fill(0xff), 0, 16, new BitReader(new Uint8Array(64), 0), out, 0, 4))
      .toThrow(/corrupt chunk/);
  });
});

function noisyDecimals(n: number, seed: number, sigma: number, scale: number): number[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let x = 50;
  return Array.from({ length: n }, () => {
    x += (rnd() + rnd() + rnd() - 1.5) * sigma;
    return Math.round(x * 10 ** scale) / 10 ** scale;
  });
}

function valueBits(values: number[], rangeCoding: boolean): number {
  const w = new BitWriter();
  writeValues(w, values, values.length, rangeCoding);
  return w.pos;
}

function expectChunkRoundTrip(values: number[], quality?: number[]): Uint8Array {
  const ts = values.map((_, i) => T0 + i * 1000);
  const q = quality ?? values.map(() => 0);
  const buf = encodeChunk(ts, values, q);
  const d = decodeChunk(buf);
  expect(Array.from(d.values).map(bitsOf)).toEqual(values.map(bitsOf));
  expect(Array.from(d.quality)).toEqual(q);
  expect(Array.from(d.ts)).toEqual(ts);
  return buf;
}

describe('format 3 chunks', () => {
  it('never make a value section larger than the Rice coding would (property)', () => {
    const series = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 2, max: 2000 }), fc.double({ min: 0.001, max: 50, noNaN: true }), fc.integer({ min: 0, max: 6 }))
        .map(([seed, n, sigma, scale]) => noisyDecimals(n, seed, sigma, scale)),
      fc.array(fc.double({ noNaN: true }), { minLength: 2, maxLength: 300, size: 'max' }),
      fc.array(fc.integer({ min: -(2 ** 49), max: 2 ** 49 }).map((m) => m / 1e4), { minLength: 2, maxLength: 300, size: 'max' }),
    );
    fc.assert(fc.property(series, (values) => {
      expect(valueBits(values, true)).toBeLessThanOrEqual(valueBits(values, false));
      expectChunkRoundTrip(values);
    }), { numRuns: 150 });
  });

  it('range-codes a long noisy sensor series and is smaller than its Rice coding', () => {
    const values = noisyDecimals(8192, 7, 0.05, 2);
    const buf = expectChunkRoundTrip(values);
    expect(chunkValueCodec(buf)).toBe(6);
    expect(valueBits(values, true)).toBeLessThan(valueBits(values, false));
  });

  it('codes a signal resting at its resolution (mostly zero residuals) below one bit a sample', () => {
    let s = 3;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let m = 2000;
    const values = Array.from({ length: 8192 }, () => { const u = rnd(); if (u < 0.05) m++; else if (u > 0.95) m--; return m / 10; });
    const buf = expectChunkRoundTrip(values);
    expect(chunkValueCodec(buf)).toBe(6);
    // Rice needs at least one bit a sample; the adaptive coder gets near the ~0.57 bit entropy
    expect(valueBits(values, true)).toBeLessThan(0.7 * 8192);
    expect(valueBits(values, false)).toBeGreaterThanOrEqual(8192);
  });

  it('range-codes the integer series under float-printing artefacts (DECIMAL_EXC)', () => {
    const clean = noisyDecimals(4000, 11, 0.2, 3);
    const dirty = clean.map((v, i) => (i % 23 === 5 ? v + v * 2 ** -52 : v));
    expect(dirty.filter((v, i) => v !== clean[i]).length).toBeGreaterThan(100);
    const buf = expectChunkRoundTrip(dirty);
    expect(chunkValueCodec(buf)).toBe(8);
  });

  it('range-codes a dictionary of quantised levels (DICT)', () => {
    let s = 9;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const levels = [0.1, 0.35, 0.7, 1.3, 2.9];
    let k = 2;
    const values = Array.from({ length: 6000 }, () => { const u = rnd(); if (u < 0.1 && k > 0) k--; else if (u > 0.9 && k < 4) k++; return levels[k]; });
    const buf = expectChunkRoundTrip(values);
    expect([4, 7]).toContain(chunkValueCodec(buf));
    expect(valueBits(values, true)).toBeLessThanOrEqual(valueBits(values, false));
  });

  it('range-codes a quality that flips often and is smaller than plain runs', () => {
    const values = noisyDecimals(5000, 5, 0.1, 2);
    let s = 13;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let code = 0;
    const q = values.map(() => { if (rnd() < 0.03) code = code === 0 ? 0x4000 : rnd() < 0.5 ? 0 : 0x8000; return code; });
    const buf = expectChunkRoundTrip(values, q);
    expect(buf[1] & 3).toBe(2);
    // the same chunk with a constant quality, plus what the runs cost as (16-bit code, length) pairs
    let runs = 1;
    for (let i = 1; i < q.length; i++) if (q[i] !== q[i - 1]) runs++;
    const base = encodeChunk(values.map((_, i) => T0 + i * 1000), values, values.map(() => 0)).length;
    expect(buf.length - base).toBeLessThan((runs * (16 + 6 + 7)) / 8 / 2);
  });

  it('round-trips adversarial value series whatever codec wins', () => {
    const cases: number[][] = [
      new Array(3000).fill(0).map((_, i) => (i % 2 ? 1e15 : -1e15)),
      new Array(3000).fill(0).map((_, i) => (i % 2 ? 2 ** 49 / 100 : -(2 ** 49) / 100)),
      new Array(3000).fill(42.5),
      new Array(3000).fill(0).map((_, i) => (i % 500 === 0 ? NaN : i % 333 === 0 ? -0 : i / 100)),
      new Array(3000).fill(0).map((_, i) => (i % 7 === 0 ? 0.1 + 0.2 : Math.round(i * 1.37) / 100)),
    ];
    for (const values of cases) expectChunkRoundTrip(values);
  });
});
