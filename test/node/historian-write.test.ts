import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { join } from 'node:path';
import plantSim from '../../nodes/plant-sim/plant-sim';
import historianStore from '../../nodes/historian-store/historian-store';
import historianWrite from '../../nodes/historian-write/historian-write';
import historianQuery from '../../nodes/historian-query/historian-query';
import { services } from '../../runtime/registry';
import { DiskWatermark } from '../../runtime/disk/disk-watermark';
import { TsdbStore } from '../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [plantSim, historianStore, historianWrite, historianQuery] as any[];
let dataDir: string;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('historian-write-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await removeTempDir(dataDir); });

const store = (dir: string) => ({ id: 'st1', type: 'historian-store', name: 'default', directory: dir, fsync: 'interval', fsyncIntervalMs: 20 });

function load(flow: object[]): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, () => resolve()));
}

async function readAll(dir: string, tag: string): Promise<Array<[number, number, number]>> {
  const s = await TsdbStore.open({ dir: join(dataDir, dir), maintenanceIntervalMs: 0 });
  try {
    const out: Array<[number, number, number]> = [];
    for await (const b of s.raw({ tag, from: 0, to: 8_000_000_000_000 })) for (let i = 0; i < b.ts.length; i++) out.push([b.ts[i], b.values[i], b.quality[i]]);
    return out;
  } finally {
    await s.close();
  }
}

