// The Rice coded sections a chunk encoder sizes before it decides (intSeriesBits,
// decimalBits, dictionaryBits) against the bits their writers write, on integer series of
// every predictor's kind: walks, noise around a level, steps, constant runs, escapes (an
// outlier far above the running mean), single values and magnitudes up to 2^50; and the
// dictionary form those sizes start from, with values close together (a table) or far apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitWriter } from '../../../../runtime/tsdb/codec/bits';
import {
  decimalBits, dictionaryBits, dictionaryForm, distinctInts, intSeriesBits, IntSeries, toDecimal, writeDecimal, writeDictionary, writeIntSeries,
} from '../../../../runtime/tsdb/codec/decimal';

const BIG = 2 ** 49;
const step = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: -5000, max: 5000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0, 0, 0) },
  { weight: 1, arbitrary: fc.integer({ min: -BIG, max: BIG }) },
);
/** an integer series: a walk (or noise around a level) with occasional far outliers */
const series = fc.record({
  start: fc.integer({ min: -BIG, max: BIG }),
  steps: fc.array(step, { minLength: 0, maxLength: 700, size: 'max' }),
  walk: fc.boolean(),
}).map(({ start, steps, walk }) => {
  const m = new Float64Array(steps.length + 1);
  m[0] = start;
  for (let i = 0; i < steps.length; i++) {
    const v = walk ? m[i] + steps[i] : start + steps[i];
    m[i + 1] = Math.max(-BIG, Math.min(BIG, v));
  }
  return m;
});

function written(write: (w: BitWriter) => unknown): number {
  const w = new BitWriter(16);
  write(w);
  return w.pos;
}

describe('Rice section sizes', () => {
  it('intSeriesBits is the bits writeIntSeries writes, for every predictor', () => {
    fc.assert(fc.property(series, (m) => {
      const n = m.length;
      expect(intSeriesBits(new IntSeries(m, n), n)).toBe(written((w) => writeIntSeries(w, new IntSeries(m, n), n)));
    }), { numRuns: 400 });
  });

  it('decimalBits and dictionaryBits are the bits writeDecimal and writeDictionary write', () => {
    fc.assert(fc.property(series, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 40 }), (m, scale, levels) => {
      // values at a decimal scale; a second set folded onto few levels, so a dictionary applies
      const p = 10 ** scale;
      const values = Array.from(m, (x) => (x % 1e9) / p);
      const folded = Array.from(m, (x) => (Math.abs(x) % levels) * 7 / p + 0.5);
      for (const v of [values, folded]) {
        const n = v.length;
        const d = toDecimal(v, n);
        if (d === null) continue;
        expect(decimalBits({ ...d, series: undefined }, n)).toBe(written((w) => writeDecimal(w, { ...d, series: undefined }, n)));
        const dict = distinctInts(d.ints, n, n);
        if (dict === null) continue;
        const f = dictionaryForm(d, dict, n);
        expect(dictionaryBits(f, n)).toBe(written((w) => writeDictionary(w, d, dictionaryForm(d, dict, n), n)));
      }
    }), { numRuns: 300 });
  });

  it('dictionaryForm indexes every sample into its sorted dictionary, close or far apart', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 400, size: 'max' }), fc.constantFrom(1, 3, 1000, 2 ** 40), (levels, gap) => {
      const n = levels.length;
      const ints = Float64Array.from(levels, (l) => l * gap - 5);
      const dict = distinctInts(ints, n, n)!;
      const f = dictionaryForm({ scale: 0, ints }, dict, n);
      for (let i = 0; i < n; i++) expect(dict[f.index.m[i]]).toBe(ints[i]);
    }), { numRuns: 200 });
  });

  it('counts an escape (a value far above the running mean)', () => {
    const m = new Float64Array(300);
    m[150] = 2 ** 45; m[151] = -(2 ** 44);
    expect(intSeriesBits(new IntSeries(m, 300), 300)).toBe(written((w) => writeIntSeries(w, m, 300)));
  });
});
