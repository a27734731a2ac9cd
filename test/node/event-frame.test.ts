import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import eventFrame from '../../nodes/event-frame/event-frame';
import frameCapture from '../../nodes/frame-capture/frame-capture';
import historianStore from '../../nodes/historian-store/historian-store';
import plantSim from '../../nodes/plant-sim/plant-sim';
import { services } from '../../runtime/registry';
import { closeFrameStore, frameStoreFor } from '../../runtime/frames';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import historianWrite from '../../nodes/historian-write/historian-write';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [eventFrame] as any[];
const injectNode = require('@node-red/nodes/core/common/20-inject.js');
const functionNode = require('@node-red/nodes/core/function/10-function.js');
const P = 'acme.izmir.plant1.line1.cell1.pump1';
let dataDir: string;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('event-frame-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { closeFrameStore(dataDir); await removeTempDir(dataDir); });

function load(flow: object[]): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, () => resolve()));
}
function collect(id: string): any[] {
  const msgs: any[] = [];
  helper.getNode(id).on('input', (m: any) => msgs.push(m));
  return msgs;
}

describe('event-frame node', () => {
  it('records pump trips from samples and reports open and close', async () => {
    await load([
      { id: 'ef1', type: 'event-frame', frames: [{ key: 'trip', template: 'trip', mode: 'expression', start: `${P}.running == 0`, name: 'Pump 1 trip', attributes: `flowBefore=${P}.flow @before, flowAtTrip=${P}.flow @start, flowAfter=${P}.flow @end`, minDurationS: '2' }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const msgs = collect('out');
    const n = helper.getNode('ef1');
    n.receive({ payload: [{ tag: `${P}.running`, ts: 1000, value: 1 }, { tag: `${P}.flow`, ts: 1000, value: 42 }] });
    n.receive({ payload: [{ tag: `${P}.running`, ts: 2000, value: 0 }, { tag: `${P}.flow`, ts: 2000, value: 20 }] });
    n.receive({ payload: [{ tag: `${P}.flow`, ts: 6000, value: 3 }, { tag: `${P}.running`, ts: 7000, value: 1 }] });
    await waitFor(() => msgs.length === 2);
    expect(msgs.map((m) => m.event)).toEqual(['open', 'close']);
    expect(msgs[1].payload).toMatchObject({ template: 'trip', name: 'Pump 1 trip', start: 2000, end: 7000, attributes: { flowBefore: 42, flowAtTrip: 20, flowAfter: 3 } });
    expect(frameStoreFor(dataDir).get(msgs[1].payload.id)?.end).toBe(7000);
  });

  it('opens and closes from msg.frame commands and resumes an open frame after a redeploy', async () => {
    const flow = [
      { id: 'ef2', type: 'event-frame', frames: [{ key: 'shift', template: 'shift', mode: 'message' }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await load(flow);
    let msgs = collect('out');
    helper.getNode('ef2').receive({ frame: { action: 'start', name: 'Shift A', attributes: { crew: 'A' }, time: 5000 } });
    await waitFor(() => msgs.length === 1);
    const id = msgs[0].payload.id;
    await helper.unload();
    await load(flow);
    msgs = collect('out');
    helper.getNode('ef2').receive({ frame: { action: 'end', time: 9000 } });
    await waitFor(() => msgs.length === 1);
    expect(msgs[0].payload).toMatchObject({ id, name: 'Shift A', start: 5000, end: 9000 });
  });

  it('shows a configuration error in its status, naming the definition', async () => {
    await load([{ id: 'ef3', type: 'event-frame', frames: [{ key: 'x', template: 'batch', mode: 'expression', start: 'nope >' }], wires: [[]] }]);
    const n = helper.getNode('ef3');
    const last = (n.status as any).getCalls().filter((c: any) => c.thisValue === n).at(-1)?.firstArg;
    expect(last.fill).toBe('red');
    expect(last.text).toMatch(/^frame #1 start:/);
  });
});

describe('event-frame node with a store', () => {
  it('seeds its inputs from the store, so an attribute captured at the first trigger has the stored value', async () => {
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore] as any[], [
      { id: 'st', type: 'historian-store', name: 'ef-seed', directory: 'tsdb/ef-seed', fsync: 'never' },
      { id: 'ef4', type: 'event-frame', store: 'st', frames: [{ key: 'b', template: 'batch', mode: 'change', tag: `${P}.batch`, attributes: `product=${P}.product @start` }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], () => resolve()));
    const store = await services().components.stores.get('ef-seed')!.ready;
    await store.write([{ tag: `${P}.product`, ts: Date.now() - 60_000, value: 42, quality: 0 }]);
    await helper.unload();
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore] as any[], [
      { id: 'st', type: 'historian-store', name: 'ef-seed', directory: 'tsdb/ef-seed', fsync: 'never' },
      { id: 'ef4', type: 'event-frame', store: 'st', frames: [{ key: 'b', template: 'batch', mode: 'change', tag: `${P}.batch`, attributes: `product=${P}.product @start` }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], () => resolve()));
    const n = helper.getNode('ef4');
    // seeded (after the store opened): the status says so
    await waitFor(() => (n.status as any).getCalls().some((c: any) => /1 value\(s\) from the store/.test(c.firstArg?.text ?? '')));
    const msgs = collect('out');
    n.receive({ payload: [{ tag: `${P}.batch`, ts: Date.now(), value: 7 }] });
    await waitFor(() => msgs.length > 0);
    expect(msgs[0].payload.attributes).toMatchObject({ value: 7, product: 42 });
  });
});

describe('event-frame node replaying history', () => {
  const trip = { key: 'trip', template: 'trip', mode: 'expression', start: `${P}.running == 0`, name: 'Pump 1 trip', attributes: `tempBefore=${P}.temperature @start`, minDurationS: '30' };

  it('records the trips of the history a simulator wrote into an empty store, once, from its "history written" message', async () => {
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore, plantSim] as any[], [
      { id: 'st', type: 'historian-store', name: 'ef-replay', directory: 'tsdb/ef-replay', fsync: 'never' },
      { id: 'sim', type: 'plant-sim', seed: 3, lines: 1, pumps: 1, rate: 8, story: true, faultRate: 0, store: 'st',
        backfillDays: 3, backfillStepS: 60, backfillDetailHours: 0, wires: [[], [], ['ef']] },
      { id: 'ef', type: 'event-frame', store: 'st', frames: [trip], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], () => resolve()));
    const msgs = collect('out');
    await waitFor(() => msgs.some((m) => m.topic === 'frame/replay'), { what: 'the replay of the written history', timeoutMs: 30_000 });
    const r = msgs.find((m) => m.topic === 'frame/replay').payload;
    expect(r.to - r.from).toBeGreaterThan(3 * 86_400_000 - 120_000);
    expect(r.samples).toBeGreaterThan(2 * 3 * 1440); // running and temperature, a sample a minute
    // about a trip every 5 h: a dozen in three days
    expect(r.added).toBeGreaterThan(4);
    const frames = frameStoreFor(dataDir).query({ template: 'trip', from: r.from, to: r.to, limit: 1000 }).filter((f) => f.source === 'ef/trip');
    expect(frames.length).toBe(r.added);
    // the attribute keeps the unit the simulator gave its tag in the store
    const unit = (await services().components.stores.get('ef-replay')!.ready).tags.get(`${P}.temperature`)?.unit;
    expect(unit).toBe('°C');
    for (const f of frames) {
      expect(f.end! - f.start).toBeGreaterThanOrEqual(30_000);
      expect(f.end).toBeLessThan(r.to);
      expect(typeof f.attributes.tempBefore).toBe('number');
      expect(f.units).toEqual({ tempBefore: unit });
    }
    const ef = helper.getNode('ef');
    expect((ef.status as any).getCalls().some((c: any) => c.firstArg?.text?.includes(`${r.added} from history`))).toBe(true);
    // the same range again adds nothing
    ef.receive({ frame: { action: 'replay', from: r.from, to: r.to } });
    await waitFor(() => msgs.filter((m) => m.topic === 'frame/replay').length === 2);
    expect(msgs.filter((m) => m.topic === 'frame/replay')[1].payload).toMatchObject({ added: 0, existing: r.added });
  });

  it('the example flow\'s "replay the last 7 days" inject replays a week of the store', async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'event-frame', 'Batches and pump trips.json'), 'utf8')) as any[];
    // the debug node's place taken by a helper; the store in its own directory
    const flow = example.map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n.type === 'historian-store' ? { ...n, directory: 'tsdb/ef-example' } : n));
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore, plantSim, historianWrite, injectNode, functionNode] as any[], flow, () => resolve()));
    const out = collect('ef-ex-debug');
    const before = Date.now();
    helper.getNode('ef-ex-replay').receive({});
    await waitFor(() => out.some((m) => m.topic === 'frame/replay'), { what: 'the replay answer', timeoutMs: 20_000 });
    const r = out.find((m) => m.topic === 'frame/replay').payload;
    expect(r.to).toBeGreaterThanOrEqual(before);
    expect(r.to).toBeLessThanOrEqual(Date.now());
    expect(r.to - r.from).toBe(7 * 86_400_000);
  });

  it('a replay still running when its node closes stops without an error and writes nothing', async () => {
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore] as any[], [
      { id: 'st', type: 'historian-store', name: 'ef-replay3', directory: 'tsdb/ef-replay3', fsync: 'never' },
      { id: 'ef7', type: 'event-frame', store: 'st', frames: [trip], wires: [[]] },
    ], () => resolve()));
    const store = await services().components.stores.get('ef-replay3')!.ready;
    // two days at 1 Hz of the trip's tags: many turns of the event loop to replay
    const t0 = Date.now() - 3 * 86_400_000;
    for (let d = 0; d < 2 * 86_400; d += 43_200) {
      const batch = [];
      for (let i = d; i < d + 43_200; i++) {
        batch.push({ tag: `${P}.running`, ts: t0 + i * 1000, value: i % 600 < 60 ? 0 : 1, quality: 0 });
        batch.push({ tag: `${P}.temperature`, ts: t0 + i * 1000, value: 50, quality: 0 });
      }
      await store.write(batch);
    }
    const n = helper.getNode('ef7');
    const errors: string[] = [];
    n.on('call:error', (call: any) => errors.push(String(call.firstArg?.message ?? call.firstArg)));
    const logs: string[] = [];
    n.on('call:log', (call: any) => logs.push(String(call.firstArg)));
    n.receive({ frame: { action: 'replay', from: t0, to: t0 + 2 * 86_400_000 } });
    await waitFor(() => (n.status as any).getCalls().some((c: any) => /replaying history/.test(c.firstArg?.text ?? '')));
    await helper.unload();
    // give a stopped replay its next turns: it must neither finish nor fail
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([]);
    expect(logs.filter((l) => l.startsWith('replayed'))).toEqual([]);
    expect(frameStoreFor(dataDir).query({ template: 'trip', from: t0, to: t0 + 2 * 86_400_000, limit: 10 }).filter((f) => f.source === 'ef7/trip')).toEqual([]);
  });

  it('refuses a replay without a store or with a bad range, naming the field', async () => {
    await load([{ id: 'ef5', type: 'event-frame', frames: [trip], wires: [[]] }]);
    const n = helper.getNode('ef5');
    const errors: string[] = [];
    n.on('call:error', (call: any) => errors.push(String(call.firstArg?.message ?? call.firstArg)));
    n.receive({ frame: { action: 'replay', from: 0, to: 1000 } });
    await waitFor(() => errors.length === 1);
    expect(errors[0]).toMatch(/^msg\.frame\.action: replay reads the store's history/);
    await helper.unload();
    await new Promise<void>((resolve) => helper.load([eventFrame, historianStore] as any[], [
      { id: 'st', type: 'historian-store', name: 'ef-replay2', directory: 'tsdb/ef-replay2', fsync: 'never' },
      { id: 'ef6', type: 'event-frame', store: 'st', frames: [trip], wires: [[]] },
    ], () => resolve()));
    const m = helper.getNode('ef6');
    const errs: string[] = [];
    m.on('call:error', (call: any) => errs.push(String(call.firstArg?.message ?? call.firstArg)));
    m.receive({ frame: { action: 'replay', from: Date.now() - 1000, to: Date.now() + 3_600_000 } });
    await waitFor(() => errs.length === 1);
    expect(errs[0]).toMatch(/^msg\.frame\.to: must not be in the future/);
  });
});

