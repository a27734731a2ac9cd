// When a store was open (uptime.ts, FORMAT-uptime.md): runs across restarts, a crash's run
// ending at its last heartbeat, a damaged file never stopping the store, and the downtime a
// downsample answer carries so a chart breaks its lines there.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runQuery, parseQueryRequest } from '../../../runtime/tsdb/query-request';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { HEARTBEAT_MS, MAX_RUNS, UptimeLog } from '../../../runtime/tsdb/uptime';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const T0 = Date.UTC(2026, 0, 1);
let dir: string;
let now: number;
const clock = () => now;
const warnings: string[] = [];
const warn = (m: string) => warnings.push(m);
const file = () => path.join(dir, 'uptime.json');
const runs = () => (JSON.parse(fs.readFileSync(file(), 'utf8')) as { runs: Array<[number, number]> }).runs;

beforeEach(async () => { dir = await makeTempDir('tsdb-uptime-'); now = T0; warnings.length = 0; });
afterEach(async () => { await removeTempDir(dir); });

describe('uptime log', () => {
  it('records each run; the time between a close and the next open is downtime, clipped to the range asked', () => {
    const a = UptimeLog.open(dir, clock, warn);
    now += 60_000;
    a.close();
    now += 30_000; // stopped for 30 s
    const b = UptimeLog.open(dir, clock, warn);
    now += 5_000;
    b.beat();
    expect(runs()).toEqual([[T0, T0 + 60_000], [T0 + 90_000, T0 + 95_000]]);
    expect(b.downtime(T0, now)).toEqual([[T0 + 60_000, T0 + 90_000]]);
    expect(b.downtime(T0 + 70_000, T0 + 80_000)).toEqual([[T0 + 70_000, T0 + 80_000]]);
    expect(b.downtime(T0, T0 + 60_000)).toEqual([]);
    expect(b.downtime(T0 + 90_000, now)).toEqual([]);
    b.close();
    expect(warnings).toEqual([]);
  });

  it('a crash leaves the run ending at its last heartbeat', () => {
    const a = UptimeLog.open(dir, clock, warn);
    now += 3 * HEARTBEAT_MS;
    a.beat();
    now += HEARTBEAT_MS / 2; // killed here: no close
    const crashedAt = now;
    now += 120_000;
    const b = UptimeLog.open(dir, clock, warn);
    const [[from, to]] = b.downtime(T0, now);
    expect(to).toBe(now);
    expect(crashedAt - from).toBeGreaterThanOrEqual(0);
    expect(crashedAt - from).toBeLessThanOrEqual(HEARTBEAT_MS);
    b.close();
    a.close(); // the old instance's timer
  });

  it('a damaged or foreign file is started afresh with a warning, and the store still opens', async () => {
    for (const text of ['{not json', JSON.stringify({ version: 9, runs: [] }), JSON.stringify({ version: 1, runs: [[5, 1]] })]) {
      fs.writeFileSync(file(), text);
      warnings.length = 0;
      const log = UptimeLog.open(dir, clock, warn);
      expect(warnings.join()).toMatch(/uptime\.json unreadable/);
      expect(runs()).toEqual([[now, now]]);
      log.close();
    }
    fs.writeFileSync(file(), '{not json');
    const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock });
    expect(store.downtime(T0 - 1000, T0 + 1000)).toEqual([]);
    await store.close();
  });

  it('keeps the newest runs only, and reads a clock set back as no downtime', () => {
    fs.writeFileSync(file(), JSON.stringify({ version: 1, runs: Array.from({ length: MAX_RUNS + 50 }, (_, i) => [i * 10, i * 10 + 5]) }));
    now = MAX_RUNS * 100;
    const log = UptimeLog.open(dir, clock, warn);
    expect(runs().length).toBe(MAX_RUNS);
    expect(runs()[0][0]).toBe(51 * 10);
    log.close();
    // the clock went back 1 h between two runs: they overlap, nothing was missed
    fs.writeFileSync(file(), JSON.stringify({ version: 1, runs: [[T0, T0 + 7_200_000]] }));
    now = T0 + 3_600_000;
    const back = UptimeLog.open(dir, clock, warn);
    expect(back.downtime(T0, T0 + 7_200_000)).toEqual([]);
    back.close();
  });
});

describe('downtime in downsample and aligned answers', () => {
  it('lists the stretch the store was closed, and nothing for a range without one', async () => {
    let store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock });
    await store.write(Array.from({ length: 60 }, (_, i) => ({ tag: 'u.t', ts: T0 + i * 1000, value: i, quality: 0 })));
    now = T0 + 60_000;
    await store.close();
    now = T0 + 600_000; // ten minutes stopped
    store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock });
    await store.write(Array.from({ length: 60 }, (_, i) => ({ tag: 'u.t', ts: now + i * 1000, value: i, quality: 0 })));
    const ask = (from: number, to: number) => runQuery(store, parseQueryRequest({ kind: 'downsample', tag: 'u.t', from: String(from), to: String(to), points: '100' })) as Promise<{ downtime: Array<[number, number]>; ts: number[] }>;
    const all = await ask(T0, T0 + 700_000);
    expect(all.downtime).toEqual([[T0 + 60_000, T0 + 600_000]]);
    // no sample lies inside it: a chart has nothing to join the two sides with but a guess
    expect(all.ts.filter((t) => t > T0 + 60_000 && t < T0 + 600_000)).toEqual([]);
    expect((await ask(T0, T0 + 30_000)).downtime).toEqual([]);
    // aligned rows inside it hold the value from before: the answer says where that is
    const aligned = await runQuery(store, parseQueryRequest({ kind: 'aligned', tags: 'u.t', from: String(T0), to: String(T0 + 700_000), stepMs: '60000' })) as { downtime: Array<[number, number]>; rows: unknown[] };
    expect(aligned.rows.length).toBeGreaterThan(10);
    expect(aligned.downtime).toEqual([[T0 + 60_000, T0 + 600_000]]);
    await store.close();
  });
});
