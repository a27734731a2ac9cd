import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import twinPredict from '../../nodes/twin-predict/twin-predict';
import historianStore from '../../nodes/historian-store/historian-store';
import { services } from '../../runtime/registry';
import { fitRegression, serializeModel } from '../../runtime/twin';
import type { Sample } from '../../runtime/model';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [twinPredict, historianStore] as any[];
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

function load(flow: object[]): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, () => resolve()));
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
    expect(first.map((x: any) => x.tag)).toEqual([`${T}.predicted`, `${T}.predicted.lo`, `${T}.predicted.hi`]);
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
    expect(start).toMatchObject({ phase: 'start', tag: T, detector: 'ksigma', start: plant(2020, live)[0].ts });
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
});
