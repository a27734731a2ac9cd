import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import eipDevice from '../../nodes/eip-device/eip-device';
import eipPoll from '../../nodes/eip-poll/eip-poll';
import eipWrite from '../../nodes/eip-write/eip-write';
import { startCipServer, type TestCipServer } from '../helpers/cip-server/server';
import { waitFor } from '../helpers/wait';

let srv: TestCipServer;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  srv = await startCipServer({
    slot: 1,
    tags: { Speed: { type: 'REAL', value: 12.5 }, 'Program:Main.Count': { type: 'DINT', value: 77 }, Setpoint: { type: 'REAL', value: 0 } },
  });
});
afterAll(async () => { await srv.dispose(); });
afterEach(async () => { await helper.unload(); });

const nodes = [eipDevice, eipPoll, eipWrite] as any;
function load(flow: any[]): Promise<void> {
  return new Promise((resolve) => helper.load(nodes, flow, () => resolve()));
}
const device = () => ({ id: 'dev1', type: 'eip-device', host: '127.0.0.1', port: srv.port, slot: 1, timeout: 500 });

describe('eip nodes', () => {
  it('eip-poll emits batches from a CSV tag table in one packet per poll and answers csv/stats', async () => {
    await load([
      device(),
      { id: 'p1', type: 'eip-poll', device: 'dev1', wires: [['h1']], topic: 'press', groups: [{ name: 'fast', period: '100ms' }], csv: 'tag,address,type,scale\npress.speed,Speed,REAL,2\npress.count,Program:Main.Count,dint,\n' },
      { id: 'h1', type: 'helper' },
    ]);
    const msgs: any[] = [];
    helper.getNode('h1').on('input', (m: any) => msgs.push(m));
    await waitFor(() => msgs.length >= 1, { what: 'a poll' });
    expect(msgs[0].topic).toBe('press');
    const byTag = Object.fromEntries(msgs[0].payload.map((s: any) => [s.tag, s]));
    expect(byTag['press.speed']).toMatchObject({ value: 25, quality: 'GOOD' });
    expect(byTag['press.count']).toMatchObject({ value: 77, quality: 'GOOD' });
    msgs.length = 0;
    helper.getNode('p1').receive({ payload: 'stats' });
    await waitFor(() => msgs.some((m) => m.payload?.plans), { what: 'stats reply' });
    expect(msgs.find((m) => m.payload?.plans).payload.plans[0].requests).toEqual([{ kind: 'multiple', tags: ['Speed', 'Program:Main.Count'] }]);
    helper.getNode('p1').receive({ payload: 'csv' });
    await waitFor(() => msgs.some((m) => typeof m.payload === 'string'), { what: 'csv reply' });
    expect(msgs.find((m) => typeof m.payload === 'string').payload.split('\n')[0]).toBe('tag,group,address,type,elements,scale,offset,deadband');
  });

  it('eip-poll with a bad tag table reports the row and column in its status', async () => {
    await load([device(), { id: 'p1', type: 'eip-poll', device: 'dev1', wires: [[]], groups: [{ name: 'g', period: '1s' }], tags: [{ tag: 'a.b', address: 'Speed', type: 'float' }] }]);
    const p = helper.getNode('p1') as any;
    const texts = p.status.getCalls().map((c: any) => c.args[0]?.text);
    expect(texts).toContain('tags[0].type: must be one of bool, sint, int, dint, lint, usint, uint, udint, ulint, real, lreal (got "float")');
  });

  it('eip-write writes a value and refuses roles other than ENGINEER/ADMIN', async () => {
    await load([device(), { id: 'w1', type: 'eip-write', device: 'dev1', address: 'Setpoint', dataType: 'real', scale: 1, offset: 0, wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const msgs: any[] = [];
    helper.getNode('h1').on('input', (m: any) => msgs.push(m));
    const w = helper.getNode('w1') as any;
    await waitFor(async () => { w.receive({ payload: 2.5 }); await new Promise((r) => setTimeout(r, 50)); return msgs.length > 0; }, { what: 'write acknowledged' });
    const errors: string[] = [];
    w.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    expect(srv.get('Setpoint')).toEqual([2.5]);
    expect(msgs[0].eip).toEqual({ address: 'Setpoint', raw: 2.5 });
    w.receive({ payload: 9, user: { role: 'OPERATOR' } });
    await waitFor(() => errors.length > 0, { what: 'role refusal' });
    expect(errors[0]).toMatch(/^msg\.user\.role: OPERATOR may not write/);
    expect(srv.get('Setpoint')).toEqual([2.5]);
  });
});
