import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chunkSampleCount, chunkValueCodec, decodeChunk, encodeChunk, encodeGorillaChunk,
} from '../../../../runtime/tsdb/codec';

const T0 = 1_700_000_000_000;

function bitsOf(v: number): string {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return u[1].toString(16) + ':' + u[0].toString(16);
}

function expectRoundTrip(ts: number[], values: number[], quality: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const enc of [encodeChunk, encodeGorillaChunk]) {
    const buf = enc(ts, values, quality);
    expect(chunkSampleCount(buf)).toBe(ts.length);
    const d = decodeChunk(buf);
    expect(Array.from(d.ts)).toEqual(ts);
    expect(Array.from(d.values).map(bitsOf)).toEqual(values.map(bitsOf));
    expect(Array.from(d.quality)).toEqual(quality);
    out.push(buf);
  }
  return out;
}

const timestamps = (n: number) => fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(1000) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 3000 }) },
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) },
  ),
  { minLength: n, maxLength: n },
).chain((deltas) => fc.integer({ min: 0, max: 2 ** 41 }).map((t0) => {
  const ts: number[] = [];
  let t = t0;
  for (const d of deltas) { ts.push(t); t += d; }
  return ts;
}));

const adversarial = fc.constantFrom(
  0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE,
  Number.MIN_VALUE, 1, -1, 0.1, 0.30000000000000004, 2 ** 53, -(2 ** 53), 2 ** 50 - 1, 1e-9, 123456.789,
);

const decimalAt = (scale: number, spread: number) => fc.integer({ min: -spread, max: spread }).map((m) => m / 10 ** scale);

const valueSeries = (n: number) => fc.oneof(
  fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
  fc.array(fc.oneof(adversarial, fc.double({ noNaN: true })), { minLength: n, maxLength: n }),
  fc.integer({ min: 0, max: 12 }).chain((k) => fc.array(decimalAt(k, 2 ** 40), { minLength: n, maxLength: n })),
  fc.integer({ min: 0, max: 9 }).chain((k) => fc.integer({ min: -(10 ** 6), max: 10 ** 6 }).chain((start) =>
    fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }).map((steps) => {
      let m = start;
      return steps.map((s) => (m += s) / 10 ** k);
    }))),
  fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
  fc.array(fc.constantFrom(0.382638, -0.273216, 0.054711, 0.710565), { minLength: n, maxLength: n }),
  fc.tuple(fc.double({ noNaN: true }), fc.integer({ min: 0, max: n })).map(([v, k]) =>
    Array.from({ length: n }, (_, i) => (i < k ? v : 1.5))),
  fc.array(fc.oneof(decimalAt(3, 1000), adversarial), { minLength: n, maxLength: n }),
);

const series = fc.integer({ min: 1, max: 600 }).chain((n) => fc.record({
  ts: timestamps(n),
  values: valueSeries(n),
  quality: fc.oneof(
    fc.constant(Array<number>(n).fill(0)),
    fc.array(fc.constantFrom(0, 0x4001, 0x8000, 0xffff), { minLength: n, maxLength: n }),
  ),
}));

describe('chunk codecs round trip', () => {
  it('is bit-exact for random and adversarial series (property)', () => {
    fc.assert(fc.property(series, ({ ts, values, quality }) => { expectRoundTrip(ts, values, quality); }), { numRuns: 300 });
  });

  it('keeps -0, subnormals and the extremes', () => {
    const values = [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1.1, -0];
    expectRoundTrip(values.map((_, i) => T0 + i), values, values.map(() => 0));
  });

  it('handles a single sample, equal timestamps and huge gaps', () => {
    expectRoundTrip([T0], [42.5], [0x8001]);
    expectRoundTrip([T0, T0, T0], [1, 2, 3], [0, 0, 0]);
    expectRoundTrip([0, 7_258_118_400_000, 7_258_118_400_000], [0.5, 0.25, 0.125], [0, 0, 0]);
  });

  it('accepts an empty chunk and decodes it to empty columns', () => {
    for (const enc of [encodeChunk, encodeGorillaChunk]) {
      const buf = enc([], [], []);
      expect(chunkSampleCount(buf)).toBe(0);
      const d = decodeChunk(buf);
      expect(d.ts.length + d.values.length + d.quality.length).toBe(0);
    }
  });

  it('encodes only the first n entries when n is given', () => {
    const d = decodeChunk(encodeChunk([1, 2, 3, 4], [1, 2, 3, 4], [0, 0, 0, 0], 2));
    expect(Array.from(d.values)).toEqual([1, 2]);
  });

  it('accepts typed arrays as input', () => {
    const ts = new Float64Array([T0, T0 + 1000, T0 + 2000]);
    const d = decodeChunk(encodeChunk(ts, new Float64Array([1.25, 1.5, 1.75]), new Uint16Array(3)));
    expect(Array.from(d.ts)).toEqual(Array.from(ts));
  });
});

describe('codec choice', () => {
  const ts = Array.from({ length: 480 }, (_, i) => T0 + i * 1000);
  const q = ts.map(() => 0);

  it('spends almost nothing on a constant regular series', () => {
    const buf = encodeChunk(ts, ts.map(() => 21.5), q);
    expect(buf.length).toBeLessThan(40);
    expect(chunkValueCodec(buf)).toBe(1);
  });

  it('spends almost nothing on a rarely switching boolean', () => {
    const buf = encodeChunk(ts, ts.map((_, i) => (Math.floor(i / 100) % 2)), q);
    expect(buf.length).toBeLessThan(60);
  });

  it('beats plain Gorilla several times on noisy decimals', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let x = 50;
    const values = ts.map(() => Math.round((x += rnd() - 0.5) * 1e4) / 1e4);
    const ours = encodeChunk(ts, values, q).length;
    const gorilla = encodeGorillaChunk(ts, values, q).length;
    expect(ours * 3).toBeLessThan(gorilla);
    // DECIMAL, with Rice (2) or range-coded (6) residuals
    expect([2, 6]).toContain(chunkValueCodec(encodeChunk(ts, values, q)));
  });

  it('uses a dictionary for quantised levels', () => {
    const levels = [0.382638, -0.273216, 0.054711, 0.710565];
    const values = ts.map((_, i) => levels[(i * 7) % 4]);
    const buf = encodeChunk(ts, values, q);
    // DICT, with Rice (4) or range-coded (7) indexes
    expect([4, 7]).toContain(chunkValueCodec(buf));
    expect(buf.length).toBeLessThan(200);
  });

  it('falls back to XOR coding for arbitrary doubles', () => {
    const values = ts.map((_, i) => Math.sin(i) * Math.PI);
    expect(chunkValueCodec(encodeChunk(ts, values, q))).toBe(0);
  });
});

describe('input validation', () => {
  it('rejects descending timestamps naming the index', () => {
    expect(() => encodeChunk([2, 1], [0, 0], [0, 0])).toThrow(/ts\[1\].*ascending/);
  });
  it('rejects non-integer timestamps and bad quality codes', () => {
    expect(() => encodeChunk([1.5], [0], [0])).toThrow(/ts\[0\]/);
    expect(() => encodeChunk([1], [0], [70000])).toThrow(/quality\[0\]/);
  });
  it('rejects n beyond the columns', () => {
    expect(() => encodeChunk([1], [0], [0], 2)).toThrow(/ts: has 1 entries/);
  });
});
