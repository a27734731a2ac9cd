import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import twinPredict from '../../nodes/twin-predict/twin-predict';
import historianStore from '../../nodes/historian-store/historian-store';
import historianWrite from '../../nodes/historian-write/historian-write';
import { services } from '../../runtime/registry';
import { fitRegression, serializeModel } from '../../runtime/twin';
import { PlantSimulator } from '../../runtime/sim';
import type { Sample } from '../../runtime/model';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require('@node-red/nodes/core/function/10-function.js');
const NODES = [twinPredict, historianStore] as any[];
const SKAB = join(__dirname, '../../..', 'shared/datasets/skab');
const P = 'acme.izmir.plant1.line1.cell1.pump1';
const T = `${P}.temperature`;
const F = `${P}.flow`;
const PR = `${P}.pressure`;
let dataDir: string;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('twin-predict-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await removeTempDir(dataDir); });

function load(nodesOrFlow: object[], flow?: object[]): Promise<void> {
  const [nodes, f] = flow ? [nodesOrFlow, flow] : [NODES, nodesOrFlow];
  return new Promise((resolve) => helper.load(nodes, f, () => resolve()));
}

/** The demo plant's physics, deterministic: temperature follows flow and pressure. */
function plant(i: number, t0: number, fault = 0): Sample[] {
  const ts = t0 + i * 1000;
  const flow = 60 + 15 * Math.sin(i / 37) + 3 * Math.sin(i * 1.7);
  const pressure = 2 + flow * 0.04 + 0.2 * Math.cos(i / 11);
  const temperature = 45 + 0.1 * flow + 1.5 * (pressure - 4) + 0.05 * Math.sin(i * 2.3) + fault;
  return [{ tag: F, ts, value: flow, quality: 0 }, { tag: PR, ts, value: pressure, quality: 0 }, { tag: T, ts, value: temperature, quality: 0 }];
}

function outputs(id: string): { samples: any[]; events: any[] } {
  const r = { samples: [] as any[], events: [] as any[] };
  helper.getNode(id).on('input', (m: any) => { (m.topic === 'twin-predict' ? r.samples : r.events).push(m); });
  return r;
}

const store = { id: 'st1', type: 'historian-store', name: 'default', directory: 'tsdb/twin', fsync: 'never' };

describe('twin-predict node', () => {
  it('trains from the store on msg.train, writes predicted/lo/hi and raises and ends anomaly events', async () => {
    await load([
      store,
      { id: 'tp1', type: 'twin-predict', model: 'pump1-temp', store: 'st1', trainKind: 'regression', trainTarget: T, trainInputs: `${F}, ${PR}`,
        method: 'ksigma', threshold: 4, minDurationS: 3, wires: [['o1'], ['o2']] },
      { id: 'o1', type: 'helper' }, { id: 'o2', type: 'helper' },
    ]);
    const n = helper.getNode('tp1');
    const o1 = outputs('o1');
    const o2 = outputs('o2');
    const errors: string[] = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));

    // no model yet: samples are refused with a clear error
    n.receive({ payload: plant(0, 1_000_000).map((s) => ({ ...s, quality: 'GOOD' })) });
    await waitFor(() => errors.length === 1, { what: 'no-model error' });
    expect(errors[0]).toMatch(/model "pump1-temp" not found .*train it first/);

    const s = await services().components.stores.get('default')!.ready;
    const t0 = Date.now() - 3_600_000;
    const history: Sample[] = [];
    for (let i = 0; i < 1800; i++) history.push(...plant(i, t0));
    await s.write(history);
    n.receive({ train: { from: t0, to: t0 + 1_800_000, stepMs: 1000 } });
    await waitFor(() => o2.events.some((m) => m.topic === 'twin/trained'), { what: 'trained message' });
    const trained = o2.events.find((m) => m.topic === 'twin/trained').payload;
    expect(trained).toMatchObject({ model: 'pump1-temp', kind: 'regression', window: { rows: 1800 } });
    expect(trained.validation.r2).toBeGreaterThan(0.99);
    expect(existsSync(join(dataDir, 'twin-models', 'pump1-temp.json'))).toBe(true);

    // normal operation: a prediction and its band at every target sample, no anomaly
    const live = t0 + 2_000_000;
    for (let i = 0; i < 20; i++) n.receive({ payload: plant(2000 + i, live).map((x) => ({ ...x, quality: 'GOOD' })) });
    await waitFor(() => o1.samples.length === 20, { what: '20 prediction batches' });
    const first = o1.samples[0].payload;
    expect(first.map((x: any) => x.tag)).toEqual([`${T}.predicted`, `${T}.predicted.lo`, `${T}.predicted.hi`, `${T}.confidence`]);
    // the confidence tag: the model's rolling accuracy, high on the data it was trained for
    expect(first[3].value).toBeGreaterThan(0.5);
    expect(first[3].value).toBeLessThanOrEqual(1);
    expect(first.every((x: any) => x.ts === plant(2000, live)[0].ts)).toBe(true);
    const actual = plant(2000, live)[2].value;
    expect(Math.abs(first[0].value - actual)).toBeLessThan(0.5);
    expect(first[1].value).toBeLessThan(first[0].value);
    expect(first[2].value).toBeGreaterThan(first[0].value);
    expect(o2.events.filter((m) => m.topic === 'sys.analytics.anomaly')).toHaveLength(0);

    // a fault: temperature 5 °C above the model for 10 s, then back
    for (let i = 0; i < 10; i++) n.receive({ payload: plant(2020 + i, live, 5) });
    for (let i = 0; i < 5; i++) n.receive({ payload: plant(2030 + i, live) });
    await waitFor(() => o2.events.filter((m) => m.topic === 'sys.analytics.anomaly').length === 2, { what: 'anomaly start and end' });
    const [start, end] = o2.events.filter((m) => m.topic === 'sys.analytics.anomaly').map((m) => m.payload);
    expect(start).toMatchObject({ phase: 'start', tag: T, detector: 'ksigma', start: plant(2020, live)[0].ts, channels: [{ tag: T, share: 1 }] });
    expect(start.residual).toBeGreaterThan(4);
    expect(start.confidence).toBeGreaterThan(0);
    expect(start.confidence).toBeLessThanOrEqual(1);
    expect(end).toMatchObject({ phase: 'end', end: plant(2030, live)[0].ts, start: start.start });
    expect(o1.samples.length).toBe(35);
  });

  it('installs a model shipped in the flow and reports a bad model by field', async () => {
    const t0 = 1_000_000;
    const rows = Array.from({ length: 300 }, (_, i) => plant(i, t0));
    const model = fitRegression({
      ts: rows.map((r) => r[0].ts),
      columns: { [F]: rows.map((r) => r[0].value), [PR]: rows.map((r) => r[1].value), [T]: rows.map((r) => r[2].value) },
    }, { target: T, inputs: [F, PR] });
    await load([{ id: 'tp1', type: 'twin-predict', model: 'shipped', modelJson: serializeModel(model), wires: [['o1'], ['o2']] },
      { id: 'o1', type: 'helper' }, { id: 'o2', type: 'helper' }]);
    expect(JSON.parse(readFileSync(join(dataDir, 'twin-models', 'shipped.json'), 'utf8')).kind).toBe('regression');
    const o1 = outputs('o1');
    helper.getNode('tp1').receive({ payload: plant(400, t0) });
    await waitFor(() => o1.samples.length === 1, { what: 'a prediction' });
    await helper.unload();

    const broken = { ...JSON.parse(serializeModel(model)), residual: { mean: 0, sigma: 'wide', rows: 1, quantiles: [] } };
    await load([{ id: 'tp2', type: 'twin-predict', model: 'broken', modelJson: JSON.stringify(broken), wires: [[], []] }]);
    const n = helper.getNode('tp2');
    const last = (n.status as any).getCalls().filter((c: any) => c.thisValue === n).at(-1).firstArg;
    expect(last.fill).toBe('red');
    expect(last.text).toMatch(/residual\.sigma/);
  });

  it('example: the shipped demo-plant model tracks the pump 1 temperature of the simulator', async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../examples/twin-predict/Pump temperature twin.json'), 'utf8')) as any[];
    const { z: _z, x: _x, y: _y, ...twin } = example.find((n) => n.type === 'twin-predict');
    await load([{ ...twin, model: 'demo-test', store: '', wires: [['o1'], ['o2']] }, { id: 'o1', type: 'helper' }, { id: 'o2', type: 'helper' }]);
    const o1 = outputs('o1');
    const sim = new PlantSimulator({ seed: 7, prefix: 'acme.izmir.plant1', lines: 1, pumpsPerLine: 1, rate: 6, start: 1_700_000_000_000, faultRate: 0 });
    const n = helper.getNode(twin.id);
    for (let k = 0; k < 300; k++) n.receive({ payload: sim.tick().map((x) => ({ ...x, quality: 'GOOD' })) });
    await waitFor(() => o1.samples.length >= 299, { what: 'predictions for every tick' });
    // one-step predictions within the band, and the band a fraction of a degree wide
    const last = o1.samples.slice(-100).map((m) => m.payload);
    const inBand = last.filter((p) => p[1].value <= p[0].value && p[0].value <= p[2].value);
    expect(inBand).toHaveLength(100);
    expect(last[0][2].value - last[0][1].value).toBeLessThan(1.5);
  });

  it('example: SKAB — no event from the anomaly-free model on normal data; the first-400-rows model finds the valve fault', async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../examples/twin-predict/SKAB pump rig twin.json'), 'utf8')) as any[];
    const keep = ['sk-ex-tab', 'sk-ex-store', 'sk-ex-rows', 'sk-ex-write', 'sk-ex-train-req', 'sk-ex-twin', 'sk-ex-valve'];
    const flow = example.filter((n) => keep.includes(n.id)).map((n) => {
      if (n.id === 'sk-ex-store') return { ...n, fsync: 'never' };
      if (n.id === 'sk-ex-twin' || n.id === 'sk-ex-valve') return { ...n, wires: [[], ['ev1']] };
      return n;
    });
    await load([...NODES, historianWrite, functionNode], [...flow, { id: 'ev1', type: 'helper', z: 'sk-ex-tab' }]);
    const ev = outputs('ev1');
    const rowsNode = helper.getNode('sk-ex-rows');
    // Events are taken from the twins' send calls: delivery to a wired node is queued behind
    // the replayed rows, while a send call is recorded when it happens.
    const sent: any[] = [];
    const statusCount: Record<string, number> = {};
    for (const id of ['sk-ex-twin', 'sk-ex-valve']) {
      const t = helper.getNode(id);
      statusCount[id] = 0;
      t.on('call:send', (c: any) => { const m = c.firstArg?.[1]; if (m?.topic === 'sys.analytics.anomaly') sent.push(m.payload); });
      t.on('call:status', () => { statusCount[id]++; });
    }
    const starts = (model: string) => sent.filter((e) => e.model === model && e.phase === 'start');
    const valveErrors: string[] = [];
    helper.getNode('sk-ex-valve').on('call:error', (c: any) => valveErrors.push(String(c.firstArg?.message ?? c.firstArg)));

    // the shipped model on the recording it was trained on: silent
    const free = readFileSync(join(SKAB, 'anomaly-free.csv'), 'utf8');
    const freeRows = free.split(/\r?\n/).filter(Boolean).length - 1;
    rowsNode.receive({ topic: 'detect', payload: free });
    await waitFor(() => valveErrors.length === freeRows && statusCount['sk-ex-twin'] >= freeRows, { what: 'every anomaly-free row processed', timeoutMs: 30_000 });
    expect(valveErrors[0]).toMatch(/model "skab-valve-file" not found/);
    expect(starts('skab-pump-rig')).toEqual([]);

    // the SKAB protocol on valve1/0: store, fit on the first 400 rows, replay
    const text = readFileSync(join(SKAB, 'valve1/0.csv'), 'utf8');
    const rows = text.split(/\r?\n/).filter(Boolean).slice(1).map((l) => {
      const f = l.split(';');
      return { ts: Date.parse(f[0].replace(' ', 'T') + 'Z'), anomaly: Number(f[9]) };
    });
    rowsNode.receive({ topic: 'store', payload: text });
    const s = await services().components.stores.get('skab')!.ready;
    await waitFor(async () => (await s.latest(['skab.rig.current']))[0]?.ts === rows.at(-1)!.ts, { what: 'file stored' });
    helper.getNode('sk-ex-train-req').receive({ payload: 1 });
    await waitFor(() => ev.events.some((m) => m.topic === 'twin/trained'), { what: 'trained on 400 rows' });
    expect(ev.events.find((m) => m.topic === 'twin/trained').payload).toMatchObject({ model: 'skab-valve-file', kind: 'pca', window: { rows: 400 } });
    // each twin sets its status once per message it has processed
    const before0 = statusCount['sk-ex-valve'];
    rowsNode.receive({ topic: 'detect', payload: text });
    await waitFor(() => statusCount['sk-ex-valve'] >= before0 + rows.length, { what: 'every valve row processed', timeoutMs: 30_000 });
    // flagged = inside an event; an event still open at the end runs to the last row
    const valve = sent.filter((e) => e.model === 'skab-valve-file');
    const spans: Array<[number, number]> = [];
    for (const e of valve) if (e.phase === 'start') spans.push([e.start, Infinity]); else spans[spans.length - 1][1] = e.end;
    const flagged = (ts: number) => spans.some(([a, b]) => ts >= a && ts < b);
    const test = rows.slice(400);
    const change = test.findIndex((r) => r.anomaly === 1);
    const faultRows = test.filter((r) => r.anomaly === 1);
    const before = test.slice(0, change);
    const recall = faultRows.filter((r) => flagged(r.ts)).length / faultRows.length;
    const falseBefore = before.filter((r) => flagged(r.ts)).length / before.length;
    expect(recall).toBeGreaterThan(0.8);
    expect(falseBefore).toBeLessThan(0.5);
    expect(starts('skab-valve-file').length).toBeGreaterThan(0);
  });
});
