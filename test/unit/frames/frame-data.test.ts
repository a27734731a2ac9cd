import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { FrameStore, frameAggregates, frameDownsampled, frameRaw, overlay, type Frame } from '../../../runtime/frames';
import { makeTempDir } from '../../helpers/tmp';

const TAG = 'acme.izmir.plant1.r1.reactor.temp';
const T0 = Date.UTC(2026, 0, 1);
let tsdb: TsdbStore;
let frames: FrameStore;
const batches: Frame[] = [];
// batch k runs 600 s at 1 Hz from T0 + k·1 h; its temperature is 20 + k + 0.1·(s since start)
const valueOf = (k: number, s: number) => 20 + k + 0.1 * s;

beforeAll(async () => {
  tsdb = await TsdbStore.open({ dir: await makeTempDir('frames-data-'), maintenanceIntervalMs: 0, outOfOrderWindowMs: 1e12, clock: () => T0 + 10 * 3_600_000 });
  frames = FrameStore.openIn(await makeTempDir('frames-db-'));
  const samples = [];
  for (let k = 0; k < 3; k++) {
    // a little data between batches that no frame query may return
    samples.push({ tag: TAG, ts: T0 + k * 3_600_000 - 5000, value: -1, quality: 0 });
    for (let s = 0; s < 600; s++) samples.push({ tag: TAG, ts: T0 + k * 3_600_000 + s * 1000, value: valueOf(k, s), quality: 0 });
    batches.push(frames.add({ template: 'batch', name: `B${k}`, start: T0 + k * 3_600_000, end: T0 + k * 3_600_000 + (600 - k * 100) * 1000, tags: [TAG] }));
  }
  await tsdb.write(samples);
});
afterAll(async () => { await tsdb.close(); frames.shutdown(); });

