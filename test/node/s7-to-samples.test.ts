// node-red-contrib-s7 needs a PLC; these messages are the shapes its "s7 in" node and a
// status node watching it produce (see runtime/devices/s7/mapping.ts).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import s7ToSamples from '../../nodes/s7-to-samples/s7-to-samples';
import { waitFor } from '../helpers/wait';

beforeAll(() => { helper.init(require.resolve('node-red')); });
afterEach(async () => { await helper.unload(); });

describe('s7-to-samples node', () => {
  it('maps variables to tags and the s7 in status to quality', async () => {
    await new Promise<void>((resolve) => helper.load(s7ToSamples as any, [
      { id: 'c1', type: 's7-to-samples', prefix: 'acme.s7', variables: [{ name: 'Tank Level', addr: 'DB1,REAL0', tag: '' }, { name: 'Run', addr: 'DB1,X4.0', tag: 'acme.line1.run' }], wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ], () => resolve()));
    const msgs: any[] = [];
    helper.getNode('h1').on('input', (m: any) => msgs.push(m));
    const c = helper.getNode('c1');
    c.receive({ topic: 'Tank Level', payload: 71.5 });
    c.receive({ topic: '', payload: { Run: true, 'Tank Level': 72 } });
    c.receive({ status: { fill: 'red', shape: 'dot', text: 'offline', source: { id: 's7in', type: 's7 in' } } });
    await waitFor(() => msgs.length === 3, { what: 'three batches' });
    expect(msgs[0].payload).toEqual([expect.objectContaining({ tag: 'acme.s7.Tank_Level', value: 71.5, quality: 'GOOD' })]);
    expect(msgs[1].payload.map((s: any) => [s.tag, s.value])).toEqual([['acme.line1.run', 1], ['acme.s7.Tank_Level', 72]]);
    expect(msgs[2].payload.map((s: any) => [s.tag, s.quality])).toEqual([['acme.s7.Tank_Level', 'BAD_NOT_CONNECTED'], ['acme.line1.run', 'BAD_NOT_CONNECTED']]);
  });
});
