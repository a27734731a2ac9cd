import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const D = 24 * H;

describe('retention', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-retention-'); });
  afterEach(async () => { await removeTempDir(dir); });

  const fill = async (s: TsdbStore, tags: string[], days: number) => {
    const b: Sample[] = [];
    for (let t = T0; t < T0 + days * D; t += 60_000) for (const tag of tags) b.push({ tag, ts: t, value: (t / 60_000) % 100, quality: 0 });
    await s.write(b);
    await s.flush();
    await s.compact();
  };

  it('deletes whole blocks older than the store retention', async () => {
    let now = T0 + 4 * D;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, retentionMs: 2 * D, outOfOrderWindowMs: 10 * D });
    await fill(s, ['r.a'], 4);
    const before = s.blocks().length;
    const files = () => fs.readdirSync(path.join(dir, 'blocks')).length;
    expect(files()).toBe(before);
    now = T0 + 5 * D + H;
    await s.maintain();
    const kept = s.blocks();
    expect(kept.length).toBeLessThan(before);
    expect(kept.every((b) => b.maxT >= now - 2 * D)).toBe(true);
    expect(files()).toBe(kept.length);
    const got = await readAll(s, 'r.a');
    expect(got[0].ts).toBeGreaterThanOrEqual(T0 + 3 * D - 2 * H); // only whole blocks go
    expect(got[got.length - 1].ts).toBe(T0 + 4 * D - 60_000);
    await s.close();
  });

  it('per-tag retention drops only that tag\'s old data when rewriting blocks', async () => {
    let now = T0 + 3 * D;
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now, outOfOrderWindowMs: 10 * D });
    await fill(s, ['r.short', 'r.long'], 3);
    s.tags.update('r.short', { retentionMs: D });
    now = T0 + 3 * D + H;
    await s.maintain();
    const short = await readAll(s, 'r.short');
    expect(short[0].ts).toBeGreaterThanOrEqual(now - D);
    expect(short[short.length - 1].ts).toBe(T0 + 3 * D - 60_000);
    expect((await readAll(s, 'r.long')).length).toBe(3 * 1440);
    await s.close();
    // and it stays that way after reopening
    const s2 = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now });
    expect((await readAll(s2, 'r.short'))[0].ts).toBeGreaterThanOrEqual(now - D);
    await s2.close();
  });
});
