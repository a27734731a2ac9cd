// plant-sim with a store, as the demo runs it: tag metadata in the registry before any
// history, history written into an empty store up to the present, live samples carrying
// msg.tagMeta on to historian-write, counters saved on stop and continued on the next start.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { existsSync, writeFileSync } from 'node:fs';
import plantSim from '../../nodes/plant-sim/plant-sim';
import historianStore from '../../nodes/historian-store/historian-store';
import historianWrite from '../../nodes/historian-write/historian-write';
import { services } from '../../runtime/registry';
import { counterFile, readCounters } from '../../runtime/sim';
import type { StoreHandle } from '../../runtime/tsdb/store-handle';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [plantSim, historianStore, historianWrite] as any[];
const P = 'acme.izmir.plant1.line1.cell1.pump1';
let dataDir: string;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('plant-sim-store-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await removeTempDir(dataDir); });

const flow = [
  { id: 'st', type: 'historian-store', name: 'default', directory: 'tsdb/sim', fsync: 'interval', fsyncIntervalMs: 20 },
  { id: 'sim', type: 'plant-sim', name: 'plant', seed: 1, lines: 1, pumps: 1, rate: 8, story: true, faultRate: 0, store: 'st',
    backfillDays: 0.01, backfillStepS: 60, backfillDetailHours: 0.05, backfillDetailStepS: 1, wires: [['w', 'h'], []] },
  { id: 'w', type: 'historian-write', name: 'write', store: 'st', logging: 'tag', wires: [[]] },
  { id: 'h', type: 'helper' },
];

function load(): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, () => resolve()));
}

describe('plant-sim with a store', () => {
  it('registers metadata, writes history up to now, then continues live with counters that survive a restart', async () => {
    const t0 = Date.now();
    await load();
    const msgs: any[] = [];
    helper.getNode('h').on('input', (m: any) => msgs.push(m));
    await waitFor(() => msgs.length > 0, { what: 'the first live batch', timeoutMs: 20_000 });
    const store = await (helper.getNode('st') as unknown as { handle: StoreHandle }).handle.ready;
    expect(store.tags.get(`${P}.temperature`)).toMatchObject({ unit: '°C', interpolation: 'linear', spanLow: 0, spanHigh: 100 });
    expect(store.tags.get(`${P}.trip`)).toMatchObject({ valueType: 'boolean', interpolation: 'step', states: ['healthy', 'tripped'] });
    // history: 0.01 d at 1 min, then the last 3 min at 1 s, reaching the first live sample
    const history: number[] = [];
    for await (const b of store.raw({ tag: `${P}.flow`, from: t0 - 86_400_000, to: msgs[0].payload[0].ts })) history.push(...b.ts);
    expect(history[0]).toBeLessThanOrEqual(t0 - 0.01 * 86_400_000 + 60_000);
    expect(history.filter((t) => t > t0 - 170_000).length).toBeGreaterThan(150);
    expect(msgs[0].payload[0].ts - history[history.length - 1]).toBeLessThanOrEqual(1000);
    expect(msgs[0].tagMeta?.[`${P}.run_hours`]).toMatchObject({ unit: 'h' });
    expect(msgs.slice(1).every((m) => m.tagMeta === undefined)).toBe(true);

    // stop (as on redeploy or shutdown): the counters are saved
    const file = counterFile(dataDir, 'sim');
    await helper.unload();
    expect(existsSync(file)).toBe(true);
    const saved = readCounters(file);
    expect(saved[`${P}.total`]).toBeGreaterThan(0);
    // a counter saved above the store's value wins: nothing goes backwards from it
    writeFileSync(file, JSON.stringify({ version: 1, savedAt: Date.now(), counters: { ...saved, [`${P}.total`]: saved[`${P}.total`] + 500 } }));
    await load();
    const again: any[] = [];
    helper.getNode('h').on('input', (m: any) => again.push(m));
    await waitFor(() => again.length > 0, { what: 'live samples after the restart', timeoutMs: 20_000 });
    const total = again[0].payload.find((s: any) => s.tag === `${P}.total`);
    expect(total.value).toBeGreaterThanOrEqual(saved[`${P}.total`] + 500);
  });
});
