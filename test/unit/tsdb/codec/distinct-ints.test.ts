// distinctInts (the dictionary codec's candidate check) against sort-and-unique, on
// integer columns with few and many distinct values, large magnitudes and hash-colliding
// halves, at every bound around the true count; and calls in a row share its scratch set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctInts } from '../../../../runtime/tsdb/codec/decimal';

function reference(m: Float64Array, n: number, max: number): Float64Array | null {
  const u = [...new Set(Array.from(m.subarray(0, n)))].sort((a, b) => a - b);
  return u.length > max ? null : Float64Array.from(u);
}

const MAX = 2 ** 53 - 1;
const int = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -MAX, max: MAX }), fc.constantFrom(2 ** 32, -(2 ** 32), 2 ** 32 + 1, 1, 2 ** 52, -(2 ** 52), MAX, -MAX));

describe('distinctInts', () => {
  it('finds the sorted distinct integers, or null above the bound, as sort-and-unique does', () => {
    fc.assert(fc.property(fc.array(int, { maxLength: 600, size: 'max' }), fc.integer({ min: 0, max: 20 }), (xs, extra) => {
      const m = Float64Array.from(xs);
      const distinct = new Set(xs).size;
      for (const max of [0, Math.max(0, distinct - 1), distinct, distinct + extra, 150]) {
        expect(distinctInts(m, m.length, max)).toEqual(reference(m, m.length, max));
      }
    }), { numRuns: 300 });
  });

  it('counts only the first n values', () => {
    const m = Float64Array.from([3, 1, 3, 2, 99, 100]);
    expect(distinctInts(m, 4, 10)).toEqual(Float64Array.from([1, 2, 3]));
    expect(distinctInts(m, 4, 2)).toBeNull();
  });
});