describe('frame data', () => {
  it('raw data is exactly the samples in [start, end)', async () => {
    const [s] = await frameRaw(tsdb, batches[1], [TAG], T0);
    expect(s.ts.length).toBe(500);
    expect(s.ts[0]).toBe(batches[1].start);
    expect(s.ts.at(-1)).toBe(batches[1].end! - 1000);
    expect(s.values[10]).toBeCloseTo(valueOf(1, 10), 9);
  });

  it('aggregates per frame match the samples', async () => {
    const a = await frameAggregates(tsdb, batches[2], [TAG], T0);
    const n = 400;
    const vals = Array.from({ length: n }, (_, s) => valueOf(2, s));
    expect(a.durationMs).toBe(400_000);
    expect(a.tags[0].count).toBe(n);
    expect(a.tags[0].min).toBeCloseTo(Math.min(...vals), 9);
    expect(a.tags[0].max).toBeCloseTo(Math.max(...vals), 9);
    expect(a.tags[0].avg).toBeCloseTo(vals.reduce((x, y) => x + y, 0) / n, 9);
    expect(a.tags[0].first).toBeCloseTo(vals[0], 9);
    expect(a.tags[0].last).toBeCloseTo(vals[n - 1], 9);
  });

  it('downsamples a frame to about N points inside its window', async () => {
    const [s] = await frameDownsampled(tsdb, batches[0], [TAG], T0, 50);
    expect(s.ts.length).toBeGreaterThan(10);
    expect(s.ts.length).toBeLessThanOrEqual(52);
    expect(Math.min(...s.ts)).toBeGreaterThanOrEqual(batches[0].start);
    expect(Math.max(...s.ts)).toBeLessThan(batches[0].end!);
    expect(Math.min(...s.values)).toBeCloseTo(valueOf(0, 0), 9);
  });

  it('overlay aligns frames on their start, with deviation from a reference', async () => {
    const r = await overlay(tsdb, { tag: TAG, frames: batches.slice(1), reference: batches[0], points: 60, band: 0.5 }, T0);
    expect(r.spanMs).toBe(600_000);
    expect(r.bucketMs).toBe(10_000);
    const b1 = r.frames[0];
    // relative times are bucket starts since each frame's start, whatever its absolute time
    expect(b1.t.slice(0, 3)).toEqual([0, 10_000, 20_000]);
    expect(b1.t.length).toBe(50); // 500 s of data in 10 s buckets
    expect(r.frames[1].t.length).toBe(40);
    // bucket k averages s = 10k … 10k+9
    expect(b1.v[3]).toBeCloseTo(valueOf(1, 34.5), 9);
    expect(r.reference!.v[3]).toBeCloseTo(valueOf(0, 34.5), 9);
    // same slope, offset by the batch number: deviation is exactly 1 and 2
    for (const d of b1.deviation!) expect(d).toBeCloseTo(1, 9);
    expect(r.frames[1].maxDeviation).toBeCloseTo(2, 9);
    expect(r.reference!.hi![0] - r.reference!.lo![0]).toBeCloseTo(1, 9);
    // envelope of the compared frames only
    expect(r.envelope.lo[0]).toBeCloseTo(valueOf(1, 4.5), 9);
    expect(r.envelope.hi[0]).toBeCloseTo(valueOf(2, 4.5), 9);
    expect(r.envelope.t.length).toBe(50);
  });

  it('overlays the same from the in-memory head and from blocks on disk', async () => {
    let now = T0 + 10 * 3_600_000;
    const onDisk = await TsdbStore.open({ dir: await makeTempDir('frames-blocks-'), maintenanceIntervalMs: 0, outOfOrderWindowMs: 1e12, clock: () => now });
    try {
      for await (const b of tsdb.raw({ tag: TAG, from: 0, to: T0 + 24 * 3_600_000 })) {
        await onDisk.write(Array.from(b.ts, (ts, i) => ({ tag: TAG, ts, value: b.values[i], quality: b.quality[i] })));
      }
      now += 10 * 24 * 3_600_000;
      // cut the head into blocks (compact() alone only merges blocks that exist)
      await onDisk.flush();
      await onDisk.compact();
      expect(onDisk.stats().headSamples).toBe(0);
      expect(onDisk.stats().blocks).toBeGreaterThan(0);
      expect(tsdb.stats().headSamples).toBe(1803);
      const req = { tag: TAG, frames: batches.slice(1), reference: batches[0], points: 77, band: 0.5 };
      expect(await overlay(onDisk, req, T0)).toEqual(await overlay(tsdb, req, T0));
    } finally {
      await onDisk.close();
    }
  });

  it('refuses an empty overlay naming the field', async () => {
    await expect(overlay(tsdb, { tag: TAG, frames: [] }, T0)).rejects.toThrow(/^ids:/);
    await expect(overlay(tsdb, { tag: TAG, frames: batches, points: 1 }, T0)).rejects.toThrow(/^points:/);
    await expect(overlay(tsdb, { frames: batches }, T0)).rejects.toThrow(/^tag: give a tag, or a point name/);
    await expect(overlay(tsdb, { tag: TAG, point: 'temp', frames: batches }, T0)).rejects.toThrow(/^tag:/);
    await expect(overlay(tsdb, { point: 'flow', frames: batches }, T0)).rejects.toThrow(/^point: frame "B0" has no tag ending in "\.flow"/);
  });

  it('overlays a point name with each frame\'s own tag: trips of two pumps, each with its own flow', async () => {
    const P = 'acme.izmir.plant1.line1.cell1';
    const t0 = T0 + 4 * 3_600_000; // after the batches, before the store's clock
    const samples = [];
    for (let s = 0; s < 120; s++) {
      samples.push({ tag: `${P}.pump1.flow`, ts: t0 + s * 1000, value: 10 + s, quality: 0 });
      samples.push({ tag: `${P}.pump2.flow`, ts: t0 + 3_600_000 + s * 1000, value: 500 + s, quality: 0 });
      samples.push({ tag: `${P}.pump1.temperature`, ts: t0 + s * 1000, value: 40, quality: 0 });
    }
    await tsdb.write(samples);
    const trip1 = frames.add({ template: 'trip', name: 'P1 trip', start: t0, end: t0 + 120_000, tags: [`${P}.pump1.flow`, `${P}.pump1.temperature`] });
    const trip2 = frames.add({ template: 'trip', name: 'P2 trip', start: t0 + 3_600_000, end: t0 + 3_720_000, tags: [`${P}.pump2.flow`] });
    const r = await overlay(tsdb, { point: 'flow', frames: [trip2], reference: trip1, points: 12 }, T0 + 10 * 3_600_000);
    expect(r.tag).toBe('*.flow');
    expect(r.frames.map((f) => f.tag)).toEqual([`${P}.pump2.flow`]);
    expect(r.reference!.tag).toBe(`${P}.pump1.flow`);
    // bucket 0 averages s = 0 … 9 of each pump's own flow
    expect(r.reference!.v[0]).toBeCloseTo(14.5, 9);
    expect(r.frames[0].v[0]).toBeCloseTo(504.5, 9);
    expect(r.frames[0].deviation![0]).toBeCloseTo(490, 9);
    // the answer's unit is the one every drawn tag has (the reference's included), else none
    expect(r.unit).toBeNull();
    const req = { point: 'flow', frames: [trip2], reference: trip1, points: 12 };
    const units = new Map([[`${P}.pump1.flow`, 'm3/h'], [`${P}.pump2.flow`, 'm3/h']]);
    expect((await overlay(tsdb, { ...req, unitOf: (t) => units.get(t) }, T0 + 10 * 3_600_000)).unit).toBe('m3/h');
    units.set(`${P}.pump1.flow`, 'l/min');
    expect((await overlay(tsdb, { ...req, unitOf: (t) => units.get(t) }, T0 + 10 * 3_600_000)).unit).toBeNull();
    units.delete(`${P}.pump1.flow`);
    expect((await overlay(tsdb, { ...req, unitOf: (t) => units.get(t) }, T0 + 10 * 3_600_000)).unit).toBeNull();
    await expect(overlay(tsdb, { point: 'temperature', frames: [trip1, trip2] }, T0 + 10 * 3_600_000)).rejects.toThrow(/^point: frame "P2 trip" has no tag ending in "\.temperature"; pick a tag instead/);
  });
});
