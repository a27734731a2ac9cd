import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import eventFrame from '../../nodes/event-frame/event-frame';
import frameCapture from '../../nodes/frame-capture/frame-capture';
import historianStore from '../../nodes/historian-store/historian-store';
import { services } from '../../runtime/registry';
import { closeFrameStore, frameStoreFor } from '../../runtime/frames';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [eventFrame] as any[];
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
      { id: 'ef1', type: 'event-frame', frames: [{ key: 'trip', template: 'trip', mode: 'expression', start: `${P}.running == 0`, name: 'Pump 1 trip', attributes: `flowBefore=${P}.flow @start, flowAfter=${P}.flow @end`, minDurationS: '2' }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const msgs = collect('out');
    const n = helper.getNode('ef1');
    n.receive({ payload: [{ tag: `${P}.running`, ts: 1000, value: 1 }, { tag: `${P}.flow`, ts: 1000, value: 42 }] });
    n.receive({ payload: [{ tag: `${P}.running`, ts: 2000, value: 0 }] });
    n.receive({ payload: [{ tag: `${P}.flow`, ts: 6000, value: 3 }, { tag: `${P}.running`, ts: 7000, value: 1 }] });
    await waitFor(() => msgs.length === 2);
    expect(msgs.map((m) => m.event)).toEqual(['open', 'close']);
    expect(msgs[1].payload).toMatchObject({ template: 'trip', name: 'Pump 1 trip', start: 2000, end: 7000, attributes: { flowBefore: 42, flowAfter: 3 } });
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
