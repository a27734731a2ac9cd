import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import egdConsume from '../../nodes/egd-consume/egd-consume';
import { resetServices, services } from '../../runtime/registry';
import { startEgdProducer } from '../helpers/egd-producer';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

beforeAll(() => {
  helper.init(require.resolve('node-red'));
  resetServices();
});
afterEach(async () => { await helper.unload(); });

describe('egd-consume node', () => {
  it('emits a batch per production from a CSV layout, registers its health and answers csv', async () => {
    const port = await freePort();
    await new Promise<void>((r) => helper.load(egdConsume as any, [
      { id: 'e1', type: 'egd-consume', producerId: '10.1.2.3', exchangeId: 42, period: 1000, port, bindAddress: '127.0.0.1', topic: 'gt1', csv: 'tag,byte,type,bit,scale\ngt1.speed,0,uint16,,\ngt1.temp,2,int16,,0.5\ngt1.run,4,bool,2,\n', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ], () => r()));
    const msgs: any[] = [];
    helper.getNode('h1').on('input', (m: any) => msgs.push(m));
    const p = await startEgdProducer({ host: '127.0.0.1', port, producerId: '10.1.2.3', exchangeId: 42 });
    try {
      await waitFor(async () => { if (!msgs.length) await p.send(Buffer.from([0x10, 0x27, 0x9c, 0xff, 0b100])); return msgs.length > 0; }, { what: 'a production' });
      expect(msgs[0].topic).toBe('gt1');
      expect(Object.fromEntries(msgs[0].payload.map((s: any) => [s.tag, [s.value, s.quality]]))).toEqual({ 'gt1.speed': [10000, 'GOOD'], 'gt1.temp': [-50, 'GOOD'], 'gt1.run': [1, 'GOOD'] });
      const dev = services().components.devices.get('egd-e1')!;
      expect(dev.health()).toMatchObject({ kind: 'egd', target: '10.1.2.3 exchange 42', state: 'receiving', connected: true });
      helper.getNode('e1').receive({ payload: 'csv' });
      await waitFor(() => msgs.some((m) => typeof m.payload === 'string'), { what: 'csv' });
      expect(msgs.find((m) => typeof m.payload === 'string').payload.split('\n')[0]).toBe('tag,byte,type,bit,scale,offset,deadband');
    } finally {
      await p.close();
    }
  });

  it('a bad layout names the row and column in the status', async () => {
    await new Promise<void>((r) => helper.load(egdConsume as any, [{ id: 'e1', type: 'egd-consume', producerId: '10.1.2.3', exchangeId: 1, period: 100, layout: [{ tag: 'a.b', byte: 0, type: 'bool', bit: 9 }], wires: [[]] }], () => r()));
    const texts = (helper.getNode('e1') as any).status.getCalls().map((c: any) => c.args[0]?.text);
    expect(texts).toContain('tags[0].bit: must be an integer 0 … 7 (got 9)');
  });
});
