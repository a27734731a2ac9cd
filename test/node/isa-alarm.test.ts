import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import isaAlarm from '../../nodes/isa-alarm/isa-alarm';
import { openProcessAlarmService, processAlarmService, type ProcessAlarmService } from '../../runtime/alarm/process-service';
import { services } from '../../runtime/registry';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const switchNode = require('@node-red/nodes/core/function/10-switch.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpRequest = require('@node-red/nodes/core/network/21-httprequest.js');

const TAG = 'acme.izmir.plant1.line1.cell1.pump1.temperature';
const T0 = 1_700_000_000_000;
let root: string;
let dataDir: string;
let run = 0;
let now = T0;
let svc: ProcessAlarmService;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  root = await makeTempDir('isa-alarm-');
});
beforeEach(() => {
  // a fresh data directory per test: alarm states persist by design
  dataDir = join(root, String(++run));
  services().dataDir = dataDir;
  now = T0;
  svc = openProcessAlarmService({ dataDir, clock: () => now, tickMs: 0 });
});
afterEach(async () => {
  await helper.unload();
  processAlarmService()?.close();
});
afterAll(async () => { await removeTempDir(root); });

function load(nodes: unknown[], flow: object[]): Promise<void> {
  return new Promise((resolve) => helper.load(nodes as any, flow, () => resolve()));
}

const hi = { type: 'HI', tag: TAG, priority: 'high', setpoint: '80', deadband: '2', message: 'bearing hot' };
const alarmNode = (alarms: object[], wires: string[][] = [['out1']]) => ({ id: 'al1', type: 'isa-alarm', alarms, wires });

function collect(id: string): any[] {
  const msgs: any[] = [];
  helper.getNode(id).on('input', (m: any) => msgs.push(m));
  return msgs;
}

const sample = (ts: number, value: number) => ({ topic: TAG, payload: value, timestamp: ts });

