import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkValueCodec, decodeChunk, encodeChunk, encodeGorillaChunk } from '../../../../runtime/tsdb/codec';

const T0 = 1_700_000_000_000;
/** DECIMAL_EXC with Rice-coded (5) or range-coded (8, format 3) residuals */
const V_DECIMAL_EXC = [5, 8];

function bits(a: ArrayLike<number>): string[] {
  const f = Float64Array.from(a);
  return Array.from(new BigUint64Array(f.buffer), (x) => x.toString(16));
}

function roundTrip(values: number[]): Uint8Array {
  const ts = values.map((_, i) => T0 + i * 1000);
  const q = values.map(() => 0);
  const buf = encodeChunk(ts, values, q);
  expect(bits(decodeChunk(buf).values)).toEqual(bits(values));
  // never larger than plain Gorilla by more than a few bytes
  expect(buf.length).toBeLessThanOrEqual(encodeGorillaChunk(ts, values, q).length + 2);
  return buf;
}

/** float-printing artefacts: a value one or a few ulps away from a short decimal, or a float32 widened */
function artefact(v: number, how: number): number {
  const f = new Float64Array([v]);
  const u = new BigInt64Array(f.buffer);
  if (how === 0) return Math.fround(v);
  u[0] += BigInt(how);
  return f[0];
}

const decimalWalk = (n: number) => fc.record({
  k: fc.integer({ min: 0, max: 6 }),
  start: fc.integer({ min: -(10 ** 7), max: 10 ** 7 }),
  steps: fc.array(fc.integer({ min: -300, max: 300 }), { minLength: n, maxLength: n }),
}).map(({ k, start, steps }) => { let m = start; return steps.map((s) => (m += s) / 10 ** k); });

const withArtefacts = (n: number) => fc.tuple(
  decimalWalk(n),
  fc.array(fc.tuple(fc.nat(n - 1), fc.oneof(fc.constant(0), fc.integer({ min: -4, max: 4 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }))), { maxLength: Math.max(1, n >>> 2) }),
  fc.array(fc.tuple(fc.nat(n - 1), fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 2 ** 60, Number.MAX_VALUE))), { maxLength: 4 }),
).map(([vals, arts, wild]) => {
  const out = vals.slice();
  for (const [i, how] of arts) out[i] = artefact(out[i], how);
  for (const [i, v] of wild) out[i] = v;
  return out;
});

describe('decimal codec with exceptions', () => {
  it('round-trips artefact-heavy, adversarial and random series bit for bit (property)', () => {
    const series = fc.integer({ min: 2, max: 600 }).chain((n) => fc.oneof(
      withArtefacts(n),
      fc.array(fc.double(), { minLength: n, maxLength: n }),
      fc.array(fc.oneof(fc.double(), fc.constantFrom(-0, 0, NaN, 1e-300, 0.1, 0.30000000000000004)), { minLength: n, maxLength: n }),
      decimalWalk(n),
    ));
    fc.assert(fc.property(series, (values) => { roundTrip(values); }), { numRuns: 400 });
  });

  it('keeps the decimal path for a few percent of printing artefacts instead of falling back to XOR', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let x = 80;
    const clean = Array.from({ length: 480 }, () => Math.round((x += rnd() - 0.5) * 1e3) / 1e3);
    const dirty = clean.map((v, i) => (i % 25 === 3 ? v + 1e-13 * (i % 2 ? 1 : -1) || v : i % 31 === 7 ? artefact(v, 1) : v));
    const exceptions = dirty.filter((v, i) => v !== clean[i]).length;
    expect(exceptions).toBeGreaterThan(10);
    const ts = clean.map((_, i) => T0 + i * 1000);
    const q = clean.map(() => 0);
    const buf = roundTrip(dirty);
    expect(V_DECIMAL_EXC).toContain(chunkValueCodec(buf));
    const cleanBytes = encodeChunk(ts, clean, q).length;
    // each exception costs its position and a short ulp correction, not 8 bytes
    expect(buf.length - cleanBytes).toBeLessThan(exceptions * 6);
    expect(buf.length * 2).toBeLessThan(encodeGorillaChunk(ts, dirty, q).length);
  });

  it('prefers a small scale with exceptions over a large exact scale', () => {
    // mostly 1-decimal readings, a few carrying 9 decimals
    let seed = 5;
    let m = 2000;
    const values = Array.from({ length: 480 }, (_, i) => {
      m += ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 21) - 10;
      return i % 40 === 0 ? 20.123456789 + i : m / 10;
    });
    const buf = roundTrip(values);
    expect(V_DECIMAL_EXC).toContain(chunkValueCodec(buf));
  });

  it('stores widened float32 readings exactly', () => {
    const values = Array.from({ length: 480 }, (_, i) => Math.fround(12.5 + Math.sin(i / 10)));
    roundTrip(values);
  });
});
