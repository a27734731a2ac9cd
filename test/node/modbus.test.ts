import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import modbusDevice from '../../nodes/modbus-device/modbus-device';
import modbusPoll from '../../nodes/modbus-poll/modbus-poll';
import modbusWrite from '../../nodes/modbus-write/modbus-write';
import { waitFor } from '../helpers/wait';
import { startModbusServer, type TestModbusServer } from '../integration/devices/modbus-server';

let srv: TestModbusServer;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  srv = await startModbusServer(1000);
});
afterAll(async () => { await srv.stop(); });
afterEach(async () => { await helper.unload(); });

const nodes = [modbusDevice, modbusPoll, modbusWrite] as any;

function load(flow: any[]): Promise<void> {
  return new Promise((resolve) => helper.load(nodes, flow, () => resolve()));
}

const device = () => ({ id: 'dev1', type: 'modbus-device', host: '127.0.0.1', port: srv.port, unitId: 1, timeout: 500 });

describe('modbus nodes', () => {
  it('modbus-poll emits batches from a CSV-style tag table and answers csv/stats', async () => {
    srv.holding[5] = 1234; srv.coils[3] = true;
    await load([
      device(),
      {
        id: 'p1', type: 'modbus-poll', device: 'dev1', wires: [['h1']], topic: 'skid',
        groups: [{ name: 'fast', period: '100ms' }],
        tags: [{ tag: 'skid.flow', register: 'holding', address: 5, type: 'int16', scale: '0.1' }, { tag: 'skid.run', register: 'coil', address: 3, type: '' }],
      },
      { id: 'h1', type: 'helper' },
    ]);
    const out = helper.getNode('h1');
    const msgs: any[] = [];
    out.on('input', (m: any) => msgs.push(m));
    await waitFor(() => msgs.length >= 2, { what: 'two polls' });
    expect(msgs[0].topic).toBe('skid');
    const byTag = Object.fromEntries(msgs[0].payload.map((s: any) => [s.tag, s]));
    expect(byTag['skid.flow'].value).toBeCloseTo(123.4);
    expect(byTag['skid.flow'].quality).toBe('GOOD');
    expect(byTag['skid.run'].value).toBe(1);
    msgs.length = 0;
    helper.getNode('p1').receive({ payload: 'csv' });
    await waitFor(() => msgs.some((m) => typeof m.payload === 'string'), { what: 'csv reply' });
    const csv = msgs.find((m) => typeof m.payload === 'string').payload;
    expect(csv.split('\n')[0]).toBe('tag,group,register,address,type,bit,byteOrder,wordOrder,scale,offset,deadband');
    expect(csv).toContain('skid.flow,fast,holding,5,int16,0,BE,BE,0.1,0,0');
  });

  it('modbus-poll reports a bad tag table naming the row and column', async () => {
    await load([device(), { id: 'p1', type: 'modbus-poll', device: 'dev1', groups: [{ name: 'g', period: '1s' }], tags: [{ tag: 'a.b', register: 'holding', address: 'x' }], wires: [[]] }]);
    const p = helper.getNode('p1');
    const errs = (p as any).error.getCalls?.().map((c: any) => String(c.args[0]?.message ?? c.args[0])) ?? [];
    expect(errs.join('\n')).toMatch(/tags\[0\]\.address: must be a number/);
  });

  it('modbus-write writes scaled values, refuses roles other than ENGINEER/ADMIN', async () => {
    await load([
      device(),
      { id: 'w1', type: 'modbus-write', device: 'dev1', register: 'holding', address: 20, dataType: 'float32', byteOrder: 'BE', wordOrder: 'LE', scale: 1, offset: 0, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const w = helper.getNode('w1');
    const out = helper.getNode('h1');
    const msgs: any[] = [];
    out.on('input', (m: any) => msgs.push(m));
    await waitFor(async () => { w.receive({ payload: 2.5 }); await new Promise((r) => setTimeout(r, 50)); return msgs.length > 0; }, { what: 'write acknowledged' });
    expect(srv.holding.slice(20, 22)).toEqual([0x0000, 0x4020]); // 2.5 = 0x40200000, word-swapped
    const errors: string[] = [];
    w.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    w.receive({ payload: 1, user: { role: 'OPERATOR' } });
    w.receive({ payload: 'abc' });
    await waitFor(() => errors.length >= 2, { what: 'errors' });
    expect(errors[0]).toMatch(/^msg\.user\.role: OPERATOR may not write/);
    expect(errors[1]).toMatch(/^msg\.payload: /);
    w.receive({ payload: 7.25, user: { role: 'ENGINEER' } });
    await waitFor(() => srv.holding[21] === 0x40e8, { what: 'engineer write' });
  });
});