describe('historian-write', () => {
  it('reports samples the store refuses (clock far ahead) as errors with the reason, stores late ones, counts neither as stored', async () => {
    await load([store('tsdb/refuse'), { id: 'w1', type: 'historian-write', store: 'st1', logging: 'every', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const w = helper.getNode('w1');
    const passed: any[] = [];
    helper.getNode('h1').on('input', (m: any) => passed.push(m));
    const errors: string[] = [];
    w.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    const now = Date.now();
    w.receive({ payload: [
      { tag: 'acme.p.a.l.c.e.level', ts: now, value: 1 },
      { tag: 'acme.p.a.l.c.e.level', ts: now - 2 * 86_400_000, value: 2 }, // two days late: stored
      { tag: 'acme.p.a.l.c.e.level', ts: now + 86_400_000, value: 3 }, // a day ahead: refused
    ] });
    await waitFor(() => passed.length === 1 && errors.length === 1, { what: 'one message on and one error' });
    expect(errors[0]).toMatch(/^acme\.p\.a\.l\.c\.e\.level ts: .* ahead of the server clock.*; 2 sample\(s\) stored$/);
    // a message whose only sample is refused is not passed on
    w.receive({ topic: 'acme.p.a.l.c.e.level', payload: 4, timestamp: now + 3_600_000 });
    await waitFor(() => errors.length === 2, { what: 'second error' });
    expect(errors[1]).toMatch(/0 sample\(s\) stored$/);
    expect(passed).toHaveLength(1);
    await helper.unload();
    expect((await readAll('tsdb/refuse', 'acme.p.a.l.c.e.level')).map((r) => r[1])).toEqual([2, 1]);
  });

  it('below the disk watermark refuses the whole message with a node error and a red status, and resumes when space returns', async () => {
    const space = { free: 100 * 1_048_576 };
    services().disk = new DiskWatermark({ dir: dataDir, minFreeBytes: 10 * 1_048_576, minFreePercent: 0, cacheMs: 0, probe: () => ({ totalBytes: 1000 * 1_048_576, freeBytes: space.free }) });
    try {
      await load([store('tsdb/disk'), { id: 'w1', type: 'historian-write', store: 'st1', logging: 'every', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
      const w = helper.getNode('w1');
      const passed: any[] = [];
      helper.getNode('h1').on('input', (m: any) => passed.push(m));
      const errors: string[] = [];
      const statuses: string[] = [];
      w.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
      w.on('call:status', (c: any) => statuses.push(String(c.firstArg?.text ?? '')));
      const now = Date.now();
      w.receive({ topic: 'acme.p.a.l.c.e.disk', payload: 1, timestamp: now });
      await waitFor(() => passed.length === 1, { what: 'first write' });
      space.free = 5 * 1_048_576;
      w.receive({ payload: [{ tag: 'acme.p.a.l.c.e.disk', ts: now + 1, value: 2 }, { tag: 'acme.p.a.l.c.e.disk', ts: now + 2, value: 3 }] });
      await waitFor(() => errors.length === 1, { what: 'disk-low error' });
      expect(errors[0]).toMatch(/^data disk low: 5\.0 MB free, below the 10\.0 MB watermark/);
      expect(statuses).toContain('disk low: writes refused');
      expect(passed).toHaveLength(1);
      space.free = 100 * 1_048_576;
      w.receive({ topic: 'acme.p.a.l.c.e.disk', payload: 4, timestamp: now + 3 });
      await waitFor(() => passed.length === 2, { what: 'write after space returned' });
      await helper.unload();
      expect((await readAll('tsdb/disk', 'acme.p.a.l.c.e.disk')).map((x) => x[1])).toEqual([1, 4]);
    } finally {
      services().disk = null;
    }
  });

  it('stores single samples and batches, reports invalid ones by field and stores the rest', async () => {
    await load([store('tsdb/a'), { id: 'w1', type: 'historian-write', store: 'st1', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const w = helper.getNode('w1');
    const out = helper.getNode('h1');
    const passed: any[] = [];
    out.on('input', (m: any) => passed.push(m));
    const errors: string[] = [];
    w.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    w.receive({ topic: 'acme.p.a.l.c.e.flow', payload: 12.5, timestamp: 1_700_000_000_000 });
    w.receive({ topic: 'acme.p.a.l.c.e.flow', payload: true, timestamp: 1_700_000_001_000, quality: 'UNCERTAIN' });
    w.receive({ payload: [
      { tag: 'acme.p.a.l.c.e.flow', ts: 1_700_000_002_000, value: 13 },
      { tag: 'acme.p.a.l.c.e.flow', ts: 1_700_000_003_000, value: Number.NaN },
      { tag: 'bad tag', ts: 1_700_000_004_000, value: 1 },
    ] });
    await waitFor(() => passed.length === 3 && errors.length === 1, { what: '3 passed messages and 1 error' });
    expect(errors[0]).toMatch(/^\[1\]\.value: must be a finite number/);
    expect(errors[0]).toContain('and 1 more');
    w.receive({ topic: 'acme.p.a.l.c.e.flow', payload: 'abc' });
    await waitFor(() => errors.length === 2, { what: 'error for a non-numeric payload' });
    expect(errors[1]).toMatch(/^msg\.payload: /);
    await helper.unload();
    expect(await readAll('tsdb/a', 'acme.p.a.l.c.e.flow')).toEqual([
      [1_700_000_000_000, 12.5, 0], [1_700_000_001_000, 1, 0x4000], [1_700_000_002_000, 13, 0],
    ]);
  });

  it('applies deadband logging', async () => {
    await load([store('tsdb/b'), { id: 'w1', type: 'historian-write', store: 'st1', logging: 'deadband', deviation: 1, wires: [[]] }]);
    const w = helper.getNode('w1');
    const values = [10, 10.5, 10.9, 11.2, 11.5, 9.9];
    w.receive({ payload: values.map((v, i) => ({ tag: 'a.b.c', ts: 1_000_000 + i * 1000, value: v })) });
    await waitFor(async () => (await services().components.stores.get('default')!.ready).stats().written >= 3, { what: 'deadband writes' });
    await helper.unload();
    expect((await readAll('tsdb/b', 'a.b.c')).map((r) => r[1])).toEqual([10, 11.2, 9.9]);
  });

  it('loses no acknowledged sample across redeploys under load', async () => {
    const flow = [
      store('tsdb/c'),
      { id: 's1', type: 'plant-sim', rate: 20000, lines: 2, pumps: 5, mode: 'batch', seed: 9, wires: [['w1']] },
      { id: 'w1', type: 'historian-write', store: 'st1', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    const acked = new Map<string, number>();
    const watch = () => helper.getNode('h1').on('input', (m: any) => {
      for (const s of m.payload) acked.set(`${s.tag}@${s.ts}`, s.value);
    });
    await load(flow);
    watch();
    for (let round = 0; round < 3; round++) {
      const before = acked.size;
      await waitFor(() => acked.size > before + 5000, { what: `acknowledged samples in round ${round}`, timeoutMs: 20_000 });
      await helper.setFlows(flow, 'full');
      watch();
    }
    await waitFor(() => acked.size > 20000, { what: 'more samples after the last redeploy', timeoutMs: 20_000 });
    await helper.unload();
    const tags = new Set([...acked.keys()].map((k) => k.split('@')[0]));
    let found = 0;
    for (const tag of tags) {
      for (const [ts, v] of await readAll('tsdb/c', tag)) {
        if (acked.get(`${tag}@${ts}`) === v) found++;
      }
    }
    expect(found).toBe(acked.size);
  });
});

describe('historian-query', () => {
  it('answers msg-driven raw, aggregate and latest queries and names bad fields', async () => {
    await load([
      store('tsdb/d'),
      { id: 'w1', type: 'historian-write', store: 'st1', wires: [[]] },
      { id: 'q1', type: 'historian-query', store: 'st1', kind: 'raw', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const w = helper.getNode('w1');
    w.receive({ payload: Array.from({ length: 10 }, (_, i) => ({ tag: 'x.y', ts: 60_000 * i, value: i })) });
    const st = await services().components.stores.get('default')!.ready;
    await waitFor(() => st.stats().written >= 10, { what: 'writes' });
    const q = helper.getNode('q1');
    const answers: any[] = [];
    helper.getNode('h1').on('input', (m: any) => answers.push(m.payload));
    const errors: string[] = [];
    q.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    q.receive({ topic: 'x.y', payload: { from: 0, to: 600_000, limit: 3 } });
    q.receive({ payload: { kind: 'aggregate', tag: 'x.y', from: 0, to: 600_000, bucketMs: 300_000, fns: ['min', 'max', 'count'] } });
    q.receive({ payload: { kind: 'latest', tags: ['x.y'] } });
    q.receive({ payload: { kind: 'raw', tag: 'x.y', from: 'yesterday', to: 'now' } });
    await waitFor(() => answers.length === 3 && errors.length === 1, { what: 'three answers and one error' });
    const byKind = Object.fromEntries(answers.map((a) => [a.kind, a]));
    expect(byKind.raw.samples.map((s: any) => s.value)).toEqual([0, 1, 2]);
    expect(byKind.aggregate.rows.map((r: any) => [r.ts, r.min, r.max, r.count])).toEqual([[0, 0, 4, 5], [300_000, 5, 9, 5]]);
    expect(byKind.latest.samples[0]).toMatchObject({ tag: 'x.y', ts: 540_000, value: 9, quality: 'GOOD' });
    expect(errors[0]).toMatch(/^from: /);
  });

  it('shows on the node that it cannot reach its store, and clears it once a query works', async () => {
    await load([{ id: 'q0', type: 'historian-query', store: 'no-such-store', kind: 'latest', wires: [['h0']] }, { id: 'h0', type: 'helper' }]);
    const q = helper.getNode('q0');
    const last = () => (q.status as any).getCalls().filter((c: any) => c.thisValue === q).at(-1)?.firstArg;
    expect(last()).toEqual({ fill: 'red', shape: 'ring', text: 'store: no historian store configured; pick or add one in the node' });
    await helper.unload();
    await load([store('tsdb/query-status'), { id: 'q1', type: 'historian-query', store: 'st1', kind: 'latest', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const q1 = helper.getNode('q1');
    const got: any[] = [];
    helper.getNode('h1').on('input', (m: any) => got.push(m));
    const errors: string[] = [];
    q1.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    q1.receive({ payload: { tags: 'acme..bad' } });
    await waitFor(() => errors.length === 1, { what: 'the refused query' });
    const status1 = () => (q1.status as any).getCalls().filter((c: any) => c.thisValue === q1).at(-1)?.firstArg;
    expect(status1()).toMatchObject({ fill: 'red', shape: 'ring' });
    q1.receive({ payload: { tags: ['acme.p.a.l.c.e.level'] } });
    await waitFor(() => got.length === 1, { what: 'the answer' });
    expect(status1()).toEqual({});
  });
});
