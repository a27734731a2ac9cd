import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import auditLog from '../../nodes/audit-log/audit-log';
import { setProcessAuditTrail } from '../../runtime/audit/process-trail';
import { cleanup, makeTrail, type TrailFixture } from '../unit/audit/fixture';
import { waitFor } from '../helpers/wait';

let f: TrailFixture;

beforeAll(() => {
  helper.init(require.resolve('node-red'));
  f = makeTrail();
  setProcessAuditTrail(f.trail);
});
afterEach(async () => {
  await helper.unload();
});
afterAll(() => {
  setProcessAuditTrail(null);
  f.trail.close();
  cleanup();
});

function load(config: Record<string, unknown>): Promise<{ log: any; out: any }> {
  const flow = [
    { id: 'al1', type: 'audit-log', z: 'flowA', name: 'batch recorder', wires: [['h1']], ...config },
    { id: 'h1', type: 'helper', z: 'flowA' },
  ];
  return new Promise((resolve) => {
    helper.load(auditLog as any, flow, () => resolve({ log: helper.getNode('al1'), out: helper.getNode('h1') }));
  });
}

describe('audit-log node', () => {
  it('appends the event to the chain under flow.* and passes the entry on', async () => {
    const { log, out } = await load({});
    const msgs: any[] = [];
    out.on('input', (m: any) => msgs.push(m));
    log.receive({ payload: { action: 'batch.release', target: 'batch:42', reason: 'QA approved', previousValue: 'quarantine', newValue: { state: 'released' } } });
    await waitFor(() => msgs.length === 1, { what: 'output message' });
    const e = f.trail.get(msgs[0].audit.seq)!;
    expect(e).toMatchObject({
      action: 'flow.batch.release', target: 'batch:42', reason: 'QA approved', previousValue: 'quarantine', newValue: { state: 'released' },
      userId: 'node:al1', username: 'flow:flowA', userName: 'batch recorder', role: 'FLOW',
    });
    expect(msgs[0].audit.hash).toBe(e.hash);
    expect((await f.trail.verify()).ok).toBe(true);
  });

  it('uses the node defaults and refuses bad messages naming the field', async () => {
    const { log, out } = await load({ action: 'cip.start', target: 'tank:3' });
    const msgs: any[] = [];
    out.on('input', (m: any) => msgs.push(m));
    const errors: string[] = [];
    log.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    log.receive({ payload: {} });
    await waitFor(() => msgs.length === 1, { what: 'defaulted entry' });
    expect(f.trail.get(msgs[0].audit.seq)).toMatchObject({ action: 'flow.cip.start', target: 'tank:3' });
    log.receive({ payload: 'hello' });
    log.receive({ payload: { target: 7 } });
    log.receive({ payload: { action: 'bad action!' } });
    await waitFor(() => errors.length === 3, { what: 'three node errors' });
    expect(errors[0]).toMatch(/^msg\.payload:/);
    expect(errors[1]).toMatch(/^msg\.payload\.target:/);
    expect(errors[2]).toMatch(/^action:/);
    expect(msgs).toHaveLength(1);
  });
});