describe('isa-alarm node', () => {
  it('registers its group in the typed component registry and unregisters on close', async () => {
    await load([isaAlarm], [{ ...alarmNode([hi]), name: 'Pump 1 bearing' }, { id: 'out1', type: 'helper' }]);
    const g = services().components.alarms.get('al1');
    expect(g).toMatchObject({ group: 'al1', label: 'Pump 1 bearing' });
    expect(g!.alarms().map((a) => a.id)).toEqual([`${TAG}:HI`]);
    await helper.unload();
    expect(services().components.alarms.get('al1')).toBeUndefined();
  });

  it('emits exactly one message per state transition, including operator and timer ones', async () => {
    await load([isaAlarm], [alarmNode([hi, { ...hi, type: 'HIHI', setpoint: '90', onDelayS: '5' }]), { id: 'out1', type: 'helper' }]);
    const n = helper.getNode('al1');
    const msgs = collect('out1');
    const statuses: any[] = [];
    n.on('call:status', (c: any) => statuses.push(c.firstArg));

    n.receive(sample(T0, 70));
    n.receive(sample(T0 + 1000, 85)); // HI: A -> B
    n.receive({ payload: [{ tag: TAG, ts: T0 + 2000, value: 86 }, { tag: 'other.tag', ts: T0 + 2000, value: 1 }] });
    n.receive(sample(T0 + 3000, 95)); // HIHI condition, on-delay 5 s pending
    await waitFor(() => msgs.length >= 1, { what: 'HI transition' });
    expect(msgs.map((m) => [m.topic, m.payload.from, m.payload.to])).toEqual([[`${TAG}:HI`, 'A', 'B']]);
    expect(msgs[0].payload).toMatchObject({ tag: TAG, event: 'activate', value: 85, limit: 80, priority: 'high', message: 'bearing hot', group: 'al1' });

    // the on-delay is fired by the service's timer, not by a sample
    svc.tick(T0 + 8000);
    await waitFor(() => msgs.length >= 2, { what: 'HIHI after its on-delay' });
    expect(msgs[1].payload).toMatchObject({ alarmId: `${TAG}:HIHI`, from: 'A', to: 'B', ts: T0 + 8000 });

    now = T0 + 9000;
    const r = svc.ack(`${TAG}:HI`, { user: 'olga', role: 'OPERATOR' });
    expect(r.refused).toEqual([]);
    n.receive(sample(T0 + 10_000, 79)); // HIHI clears (B -> D); HI is inside its deadband: still active
    n.receive(sample(T0 + 11_000, 77)); // HI clears: C -> A
    await waitFor(() => msgs.length >= 5 && svc.get(`${TAG}:HI`)!.valueTs === T0 + 11_000, { what: 'ack and clear transitions' });
    expect(msgs.slice(2).map((m) => [m.payload.alarmId.split(':')[1], m.payload.event, m.payload.from, m.payload.to, m.payload.user])).toEqual([
      ['HI', 'ack', 'B', 'C', 'olga'], ['HIHI', 'clear', 'B', 'D', null], ['HI', 'clear', 'C', 'A', null],
    ]);
    expect(msgs).toHaveLength(5);
    // the worst state by its name (the dashboard's words), not its ISA-18.2 letter
    await waitFor(() => statuses.at(-1)?.text?.startsWith('Returned to Normal Unacknowledged'), { what: 'status = worst state D' });
    expect(statuses.at(-1)).toMatchObject({ fill: 'yellow' });
    expect(statuses.some((s) => s.fill === 'red' && /^Unacknowledged Alarm/.test(s.text))).toBe(true);
  });

  it('reports an invalid definition by field and an invalid sample by field', async () => {
    await load([isaAlarm], [alarmNode([{ ...hi, setpoint: 'abc' }]), { id: 'out1', type: 'helper' }]);
    const n = helper.getNode('al1');
    const errors: string[] = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    const statuses: any[] = [];
    n.on('call:status', (c: any) => statuses.push(c.firstArg));
    n.receive(sample(T0, 1));
    await waitFor(() => errors.length >= 1, { what: 'configuration error' });
    expect(errors.join('\n')).toMatch(/\[0\]\.setpoint/);
    await helper.unload();

    await load([isaAlarm], [alarmNode([hi]), { id: 'out1', type: 'helper' }]);
    const m = helper.getNode('al1');
    const errs: string[] = [];
    m.on('call:error', (c: any) => errs.push(String(c.firstArg?.message ?? c.firstArg)));
    const msgs = collect('out1');
    m.receive({ payload: [{ tag: TAG, ts: T0, value: 'hot' }, { tag: TAG, ts: T0 + 1, value: 99 }] });
    await waitFor(() => errs.length === 1 && msgs.length === 1, { what: 'error for the bad sample, transition for the good one' });
    expect(errs[0]).toMatch(/^\[0\]\.value/);
  });

  it('keeps an active unacknowledged alarm across a restart of the process and purges it when the node is deleted', async () => {
    const flow = [alarmNode([hi]), { id: 'out1', type: 'helper' }];
    await load([isaAlarm], flow);
    const msgs = collect('out1');
    helper.getNode('al1').receive(sample(T0, 90));
    await waitFor(() => msgs.length === 1, { what: 'A -> B' });
    await helper.unload();
    svc.close();

    // a new process: new service on the same data directory, same flow deployed again
    svc = openProcessAlarmService({ dataDir, clock: () => now, tickMs: 0 });
    expect(svc.get(`${TAG}:HI`)).toBeUndefined(); // definitions come from flows
    await load([isaAlarm], flow);
    const again = collect('out1');
    const view = svc.get(`${TAG}:HI`)!;
    expect(view).toMatchObject({ state: 'B', conditionActive: true, acknowledged: false, value: 90 });
    helper.getNode('al1').receive(sample(T0 + 1000, 91));
    await waitFor(() => svc.get(`${TAG}:HI`)!.valueTs === T0 + 1000, { what: 'the sample evaluated' });
    expect(again).toHaveLength(0); // still B: no transition to report
    expect(svc.journal({ alarmId: `${TAG}:HI` }).entries.map((e) => e.to)).toEqual(['B']);

    // deleting the node (a removed close) drops the state; the journal stays
    await helper.setFlows([{ id: 'out1', type: 'helper' }], 'full');
    expect(svc.get(`${TAG}:HI`)).toBeUndefined();
    await helper.setFlows(flow, 'full');
    expect(svc.get(`${TAG}:HI`)!.state).toBe('A');
    expect(svc.journal({ alarmId: `${TAG}:HI` }).entries).toHaveLength(1);
  });

  it('example flow: notifies the webhook only on transitions into B', async () => {
    const hits: any[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { hits.push(JSON.parse(body)); res.end('ok'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarm-webhook`;
      const example = JSON.parse(readFileSync(join(__dirname, '../../examples/isa-alarm/Alarm notifications.json'), 'utf8')) as any[];
      const keep = new Set(['ia-ex-tab', 'ia-ex-alarms', 'ia-ex-into-b', 'ia-ex-webhook']);
      const flow = example.filter((n) => keep.has(n.id)).map((n) => {
        const c = { ...n };
        if (c.id === 'ia-ex-webhook') c.url = url;
        if (c.id === 'ia-ex-alarms') c.wires = [['ia-ex-into-b', 'all1']];
        if (c.id === 'ia-ex-into-b') c.wires = [['ia-ex-webhook']];
        return c;
      });
      await load([isaAlarm, switchNode, httpRequest], [...flow, { id: 'all1', type: 'helper', z: 'ia-ex-tab' }]);
      const all = collect('all1');
      const n = helper.getNode('ia-ex-alarms');
      const hiHi = 'acme.izmir.plant1.line1.cell1.pump1.temperature:HIHI';
      n.receive({ topic: TAG, payload: 65, timestamp: T0 }); // HIHI A -> B (HI waits on its 5 s on-delay)
      await waitFor(() => hits.length === 1, { what: 'first webhook call' });
      now = T0 + 1000;
      svc.ack(hiHi, { user: 'olga' }); // B -> C: no notification
      n.receive({ topic: TAG, payload: 50, timestamp: T0 + 2000 }); // clears: C -> A; HI never activated
      n.receive({ topic: TAG, payload: 66, timestamp: T0 + 3000 }); // A -> B again
      await waitFor(() => hits.length === 2 && all.length === 4, { what: 'second webhook call and 4 transitions' });
      expect(all.map((m) => `${m.payload.from}>${m.payload.to}`)).toEqual(['A>B', 'B>C', 'C>A', 'A>B']);
      expect(hits.map((h) => [h.alarmId, h.from, h.to, h.priority])).toEqual([[hiHi, 'A', 'B', 'urgent'], [hiHi, 'A', 'B', 'urgent']]);
    } finally {
      server.close();
    }
  });
});
