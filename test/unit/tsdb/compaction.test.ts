import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import type { Sample } from '../../../runtime/model';
import { levelRanges, planCompaction } from '../../../runtime/tsdb/compact';
import type { BlockMeta } from '../../../runtime/tsdb/manifest';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { readAll, Reference, rng } from './reference';

const T0 = Date.UTC(2024, 0, 1); // a Monday; 7-day ranges are aligned to the epoch (Thursdays)
const H = 3_600_000;
const D = 24 * H;

function meta(id: string, minT: number, maxT: number, level: number, seq = 1): BlockMeta {
  return { id, seq, minT, maxT, level, bytes: 1, samples: 1, series: 1, location: 'local' };
}

describe('compaction planning', () => {
  const ranges = levelRanges(2 * H);
  it('uses 2 h -> 1 d -> 7 d levels', () => {
    expect(ranges).toEqual([2 * H, D, 7 * D]);
  });
  it('merges the level-0 blocks of a closed range and leaves open ranges alone', () => {
    const bs = [meta('a', T0, T0 + H, 0), meta('b', T0 + H, T0 + 2 * H - 1, 0), meta('c', T0 + 2 * H, T0 + 3 * H, 0)];
    const p = planCompaction(bs, ranges, T0 + 2 * H, new Set())!;
    expect(p.inputs.map((b) => b.id)).toEqual(['a', 'b']);
    expect(p).toMatchObject({ level: 1, start: T0, end: T0 + 2 * H, relabel: false });
    expect(planCompaction([bs[2]], ranges, T0 + 2 * H, new Set())).toBeNull();
  });
  it('merges late data into the block already covering its range', () => {
    const bs = [meta('day', T0, T0 + D - 1, 2, 5), meta('late', T0 + 5 * H, T0 + 5 * H + 10, 0, 9)];
    const p = planCompaction(bs, ranges, T0 + 2 * D, new Set())!;
    expect(p.inputs.map((b) => b.id).sort()).toEqual(['day', 'late']);
    expect(p).toMatchObject({ level: 2, start: T0, end: T0 + D });
  });
  it('skips blocks it is told to skip', () => {
    const bs = [meta('a', T0, T0 + H, 0), meta('b', T0 + H, T0 + 2 * H - 1, 0)];
    const p = planCompaction(bs, ranges, T0 + 3 * H, new Set(['a']))!;
    expect(p.inputs.map((b) => b.id)).toEqual(['b']);
    expect(p.relabel).toBe(true);
  });
});

describe('compaction in the store', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-compact-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('compacts 2 h -> 1 d -> 7 d including overlapping late data, newest write winning', async () => {
    let now = T0 + 5 * D;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, outOfOrderWindowMs: 3 * D });
    const ref = new Reference();
    const r = rng(3);
    const put = async (b: Sample[]) => { await s.write(b); ref.write(b); };
    // two days of two tags at 10 s, written in several cuts
    for (let part = 0; part < 4; part++) {
      const b: Sample[] = [];
      for (let t = T0 + part * 12 * H; t < T0 + (part + 1) * 12 * H; t += 10_000) {
        b.push({ tag: 'x.a', ts: t, value: Math.round(r() * 100), quality: 0 }, { tag: 'x.b', ts: t, value: -Math.round(r() * 100), quality: 0 });
      }
      await put(b);
      await s.flush();
    }
    await s.compact();
    expect(s.blocks().map((b) => b.level)).toEqual([2, 2]); // two days; the week is not closed yet
    // late data (overwrites and new points) into the first day, written after compaction
    const late: Sample[] = [];
    for (let i = 0; i < 500; i++) {
      const ts = T0 + Math.floor(r() * 24 * 360) * 10_000 + (i % 2 ? 5_000 : 0);
      late.push({ tag: 'x.a', ts, value: 1000 + i, quality: 0x4000 });
    }
    await put(late);
    await s.flush();
    expect(s.blocks().length).toBe(2 + 12); // late data cut into one level-0 block per 2 h range
    await s.compact();
    expect(s.blocks().map((b) => b.level)).toEqual([2, 2]);
    expect(await readAll(s, 'x.a')).toEqual(ref.series('x.a'));
    expect(await readAll(s, 'x.b')).toEqual(ref.series('x.b'));
    // once the week is closed both days merge into one 7-day block
    now = T0 + 30 * D;
    await s.compact();
    const levels = s.blocks().map((b) => b.level);
    expect(Math.max(...levels)).toBe(3);
    expect(await readAll(s, 'x.a')).toEqual(ref.series('x.a'));
    await s.close();
    const s2 = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now });
    expect(await readAll(s2, 'x.a')).toEqual(ref.series('x.a'));
    expect(s2.stats().blockSamples).toBe(ref.series('x.a').length + ref.series('x.b').length);
    await s2.close();
  });

  it('background maintenance cuts, compacts and stops on close', async () => {
    let now = T0 + 10 * D;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 5, clock: () => now, maxHeadSamples: 1000 });
    const b: Sample[] = Array.from({ length: 5000 }, (_, i) => ({ tag: 'm.a', ts: T0 + i * 10_000, value: i, quality: 0 }));
    await s.write(b);
    const until = Date.now() + 10_000;
    while ((s.stats().headSamples > 0 || s.stats().compactions === 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(s.stats().headSamples).toBe(0);
    expect(s.stats().compactions).toBeGreaterThan(0);
    expect((await readAll(s, 'm.a')).length).toBe(5000);
    await s.close();
  });
});
