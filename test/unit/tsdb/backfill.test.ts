// A backfill of old history is cut into week-aligned blocks (the level compaction would give
// them), not one tiny block per 2-hour range, and reads back complete.
import { afterEach, describe, expect, it } from 'vitest';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
let dir: string;
afterEach(async () => { if (dir) await removeTempDir(dir); });

describe('backfill of history', () => {
  it('writes a year of daily samples as about 53 week blocks and keeps every sample', async () => {
    dir = await makeTempDir('tsdb-backfill-');
    const now = Date.UTC(2026, 5, 1);
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, outOfOrderWindowMs: 2 * 365 * DAY, clock: () => now });
    await s.write([{ tag: 'a.b', ts: now, value: -1, quality: 0 }]);
    const history = Array.from({ length: 365 }, (_, i) => ({ tag: 'a.b', ts: now - (365 - i) * DAY, value: i, quality: 0 }));
    await s.write(history);
    await s.flush();
    const blocks = s.blocks();
    expect(blocks.length).toBeLessThanOrEqual(60); // 365 blocks before: one per 2-hour range
    // old data sits in week-aligned blocks of the top level; the newest day stays in 2 h blocks
    const weekly = blocks.filter((b) => b.level === 3);
    expect(weekly.length).toBeGreaterThanOrEqual(50);
    for (const b of weekly) expect(Math.floor(b.minT / WEEK)).toBe(Math.floor(b.maxT / WEEK));
    const got: number[] = [];
    for await (const b of s.raw({ tag: 'a.b', from: 0, to: now + 1 })) got.push(...b.values);
    expect(got).toEqual([...history.map((h) => h.value), -1]);
    // late data into a week that already has its block is merged by compaction, not lost
    await s.write([{ tag: 'a.b', ts: now - 100 * DAY + 3_600_000, value: 1000, quality: 0 }]);
    await s.flush();
    await s.compact();
    const again: number[] = [];
    for await (const b of s.raw({ tag: 'a.b', from: now - 101 * DAY, to: now - 99 * DAY })) again.push(...b.values);
    expect(again).toEqual([264, 265, 1000]);
    await s.close();
  });
});
