// The tag-limit system alarm over a real store and the real alarm service: raised while a
// store keeps refusing samples of new tags, normal again a window after the last refusal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmService } from '../../../runtime/alarm/service';
import { SystemAlarmMonitor } from '../../../runtime/health/system-alarms';
import { DEFAULT_THRESHOLDS, SystemHealth, TAG_LIMIT_WINDOW_MS } from '../../../runtime/health/system-health';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { StoreHandle } from '../../../runtime/tsdb/store-handle';

const cleanup: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

describe('tag-limit system alarm', () => {
  it('is raised on refusals by the tag limits and clears once they stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hist-taglimit-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const clock = { now: Date.UTC(2026, 11, 5, 12) };
    const store = await TsdbStore.open({ dir: join(dir, 'tsdb'), maintenanceIntervalMs: 0, clock: () => clock.now, tagLimits: { maxTags: 3 } });
    cleanup.push(() => store.close());
    const alarms = new AlarmService({ db: join(dir, 'alarms.db'), clock: () => clock.now });
    cleanup.push(() => alarms.close());
    const handle = new StoreHandle('default', Promise.resolve(store));
    await handle.ready;
    const health = new SystemHealth({
      stores: () => [['default', handle]], buffers: () => [], tiers: () => [], devices: () => [], audit: () => null, links: () => [],
      dataDir: dir, version: 'test', clock: () => clock.now,
    }, { ...DEFAULT_THRESHOLDS, diskFreePercent: 0 });
    const monitor = new SystemAlarmMonitor(health, alarms, { intervalMs: 0 });
    const state = () => alarms.get('sys.historian.health.tag_limit:DISCRETE')!;
    const write = (tags: string[]) => store.write(tags.map((tag) => ({ tag, ts: clock.now, value: 1, quality: 0 })));

    await write(['a.t1', 'a.t2', 'a.t3']);
    expect(monitor.check()!.problems).toEqual([]);
    expect(state().state).toBe('A');
    // a flood of new tags over the total limit
    clock.now += 1000;
    expect((await write(['a.n1', 'a.n2'])).errors!.map((e) => e.reason)).toEqual(['tag_limit', 'tag_limit']);
    const r = monitor.check()!;
    expect(r.problems).toEqual([expect.objectContaining({ area: 'store', kind: 'tag-limit', name: 'default' })]);
    expect(r.stores[0]).toMatchObject({ tags: 3, tagLimitRejected: 2 });
    expect(state()).toMatchObject({ state: 'B', conditionActive: true, priority: 'high' });
    // existing tags keep writing, the refusals stop: normal once the window has passed
    clock.now += TAG_LIMIT_WINDOW_MS - 1000;
    expect(await write(['a.t1'])).toMatchObject({ accepted: 1, rejected: 0 });
    expect(monitor.check()!.problems.map((p) => p.kind)).toEqual(['tag-limit']);
    clock.now += 1000;
    expect(monitor.check()!.problems).toEqual([]);
    expect(state().conditionActive).toBe(false);
  });
});