describe('frame-capture node', () => {
  it('stores the minute before a trip and the trip itself when an event-frame opens and closes', async () => {
    await new Promise<void>((resolve) => helper.load([eventFrame, frameCapture] as any[], [
      { id: 'ef', type: 'event-frame', frames: [{ key: 'trip', template: 'trip', mode: 'expression', start: `${P}.running == 0` }], wires: [['cap']] },
      { id: 'cap', type: 'frame-capture', tags: `${P}.flow`, template: 'trip', preS: '60', postS: '0', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ], () => resolve()));
    const msgs = collect('out');
    const ef = helper.getNode('ef');
    const cap = helper.getNode('cap');
    const T = 1_000_000;
    for (let s = 0; s < 200; s++) {
      const batch = [{ tag: `${P}.flow`, ts: T + s * 1000, value: s }, { tag: `${P}.running`, ts: T + s * 1000, value: s >= 150 && s < 170 ? 0 : 1 }];
      // as in a flow at 1 Hz: the event frame's message for this second reaches the capture before the next second's samples
      ef.receive({ payload: batch });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      cap.receive({ payload: batch });
    }
    await waitFor(() => msgs.flatMap((m) => m.payload).some((s: any) => s.ts === T + 170_000));
    const ts = msgs.flatMap((m) => m.payload).map((s: any) => (s.ts - T) / 1000);
    expect(ts).toEqual(Array.from({ length: 81 }, (_, i) => 90 + i)); // [150 − 60, 170]
  });
});
