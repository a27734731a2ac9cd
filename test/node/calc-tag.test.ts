import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import calcTag from '../../nodes/calc-tag/calc-tag';
import historianStore from '../../nodes/historian-store/historian-store';
import { services } from '../../runtime/registry';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [calcTag, historianStore] as any[];
const P = 'acme.izmir.plant1.line1.cell1.pump1';
let dataDir: string;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('calc-tag-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await removeTempDir(dataDir); });

function load(flow: object[]): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, () => resolve()));
}

const store = (dir: string) => ({ id: 'st1', type: 'historian-store', name: 'default', directory: dir, fsync: 'never' });

function watch(id: string) {
  const n = helper.getNode(id);
  const errors: string[] = [];
  const statuses: any[] = [];
  n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
  n.on('call:status', (c: any) => statuses.push(c.firstArg));
  return { n, errors, statuses };
}

/** The node's latest status, set during construction before a test can listen. */
function lastStatus(n: any): any {
  return (n.status as any).getCalls().filter((c: any) => c.thisValue === n).at(-1)?.firstArg;
}

function collect(id: string): any[] {
  const msgs: any[] = [];
  helper.getNode(id).on('input', (m: any) => msgs.push(m));
  return msgs;
}

describe('calc-tag node', () => {
  it('recomputes on every input change and emits the triggered calc tags as one batch, in dependency order', async () => {
    await load([
      { id: 'c1', type: 'calc-tag', calcs: [
        { output: `${P}.pct`, expression: 'eff * 100', aliases: `eff=${P}.eff`, unit: '%' },
        { output: `${P}.eff`, expression: 'out / inp', aliases: `out=${P}.flow_out, inp=${P}.flow_in` },
        { output: `${P}.both`, expression: `tag('${P}.flow_out') + tag('${P}.flow_in')`, trigger: 'all' },
      ], wires: [['out1']] },
      { id: 'out1', type: 'helper' },
    ]);
    const msgs = collect('out1');
    const n = helper.getNode('c1');
    n.receive({ payload: [{ tag: `${P}.flow_in`, ts: 1000, value: 50 }, { tag: `${P}.flow_out`, ts: 1000, value: 40 }] });
    await waitFor(() => msgs.length === 1, { what: 'first batch' });
    const first = msgs[0].payload as any[];
    expect([...first].sort((a, b) => (a.tag < b.tag ? -1 : 1))).toEqual([
      { tag: `${P}.both`, ts: 1000, value: 90, quality: 'GOOD' },
      { tag: `${P}.eff`, ts: 1000, value: 0.8, quality: 'GOOD' },
      { tag: `${P}.pct`, ts: 1000, value: 80, quality: 'GOOD' },
    ]);
    // pct reads eff: it is computed after it, within the same message
    expect(first.findIndex((s) => s.tag === `${P}.eff`)).toBeLessThan(first.findIndex((s) => s.tag === `${P}.pct`));
    // one input changes: "any" calc tags recompute, the "all" one waits for both
    n.receive({ topic: `${P}.flow_out`, payload: 45, timestamp: 2000, quality: 'UNCERTAIN' });
    await waitFor(() => msgs.length === 2, { what: 'second batch' });
    expect(msgs[1].payload).toEqual([
      { tag: `${P}.eff`, ts: 2000, value: 0.9, quality: 'UNCERTAIN' },
      { tag: `${P}.pct`, ts: 2000, value: 90, quality: 'UNCERTAIN' },
    ]);
    // a tag nobody reads triggers nothing; an invalid sample is an error naming the field
    const { errors } = watch('c1');
    n.receive({ topic: `${P}.other`, payload: 1, timestamp: 3000 });
    n.receive({ payload: [{ tag: `${P}.flow_in`, ts: 4000, value: 'x' }, { tag: `${P}.flow_in`, ts: 4000, value: 0 }] });
    await waitFor(() => msgs.length === 3 && errors.length === 1, { what: 'division by zero batch and the error' });
    expect(errors[0]).toMatch(/^\[0\]\.value/);
    expect(msgs[2].payload[0]).toEqual({ tag: `${P}.eff`, ts: 4000, value: 0, quality: 'BAD' });
  });

  it('refuses a dependency cycle at deploy with a red status naming it', async () => {
    await load([{ id: 'c1', type: 'calc-tag', calcs: [
      { output: 'a.x', expression: "tag('a.y') + 1" },
      { output: 'a.y', expression: "tag('a.z') * 2" },
      { output: 'a.z', expression: "tag('a.x') - tag('a.in')" },
    ], wires: [['out1']] }, { id: 'out1', type: 'helper' }]);
    const { n, errors } = watch('c1');
    const last = lastStatus(n);
    expect(last.fill).toBe('red');
    expect(last.text).toMatch(/dependency cycle between calc tags: a\.(x|y|z) -> .* -> a\.(x|y|z)/);
    const msgs = collect('out1');
    n.receive({ topic: 'a.in', payload: 1 });
    await waitFor(() => errors.length >= 1, { what: 'input refused' });
    expect(errors.at(-1)).toMatch(/calc-tag not configured: .*cycle/);
    expect(msgs).toHaveLength(0);
  });

  it('shows a compile error with its position', async () => {
    await load([{ id: 'c1', type: 'calc-tag', calcs: [{ output: 'a.out', expression: 'abs(1 +' }] }]);
    const last = lastStatus(helper.getNode('c1'));
    expect(last.fill).toBe('red');
    expect(last.text).toMatch(/calc tag "a\.out": .* at 1:\d+/);
  });

  it('writes unit and description to the store, seeds inputs from it and previews expressions against it', async () => {
    await load([store('tsdb/a'), { id: 'c1', type: 'calc-tag', store: 'st1', calcs: [
      { output: `${P}.dp`, expression: 'hi - lo', aliases: `hi=${P}.p_out, lo=${P}.p_in`, unit: 'bar', description: 'differential pressure' },
    ], wires: [['out1']] }, { id: 'out1', type: 'helper' }]);
    const s = await services().components.stores.get('default')!.ready;
    await waitFor(() => s.tags.get(`${P}.dp`)?.unit === 'bar', { what: 'unit registered' });
    expect(s.tags.get(`${P}.dp`)!.description).toBe('differential pressure');

    const now = Date.now();
    await s.write([{ tag: `${P}.p_in`, ts: now - 1000, value: 2.5, quality: 0 }, { tag: `${P}.p_out`, ts: now - 1000, value: 6, quality: 0 }]);
    const ok = await helper.request().get('/calc-tag/preview').query({ expression: 'hi - lo + 0.5', aliases: `hi=${P}.p_out, lo=${P}.p_in`, store: 'st1' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, value: 4, quality: 'GOOD', store: 'default' });
    expect(ok.body.inputs.map((i: any) => [i.tag, i.value])).toEqual([[`${P}.p_out`, 6], [`${P}.p_in`, 2.5]]);

    const stale = await helper.request().get('/calc-tag/preview').query({ expression: `tag('${P}.p_in')`, staleAfterMs: 10 });
    expect(stale.body).toMatchObject({ ok: true, value: 2.5, quality: 'UNCERTAIN_STALE' });

    const missing = await helper.request().get('/calc-tag/preview').query({ expression: `tag('${P}.nothing') * 2` });
    expect(missing.body).toMatchObject({ ok: true, value: null, quality: 'BAD_NO_DATA' });

    const bad = await helper.request().get('/calc-tag/preview').query({ expression: 'hi -* lo', aliases: `hi=${P}.p_out, lo=${P}.p_in` });
    expect(bad.body).toMatchObject({ ok: false, pos: { line: 1, col: 5, offset: 4 } });
    expect(bad.body.error).toMatch(/at 1:5$/);
    const hostile = await helper.request().get('/calc-tag/preview').query({ expression: 'constructor.constructor("return process")()' });
    expect(hostile.body.ok).toBe(false);

    // a redeploy seeds the other input from the store: the first live sample computes at once
    await helper.setFlows([store('tsdb/a'), { id: 'c1', type: 'calc-tag', store: 'st1', calcs: [
      { output: `${P}.dp`, expression: 'hi - lo', aliases: `hi=${P}.p_out, lo=${P}.p_in` },
    ], wires: [['out1']] }, { id: 'out1', type: 'helper' }], 'full');
    const msgs = collect('out1');
    const c1 = helper.getNode('c1');
    const s2 = await services().components.stores.get('default')!.ready;
    await waitFor(async () => (await s2.latest([`${P}.p_in`])).length === 1, { what: 'store reopened' });
    // seeding happens asynchronously after deploy; send p_out until a result is GOOD
    let k = 0;
    await waitFor(() => {
      c1.receive({ topic: `${P}.p_out`, payload: 7, timestamp: now + k++ });
      return msgs.some((m) => m.payload[0].quality === 'GOOD');
    }, { what: 'dp from the seeded p_in', intervalMs: 100 });
    expect(msgs.find((m) => m.payload[0].quality === 'GOOD').payload).toEqual([{ tag: `${P}.dp`, ts: expect.any(Number), value: 4.5, quality: 'GOOD' }]);
  });

  it('evaluates period-triggered calc tags on their own', async () => {
    await load([{ id: 'c1', type: 'calc-tag', calcs: [{ output: 'a.count', expression: '2 * 3', trigger: 'period', periodMs: 50 }], wires: [['out1']] },
      { id: 'out1', type: 'helper' }]);
    const msgs = collect('out1');
    await waitFor(() => msgs.length >= 3, { what: 'three periodic evaluations' });
    // after the first evaluation at deploy, evaluations fall on multiples of the period
    expect(msgs[1].payload[0].ts % 50).toBe(0);
    expect(msgs[2].payload[0].ts - msgs[1].payload[0].ts).toBe(50);
    expect(msgs[2].payload[0]).toMatchObject({ tag: 'a.count', value: 6, quality: 'GOOD' });
  });

  it('example flow: every calc tag compiles and computes from plant samples', async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../examples/calc-tag/Calculated tags.json'), 'utf8')) as any[];
    const { z: _z, x: _x, y: _y, ...node } = example.find((n) => n.type === 'calc-tag');
    const calc = { ...node, store: '', wires: [['out1']] };
    await load([calc, { id: 'out1', type: 'helper' }]);
    const n = helper.getNode(calc.id);
    expect(lastStatus(n).fill).not.toBe('red');
    const msgs = collect('out1');
    const pre = 'acme.izmir.plant1.line1.cell1.pump1';
    const tick = (ts: number, total: number) => [
      { tag: `${pre}.flow_sp`, ts, value: 60 }, { tag: `${pre}.running`, ts, value: 1 }, { tag: `${pre}.flow`, ts, value: 20 },
      { tag: `${pre}.pressure`, ts, value: 2.7 }, { tag: `${pre}.temperature`, ts, value: 50 }, { tag: `${pre}.total`, ts, value: total },
    ];
    n.receive({ payload: tick(1_000_000, 100) });
    n.receive({ payload: tick(1_001_000, 100.01) });
    // (the period-triggered calc tag also emits on its own: pick the batch of the second sample)
    const second = await waitFor(() => msgs.find((m) => m.payload[0].ts === 1_001_000), { what: 'batch of the second sample' });
    const byTag = new Map((second.payload as any[]).map((s) => [s.tag.split('.').pop(), s]));
    expect(byTag.get('hydraulic_power')).toMatchObject({ value: 1.5, quality: 'GOOD' });
    expect(byTag.get('flow_avg5m')).toMatchObject({ value: 20 });
    expect(byTag.get('flow_low')).toMatchObject({ value: 1 });
    expect(byTag.get('total_rate')!.value).toBeCloseTo(36, 6);
  });
});
