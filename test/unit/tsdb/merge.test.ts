// Merging a series' refs (mergeRefs: what queries, head cuts and compaction read): the
// samples in time order, a newer write winning on equal timestamps, clipped to the window,
// whether a ref loads at once or asynchronously; a load that fails goes to onError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChunkRef } from '../../../runtime/tsdb/chunk-ref';
import { mergeRefs } from '../../../runtime/tsdb/merge';
import { summarize } from '../../../runtime/tsdb/summary';
import type { Columns } from '../../../runtime/tsdb/types';

function ref(ts: number[], value: number, priority: number, async: boolean): ChunkRef {
  const sorted = [...new Set(ts)].sort((a, b) => a - b);
  const cols: Columns = { ts: Float64Array.from(sorted), values: Float64Array.from(sorted, (t) => value * 1000 + t), quality: new Uint16Array(sorted.length) };
  return {
    minT: sorted[0], maxT: sorted[sorted.length - 1], summary: summarize(cols, 0, sorted.length), priority,
    load: () => (async ? Promise.resolve(cols) : cols),
  };
}

function flat(parts: Columns[]): Array<[number, number]> {
  return parts.flatMap((c) => Array.from(c.ts, (t, i): [number, number] => [t, c.values[i]]));
}

describe('merging a series\' refs', () => {
  it('streams every timestamp of the window once, in order, from the newest ref that has it (property)', async () => {
    const refsArb = fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 40, size: 'max' }), fc.boolean()), { minLength: 1, maxLength: 12, size: 'max' });
    await fc.assert(fc.asyncProperty(refsArb, fc.integer({ min: 0, max: 150 }), fc.integer({ min: 1, max: 400 }), async (specs, from, len) => {
      const refs = specs.map(([ts, async], i) => ref(ts, i + 1, i, async));
      const to = from + len;
      const streamed: Columns[] = [];
      for await (const it of mergeRefs(refs, { from, to, onError: (e) => { throw e; } })) if (it.cols) streamed.push(it.cols);
      const got = flat(streamed);
      const want = new Map<number, number>();
      specs.forEach(([ts], i) => { for (const t of ts) if (t >= from && t < to) want.set(t, (i + 1) * 1000 + t); });
      expect(got).toEqual([...want].sort((a, b) => a[0] - b[0]));
    }), { numRuns: 300 });
  });

  it('a load that fails goes to onError; the other refs still come', async () => {
    const bad: ChunkRef = { ...ref([1, 2], 1, 0, false), load: () => Promise.reject(new Error('chunk crc mismatch')) };
    const errors: string[] = [];
    const got: Columns[] = [];
    for await (const it of mergeRefs([ref([5], 2, 1, false), bad], { from: 0, to: 10, onError: (e) => errors.push((e as Error).message) })) if (it.cols) got.push(it.cols);
    expect(errors).toEqual(['chunk crc mismatch']);
    expect(flat(got)).toEqual([[5, 2005]]);
  });
});
