import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

describe('memory budget', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-mem-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('cuts the head into blocks early when it outgrows half the budget, losing nothing', async () => {
    const now = T0 + H;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, memoryLimitMb: 8 });
    const tags = Array.from({ length: 2000 }, (_, i) => `m.area${i % 10}.dev${i}.pv`);
    const written: Sample[] = [];
    for (let sec = 0; sec < 300; sec++) {
      const batch = tags.map((tag, i) => ({ tag, ts: T0 + sec * 1000, value: Math.round((i + Math.sin(sec / 9)) * 100) / 100, quality: 0 }));
      await s.write(batch);
      if (sec % 50 === 0) written.push(batch[7]);
      await new Promise((r) => setImmediate(r)); // lets scheduled maintenance run, as between real requests
    }
    await waitFor(() => s.stats().cuts > 0, { what: 'a head cut triggered by the memory budget' });
    expect(s.stats().blocks).toBeGreaterThan(0);
    expect(s.stats().headBytes).toBeLessThan(4 * 2 ** 20 * 1.5);
    // every sample is still there, whether in blocks or the head
    const got = await readAll(s, tags[7]);
    expect(got.length).toBe(300);
    for (const w of written) expect(got.find((x) => x.ts === w.ts)!.value).toBe(w.value);
    await s.close();
  });

  it('keeps a backfill\'s head chunks raw once the head is due, within the head\'s budget', async () => {
    const now = T0 + 30 * 24 * H;
    // head budget 16 MiB: raw chunks a quarter of it (4 MiB) until the head is due, then all of it
    const open = (d: string) => TsdbStore.open({ dir: d, maintenanceIntervalMs: 0, clock: () => now, memoryLimitMb: 32 });
    const short = await open(dir);
    const longDir = await makeTempDir('tsdb-mem-due-');
    const long = await open(longDir);
    try {
      const tags = Array.from({ length: 20 }, (_, i) => `bf.dev${i}.pv`);
      const value = (i: number, k: number) => Math.round((i + Math.sin(k / 9)) * 100) / 100;
      // the same 360,000 samples (6.5 MB raw): within 2.5 hours of data, and spread over 10 hours
      const batch = (k: number, step: number) => tags.map((tag, i) => ({ tag, ts: T0 + k * step, value: value(i, k), quality: 0 }));
      for (let k = 0; k < 18_000; k++) { await short.write(batch(k, 500)); await long.write(batch(k, 2000)); }
      // not due (less than 1.5 block ranges of data, written just now): raw up to 4 MiB, the rest
      // compressed; due: every chunk raw (18 bytes a sample), still under the 16 MiB budget
      const allRaw = 360_000 * 18;
      expect(long.stats().headBytes).toBeGreaterThan(allRaw);
      expect(long.stats().headBytes).toBeLessThan(16 * 2 ** 20);
      expect(short.stats().headBytes).toBeLessThan(0.8 * allRaw);
      for (const s of [short, long]) {
        const got = await readAll(s, tags[13]);
        expect(got.length).toBe(18_000);
        expect(got[12_345].value).toBe(value(13, 12_345));
        await s.flush();
        expect(await readAll(s, tags[13])).toEqual(got);
      }
    } finally {
      await short.close();
      await long.close();
      await removeTempDir(longDir);
    }
  });

  it('keeps block indexes within their share, reopening evicted ones on demand', async () => {
    const now = T0 + 100 * H;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, memoryLimitMb: 8 });
    const tags = Array.from({ length: 800 }, (_, i) => `ix.dev${i}.pv`);
    // 24 separate 2 h blocks of 800 series each: ~19,000 index entries against a share of ~8,400
    for (let b = 0; b < 24; b++) {
      await s.write(tags.map((tag, i) => ({ tag, ts: T0 + b * 2 * H + 1000, value: i + b, quality: 0 })));
      await s.flush();
    }
    expect(s.stats().blocks).toBe(24);
    const budget = Math.floor((8 * 2 ** 20) / 5 / 200);
    for (const tag of [tags[0], tags[400], tags[799], tags[3]]) {
      const got = await readAll(s, tag);
      expect(got.length).toBe(24);
      expect(s.stats().indexCacheEntries).toBeLessThanOrEqual(budget);
      expect(s.stats().indexCacheEntries).toBeGreaterThan(0);
    }
    expect(s.stats().corruptBlocks).toBe(0);
    await s.close();
  });

  it('rejects a budget too small to work with, naming the option', async () => {
    await expect(TsdbStore.open({ dir, memoryLimitMb: 2 })).rejects.toThrow(/^memoryLimitMb:/);
  });
});
