import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { StatusCodes } from 'node-opcua';
import opcuaToSamples from '../../nodes/opcua-to-samples/opcua-to-samples';
import opcuaSubscribe from '../../nodes/opcua-subscribe/opcua-subscribe';
import { resetServices, services } from '../../runtime/registry';
import { waitFor } from '../helpers/wait';
import { startOpcuaServer, type TestOpcuaServer } from '../integration/devices/opcua-server';

let srv: TestOpcuaServer;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  srv = await startOpcuaServer();
  resetServices();
  services().dataDir = srv.pkiDir;
}, 60_000);
afterAll(async () => { await srv?.dispose(); });
afterEach(async () => { await helper.unload(); });

function load(nodes: any, flow: any[]) {
  return new Promise<void>((resolve) => helper.load(nodes, flow, () => resolve()));
}

describe('opcua-to-samples node', () => {
  it('converts OpcUa-Client messages and client status into samples', async () => {
    await load(opcuaToSamples, [{ id: 'c1', type: 'opcua-to-samples', prefix: 'opc', mappings: [{ nodeId: 'ns=2;s=X', tag: 'plant.x' }], wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const msgs: any[] = [];
    helper.getNode('h1').on('input', (m: any) => msgs.push(m));
    const c = helper.getNode('c1');
    c.receive({ topic: 'ns=2;s=X', payload: 4.5, statusCode: StatusCodes.UncertainSubNormal, sourceTimestamp: new Date(1_700_000_000_000) });
    c.receive({ error: null, endpoint: 'opc.tcp://h:4840', status: 'disconnected' });
    await waitFor(() => msgs.length === 2, { what: 'two messages' });
    expect(msgs[0]).toMatchObject({ topic: 'plant.x', payload: 4.5, timestamp: 1_700_000_000_000, quality: 'UNCERTAIN_SUBNORMAL' });
    expect(msgs[1].payload).toEqual([expect.objectContaining({ tag: 'plant.x', value: 4.5, quality: 'BAD_NOT_CONNECTED' })]);
  });
});

describe('opcua-subscribe node', () => {
  it('emits subscription samples and answers a browse request', async () => {
    await load(opcuaSubscribe, [
      { id: 'o1', type: 'opcua-subscribe', endpoint: srv.endpoint, samplingInterval: 100, items: [{ nodeId: 'ns=1;s=Line1.Pressure', tag: 'plant.line1.pressure' }], wires: [['h1'], ['h2']] },
      { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
    ]);
    const samples: any[] = [], browsed: any[] = [];
    helper.getNode('h1').on('input', (m: any) => samples.push(...m.payload));
    helper.getNode('h2').on('input', (m: any) => browsed.push(m));
    await waitFor(() => samples.length > 0, { what: 'first sample', timeoutMs: 20_000 });
    expect(samples[0]).toMatchObject({ tag: 'plant.line1.pressure', value: 1.25, quality: 'GOOD' });
    // the subscription reports its health for the system health page and alarms
    const dev = services().components.devices.get('opcua-o1')!;
    expect(dev.health()).toMatchObject({ kind: 'opcua', target: srv.endpoint, state: 'connected', connected: true, lastGoodAt: expect.any(Number) });
    helper.getNode('o1').receive({ payload: 'browse' });
    await waitFor(() => browsed.length > 0, { what: 'browse result', timeoutMs: 20_000 });
    expect(browsed[0].payload.map((v: any) => v.browsePath)).toEqual(expect.arrayContaining(['Plant/Line1/Temperature', 'Plant/Line1/Running']));
  }, 40_000);

  it('reports a bad item table naming the field', async () => {
    await load(opcuaSubscribe, [{ id: 'o1', type: 'opcua-subscribe', endpoint: srv.endpoint, items: [{ nodeId: 'Temperature', tag: 'a.b' }], wires: [[], []] }]);
    const calls = (helper.getNode('o1') as any).error.getCalls().map((c: any) => String(c.args[0]?.message ?? c.args[0]));
    expect(calls.join('\n')).toMatch(/items\[0\]\.nodeId: must look like/);
  });
});
