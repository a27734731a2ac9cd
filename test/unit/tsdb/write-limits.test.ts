// Duplicate (tag, ts) handling and cardinality limits on the store's write path
// (README "Duplicates" and "Limits").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const s = (tag: string, ts: number, value: number): Sample => ({ tag, ts, value, quality: 0 });

describe('store write: duplicates and limits', () => {
  let dir: string;
  let now: number;
  const open = (extra = {}) => TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, ...extra });
  beforeEach(async () => { dir = await makeTempDir('tsdb-limits-'); now = T0 + 10 * H; });
  afterEach(async () => { await removeTempDir(dir); });

  it('keeps the last write of a (tag, ts) and counts overwrites within a batch, across batches and after a restart', async () => {
    let st = await open();
    // in order, no repeats: nothing overwritten
    expect((await st.write([s('a.x', T0, 1), s('a.x', T0 + 1000, 2), s('a.y', T0, 3)])).overwrites ?? 0).toBe(0);
    // within one batch: the second (a.x, T0+2000) replaces the first
    expect((await st.write([s('a.x', T0 + 2000, 4), s('a.x', T0 + 2000, 5)])).overwrites).toBe(1);
    // across batches: an old timestamp that is stored, one that is not (late but new)
    const r = await st.write([s('a.x', T0 + 1000, 20), s('a.x', T0 + 500, 21), s('a.y', T0, 30)]);
    expect(r).toMatchObject({ accepted: 3, overwrites: 2 });
    expect((await readAll(st, 'a.x')).map((x) => [x.ts - T0, x.value])).toEqual([[0, 1], [500, 21], [1000, 20], [2000, 5]]);
    // after a restart the past is in blocks, not in memory: still counted
    await st.close();
    st = await open();
    expect(st.stats().blocks).toBeGreaterThan(0);
    expect((await st.write([s('a.x', T0 + 2000, 6), s('a.x', T0 + 3000, 7)])).overwrites).toBe(1);
    expect((await st.write([s('a.x', T0 + 500, 8)])).overwrites).toBe(1);
    expect((await readAll(st, 'a.x')).map((x) => x.value)).toEqual([1, 8, 20, 6, 7]);
    await st.close();
  });

  it('counts overwrites exactly against a reference under random late data, repeats and head cuts', async () => {
    // small head: chunks close and the head is cut into blocks while writes go on
    const st = await open({ maxHeadSamples: 3000 });
    const seen = new Set<string>();
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    let expected = 0, counted = 0;
    for (let b = 0; b < 40; b++) {
      const batch: Sample[] = [];
      for (let i = 0; i < 300; i++) batch.push(s(`r.t${rnd(5)}`, T0 + rnd(4000) * 1000, b * 1000 + i));
      for (const x of batch) { const k = `${x.tag}@${x.ts}`; if (seen.has(k)) expected++; seen.add(k); }
      counted += (await st.write(batch)).overwrites ?? 0;
      if (b % 10 === 9) await st.maintain();
    }
    expect(st.stats().blocks).toBeGreaterThan(0);
    expect(counted).toBe(expected);
    expect(expected).toBeGreaterThan(1000);
    await st.close();
  });

  it('refuses new tags over the total and per-minute limits with a reason naming the limit; existing tags keep writing', async () => {
    const st = await open({ tagLimits: { maxTags: 5, maxNewTagsPerMinute: 3 } });
    const first = await st.write([s('p.a', T0, 1), s('p.b', T0, 1), s('p.c', T0, 1), s('p.d', T0, 1), s('p.d', T0 + 1, 1)]);
    expect(first).toMatchObject({ accepted: 3, rejected: 2 });
    expect(first.errors!.map((e) => [e.index, e.reason])).toEqual([[3, 'tag_limit'], [4, 'tag_limit']]);
    expect(first.errors![0].message).toMatch(/maxNewTagsPerMinute = 3/);
    // existing tags are not limited
    expect(await st.write([s('p.a', T0 + 1000, 2), s('p.b', T0 + 1000, 2)])).toEqual({ accepted: 2, rejected: 0 });
    // a minute later the budget has refilled; the total limit (5) now bites
    now += 60_000;
    const later = await st.write([s('p.d', T0, 1), s('p.e', T0, 1), s('p.f', T0, 1)]);
    expect(later.errors!.map((e) => [e.index, e.reason])).toEqual([[2, 'tag_limit']]);
    expect(later.errors![0].message).toMatch(/holds 5 tags \(limit maxTags = 5/);
    expect(st.stats()).toMatchObject({ tags: 5, tagLimitRejected: 3 });
    expect(await readAll(st, 'p.f')).toEqual([]);
    await st.close();
  });

  it('rejects invalid limits by name', async () => {
    await expect(open({ tagLimits: { maxTags: 0 } })).rejects.toThrow(/maxTags: must be a positive integer/);
  });
});
