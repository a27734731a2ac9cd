import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { resolveBuckets } from '../../../runtime/tsdb/query';
import { collect, readAll, Reference, rng } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const D = 24 * H;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

function expectRowsClose(got: Array<Record<string, number>>, want: Array<Record<string, number>>) {
  expect(got.map((r) => r.ts)).toEqual(want.map((r) => r.ts));
  for (let i = 0; i < want.length; i++) {
    for (const k of ['count', 'min', 'max', 'sum', 'avg', 'twa', 'first', 'last']) {
      if (!close(got[i][k], want[i][k])) throw new Error(`row ${i} (${new Date(want[i].ts).toISOString()}) ${k}: got ${got[i][k]}, want ${want[i][k]}`);
    }
  }
}

describe('queries against a naive reference', () => {
  let dir: string;
  let store: TsdbStore;
  const ref = new Reference();
  const now = T0 + 30 * D;

  beforeAll(async () => {
    dir = await makeTempDir('tsdb-query-');
    store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, outOfOrderWindowMs: 10 * D });
    const r = rng(11);
    // tag q.a: 3 days, irregular 1-20 s spacing, decimals, some bad quality; compacted
    let t = T0;
    const a: Sample[] = [];
    let v = 50;
    while (t < T0 + 3 * D) {
      v += Math.round((r() - 0.5) * 20) / 10;
      a.push({ tag: 'q.a', ts: t, value: v, quality: r() < 0.01 ? 0x8001 : 0 });
      t += 1000 + Math.floor(r() * 19) * 1000;
    }
    for (let k = 0; k < a.length; k += 5000) { await store.write(a.slice(k, k + 5000)); }
    ref.write(a);
    await store.flush();
    await store.compact();
    // some late overwrites that stay in the head (overlapping compacted blocks)
    const late: Sample[] = [];
    for (let i = 0; i < 50; i++) late.push({ ...a[Math.floor(r() * a.length)], value: 999 + i });
    // and fresh data after the blocks
    for (let i = 0; i < 300; i++) late.push({ tag: 'q.a', ts: T0 + 3 * D + i * 7000, value: i, quality: 0 });
    await store.write(late);
    ref.write(late);
    // tag q.b: step signal at 1 min for the alignment tests, only in the head
    const b: Sample[] = [];
    for (let i = 0; i < 200; i++) b.push({ tag: 'q.b', ts: T0 + i * 60_000, value: i % 3, quality: 0 });
    await store.write(b);
    ref.write(b);
    await store.tags.update('q.b', { interpolation: 'linear' });
  });
  afterAll(async () => { await store.close(); await removeTempDir(dir); });

  it('raw: range, order and limit', async () => {
    const from = T0 + 5 * H + 123, to = T0 + 50 * H;
    expect(await readAll(store, 'q.a', from, to)).toEqual(ref.series('q.a', from, to));
    expect(await readAll(store, 'q.a', from, to, 'desc')).toEqual(ref.series('q.a', from, to).reverse());
    expect(await readAll(store, 'q.a', from, to, 'asc', 777)).toEqual(ref.series('q.a', from, to).slice(0, 777));
    expect(await readAll(store, 'q.a', from, to, 'desc', 5)).toEqual(ref.series('q.a', from, to).reverse().slice(0, 5));
    expect(await readAll(store, 'nope.x')).toEqual([]);
  });

  it('aggregates per bucket with raw data (odd bucket width, overlapping head data)', async () => {
    const from = T0 + 17_000, to = T0 + 3 * D + 10 * H;
    const got = await collect(store.aggregate({ tag: 'q.a', from, to, bucketMs: 7 * 60_000 + 13 }));
    expectRowsClose(got as never, ref.aggregate('q.a', from, to, 7 * 60_000 + 13));
  });

  it('aggregates from rollups equal aggregates from raw samples', async () => {
    // make a clean copy without overlapping head data so rollups are usable
    const d2 = await makeTempDir('tsdb-rollup-');
    const s2 = await TsdbStore.open({ dir: d2, maintenanceIntervalMs: 0, clock: () => now });
    const data = ref.series('q.a', T0, T0 + 3 * D);
    await s2.write(data);
    await s2.flush();
    await s2.compact();
    for (const bucketMs of [60_000, 5 * 60_000, H, 6 * H]) {
      const from = T0 + H, to = T0 + 3 * D - 2 * H;
      const got = await collect(s2.aggregate({ tag: 'q.a', from, to, bucketMs }));
      const want = new Reference();
      want.write(data);
      expectRowsClose(got as never, want.aggregate('q.a', from, to, bucketMs));
    }
    // every width is a multiple of a rollup resolution, but at ~6 samples per minute the
    // series keeps no 1-min level (it would not pay for itself): 1 and 5 min buckets read chunks
    expect(s2.stats().rollupQueries).toBe(2);
    // worst quality per bucket survives the rollup
    const rows = await collect(s2.aggregate({ tag: 'q.a', from: T0, to: T0 + 3 * D, bucketMs: D }));
    expect(rows.some((r) => r.quality === 0x8001)).toBe(true);
    await s2.close();
    await removeTempDir(d2);
  });

  it('mixes rollup rows and chunks of a series that slows down, exactly as raw data would', async () => {
    const d3 = await makeTempDir('tsdb-slow-');
    const late = T0 + 40 * D;
    const s3 = await TsdbStore.open({ dir: d3, maintenanceIntervalMs: 0, clock: () => late });
    const r = rng(5);
    const data: Sample[] = [];
    let v = 20;
    // three hours at 1 s, then a month at one sample per 5 min, then three hours at 1 s again
    for (let t = T0; t < T0 + 3 * H; t += 1000) data.push({ tag: 's.x', ts: t, value: (v += Math.round((r() - 0.5) * 10) / 100), quality: 0 });
    for (let t = T0 + 3 * H; t < T0 + 32 * D; t += 300_000) data.push({ tag: 's.x', ts: t, value: (v += Math.round((r() - 0.5) * 100) / 100), quality: r() < 0.01 ? 0x8001 : 0 });
    for (let t = T0 + 32 * D; t < T0 + 32 * D + 3 * H; t += 1000) data.push({ tag: 's.x', ts: t, value: (v += Math.round((r() - 0.5) * 10) / 100), quality: 0 });
    for (let k = 0; k < data.length; k += 20_000) await s3.write(data.slice(k, k + 20_000));
    await s3.flush();
    await s3.compact();
    const want = new Reference();
    want.write(data);
    const before = s3.stats().rollupQueries;
    for (const [bucketMs, from, to] of [[60_000, T0, T0 + 2 * D], [5 * 60_000, T0, T0 + 2 * D], [5 * 60_000, T0 + 31 * D, T0 + 33 * D], [H, T0, T0 + 33 * D], [6 * H, T0, T0 + 33 * D], [D, T0, T0 + 33 * D], [2 * D, T0, T0 + 34 * D]]) {
      const got = await collect(s3.aggregate({ tag: 's.x', from, to, bucketMs }));
      expectRowsClose(got as never, want.aggregate('s.x', from, to, bucketMs));
    }
    // every width reads rollup rows where blocks keep that level for the series (the 1 s
    // parts) and chunks elsewhere, with the same results as raw data. Two read chunks only:
    // 1-minute buckets (60 samples a row do not pay for a 1 s tag) and 5-minute buckets over
    // the first week block, whose 1 s hours share it with 5-minute samples (~6 a row)
    expect(s3.stats().rollupQueries - before).toBe(5);
    // a long min-max view keeps the true extremes
    const p = await s3.downsample({ tag: 's.x', from: T0, to: T0 + 34 * D, points: 200, mode: 'minmax' });
    const values = data.map((x) => x.value);
    expect(p.values.reduce((a, b) => Math.max(a, b))).toBe(values.reduce((a, b) => Math.max(a, b)));
    expect(p.values.reduce((a, b) => Math.min(a, b))).toBe(values.reduce((a, b) => Math.min(a, b)));
    expect(p.ts.length).toBeLessThanOrEqual(200);
    // in time order, and every point inside the data (a view reaching past it included)
    for (const [from, to, points] of [[T0, T0 + 34 * D, 200], [T0 + 34 * D - 3650 * D, T0 + 34 * D, 1000], [T0, T0 + 34 * D, 5], [T0 + 30 * D, T0 + 33 * D, 1000]]) {
      const v = await s3.downsample({ tag: 's.x', from, to, points, mode: 'minmax' });
      const inRange = data.filter((x) => x.ts >= from && x.ts < to);
      for (let i = 1; i < v.ts.length; i++) expect(v.ts[i], `${points} points from ${from}: point ${i}`).toBeGreaterThanOrEqual(v.ts[i - 1]);
      expect(v.ts[0]).toBeGreaterThanOrEqual(inRange[0].ts);
      expect(v.ts[v.ts.length - 1]).toBeLessThanOrEqual(inRange[inRange.length - 1].ts);
      expect(Math.max(...v.values)).toBe(Math.max(...inRange.map((x) => x.value)));
      expect(Math.min(...v.values)).toBe(Math.min(...inRange.map((x) => x.value)));
    }
    await s3.close();
    await removeTempDir(d3);
  });

  it('points= chooses rollup-aligned buckets for long ranges', () => {
    expect(resolveBuckets({ from: T0 + 5, to: T0 + 365 * D, points: 1000 })).toEqual({ from: T0, to: T0 + 365 * D, bucketMs: 9 * H });
    // a 7-day view: 5-minute multiples (a 1 s tag keeps that level, not the 1-minute one)
    expect(resolveBuckets({ from: T0, to: T0 + 7 * D, points: 1000 }).bucketMs).toBe(15 * 60_000);
    expect(resolveBuckets({ from: T0, to: T0 + H, points: 1000 }).bucketMs).toBe(3600);
  });

  it('min-max downsampling keeps each bucket extreme in time order', async () => {
    const from = T0, to = T0 + 6 * H;
    const p = await store.downsample({ tag: 'q.a', from, to, points: 200, mode: 'minmax' });
    const all = ref.series('q.a', from, to);
    expect(p.ts.length).toBeLessThanOrEqual(200);
    expect(p.ts.length).toBeGreaterThan(100);
    for (let i = 1; i < p.ts.length; i++) expect(p.ts[i]).toBeGreaterThan(p.ts[i - 1]);
    expect(Math.max(...p.values)).toBe(Math.max(...all.map((s) => s.value)));
    expect(Math.min(...p.values)).toBe(Math.min(...all.map((s) => s.value)));
    for (let i = 0; i < p.ts.length; i++) expect(all.find((s) => s.ts === p.ts[i])!.value).toBe(p.values[i]);
  });

  it('min-max views of compacted blocks and the head after them stay in time order and inside the data', async () => {
    const all = ref.series('q.a');
    // views ending an hour after the newest sample, as a live trend's window does
    const end = all[all.length - 1].ts + H;
    for (const span of [3650 * D, 365 * D, 30 * D, 7 * D]) {
      const p = await store.downsample({ tag: 'q.a', from: end - span, to: end, points: 1000, mode: 'minmax' });
      for (let i = 1; i < p.ts.length; i++) expect(p.ts[i], `${span / D} d: point ${i}`).toBeGreaterThanOrEqual(p.ts[i - 1]);
      expect(p.ts[0]).toBeGreaterThanOrEqual(all[0].ts);
      expect(p.ts[p.ts.length - 1]).toBeLessThanOrEqual(all[all.length - 1].ts);
      expect(Math.max(...p.values)).toBe(Math.max(...all.map((x) => x.value)));
    }
  });

  it('LTTB keeps first and last sample and picks real samples', async () => {
    const from = T0, to = T0 + 6 * H;
    const p = await store.downsample({ tag: 'q.a', from, to, points: 100, mode: 'lttb' });
    const all = ref.series('q.a', from, to);
    expect(p.ts.length).toBeLessThanOrEqual(100);
    // buckets round up to rollup multiples (5 min here): at worst half the points asked for
    expect(p.ts.length).toBeGreaterThan(50);
    expect(p.ts[0]).toBe(all[0].ts);
    expect(p.ts[p.ts.length - 1]).toBe(all[all.length - 1].ts);
    for (let i = 0; i < p.ts.length; i++) expect(all.find((s) => s.ts === p.ts[i])!.value).toBe(p.values[i]);
  });

  it('long-range views read rollups and stay close to the data', async () => {
    const p = await store.downsample({ tag: 'q.b', from: T0, to: T0 + 200 * 60_000, points: 10, mode: 'minmax' });
    expect(p.values.every((v) => v >= 0 && v <= 2)).toBe(true);
    const rows = await collect(store.aggregate({ tag: 'q.a', from: T0, to: T0 + 3 * D, points: 50 }));
    expect(rows.reduce((a, r) => a + r.count, 0)).toBe(ref.series('q.a', T0, T0 + 3 * D).length);
  });

  it('latest value per tag, newest write winning', async () => {
    const l = await store.latest(['q.a', 'q.b', 'missing.tag']);
    const a = ref.series('q.a'), b = ref.series('q.b');
    expect(l).toEqual([
      { tag: 'q.a', ts: a[a.length - 1].ts, value: a[a.length - 1].value, quality: 0 },
      { tag: 'q.b', ts: b[b.length - 1].ts, value: b[b.length - 1].value, quality: 0 },
    ]);
  });

  it('value at time, step and linear', async () => {
    const a = ref.series('q.a');
    const s = a[1000], n = a[1001];
    const mid = s.ts + Math.floor((n.ts - s.ts) / 2);
    expect(await store.valueAt('q.a', mid, 'step')).toEqual({ tag: 'q.a', ts: mid, value: s.value, quality: s.quality });
    const lin = (await store.valueAt('q.a', mid, 'linear'))!;
    expect(lin.value).toBeCloseTo(s.value + ((mid - s.ts) / (n.ts - s.ts)) * (n.value - s.value), 9);
    expect(await store.valueAt('q.a', s.ts, 'linear')).toMatchObject({ value: s.value });
    expect(await store.valueAt('q.a', T0 - 1)).toBeNull();
    // q.b is registered as linear
    expect((await store.valueAt('q.b', T0 + 30_000))!.value).toBeCloseTo(0.5, 9);
  });

  it('aligns several tags on one grid', async () => {
    const from = T0 - 60_000, to = T0 + 10 * 60_000, stepMs = 45_000;
    const rows = await collect(store.aligned({ tags: ['q.a', 'q.b'], from, to, stepMs, interpolation: 'step' }));
    const a = ref.series('q.a'), b = ref.series('q.b');
    const stepAt = (xs: Sample[], g: number) => { let v: number | null = null; for (const x of xs) if (x.ts <= g) v = x.value; return v; };
    expect(rows.length).toBe(Math.ceil((to - from) / stepMs));
    for (const row of rows) expect(row.values).toEqual([stepAt(a, row.ts), stepAt(b, row.ts)]);
    const lin = await collect(store.aligned({ tags: ['q.b'], from: T0, to: T0 + 5 * 60_000, stepMs: 30_000 }));
    expect(lin.map((r) => r.values[0])).toEqual([0, 0.5, 1, 1.5, 2, 1, 0, 0.5, 1, 1.5]);
  });

  it('rejects bad queries with the field named', async () => {
    await expect(collect(store.aggregate({ tag: 'q.a', from: 10, to: 5, bucketMs: 1 }))).rejects.toThrow(/^to:/);
    await expect(collect(store.aggregate({ tag: 'q.a', from: 0, to: 5, bucketMs: -1 }))).rejects.toThrow(/^bucketMs:/);
    await expect(store.downsample({ tag: 'q.a', from: 0, to: 5, points: 100, mode: 'avg' as never })).rejects.toThrow(/^mode:/);
    await expect(collect(store.aligned({ tags: [], from: 0, to: 5, stepMs: 1 }))).rejects.toThrow(/^tags:/);
  });
});
