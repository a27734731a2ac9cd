import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { get } from 'sparkplug-payload';
import sparkplugDecode from '../../nodes/sparkplug-decode/sparkplug-decode';
import { waitFor } from '../helpers/wait';

const sp = get('spBv1.0')!;
const enc = (p: any) => Buffer.from(sp.encodePayload(p));

beforeAll(() => { helper.init(require.resolve('node-red')); });
afterEach(async () => { await helper.unload(); });

function load(config: Record<string, unknown>) {
  const flow = [
    { id: 'd1', type: 'sparkplug-decode', wires: [['s1'], ['r1']], ...config },
    { id: 's1', type: 'helper' }, { id: 'r1', type: 'helper' },
  ];
  return new Promise<{ d: any; samples: any[]; rebirths: any[] }>((resolve) => helper.load(sparkplugDecode as any, flow, () => {
    const samples: any[] = [], rebirths: any[] = [];
    helper.getNode('s1').on('input', (m: any) => samples.push(m));
    helper.getNode('r1').on('input', (m: any) => rebirths.push(m));
    resolve({ d: helper.getNode('d1'), samples, rebirths });
  }));
}

describe('sparkplug-decode node', () => {
  it('emits sample batches and rebirth requests on the second output', async () => {
    const { d, samples, rebirths } = await load({ prefix: 'acme.spb' });
    d.receive({ topic: 'spBv1.0/G/NBIRTH/E', payload: enc({ timestamp: 1_700_000_000_000, seq: 0, metrics: [{ name: 'a/b', alias: 1, type: 'Double', value: 2 }] }) });
    await waitFor(() => samples.length === 1, { what: 'birth batch' });
    expect(samples[0].payload).toEqual([{ tag: 'acme.spb.G.E.a.b', ts: 1_700_000_000_000, value: 2, quality: 'GOOD' }]);
    d.receive({ topic: 'spBv1.0/G/NDATA/X', payload: enc({ seq: 1, metrics: [{ alias: 1, type: 'Double', value: 3 }] }) });
    await waitFor(() => rebirths.length === 1, { what: 'rebirth request' });
    expect(rebirths[0].topic).toBe('spBv1.0/G/NCMD/X');
    expect(Buffer.isBuffer(rebirths[0].payload)).toBe(true);
  });

  it('single mode, and errors naming msg.topic / msg.payload', async () => {
    const { d, samples } = await load({ prefix: '', output: 'single' });
    d.receive({ topic: 'spBv1.0/G/NBIRTH/E', payload: enc({ timestamp: 1_700_000_000_000, seq: 0, metrics: [{ name: 'x', type: 'Boolean', value: true }, { name: 'y', type: 'Int8', value: -1 }] }) });
    await waitFor(() => samples.length === 2, { what: 'two messages' });
    expect(samples.map((m) => [m.topic, m.payload, m.quality])).toEqual([['G.E.x', 1, 'GOOD'], ['G.E.y', -1, 'GOOD']]);
    const errors: string[] = [];
    d.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    d.receive({ topic: 'devices/temp', payload: Buffer.alloc(1) });
    d.receive({ topic: 'spBv1.0/G/NDATA/E', payload: 'a string' });
    await waitFor(() => errors.length === 2, { what: 'two errors' });
    expect(errors[0]).toMatch(/^msg\.topic: /);
    expect(errors[1]).toMatch(/^msg\.payload: must be a Buffer/);
  });
});
