// The demo flow's Audit tab as shipped (flows/demo-plant.json): a twin anomaly event and a
// simulator setpoint event, sent into its link-in nodes' targets, become audit trail entries.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import auditLog from '../../nodes/audit-log/audit-log';
import { setProcessAuditTrail } from '../../runtime/audit/process-trail';
import { cleanup, makeTrail, type TrailFixture } from '../unit/audit/fixture';
import { waitFor } from '../helpers/wait';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const changeNode = require('@node-red/nodes/core/function/15-change.js');

const flow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'flows', 'demo-plant.json'), 'utf8')) as Array<Record<string, any>>;
const auditTab = flow.filter((n) => n.z === 'audit-tab' && (n.type === 'audit-log' || n.type === 'change'));
let f: TrailFixture;

beforeAll(() => {
  helper.init(require.resolve('node-red'));
  f = makeTrail();
  setProcessAuditTrail(f.trail);
});
afterEach(async () => { await helper.unload(); });
afterAll(() => {
  setProcessAuditTrail(null);
  f.trail.close();
  cleanup();
});

describe('demo flow: Audit tab', () => {
  it('records twin anomalies and operator events from the Plant tab', async () => {
    expect(auditTab.map((n) => n.id).sort()).toEqual(['audit-anomaly', 'audit-anomaly-shape', 'audit-events']);
    await new Promise<void>((resolve) => helper.load([auditLog, changeNode], [
      { id: 'audit-tab', type: 'tab', label: 'Audit' },
      // the recorders' outputs (unwired in the demo) go to a helper here
      ...auditTab.map((n) => (n.type === 'audit-log' ? { ...n, wires: [['out']] } : n)),
      { id: 'out', type: 'helper', z: 'audit-tab' },
    ], () => resolve()));
    for (const id of ['audit-anomaly', 'audit-anomaly-shape', 'audit-events']) expect(helper.getNode(id), id).toBeTruthy();
    const anomaly = {
      phase: 'start', tag: 'acme.izmir.plant1.line1.cell1.pump1.temperature', model: 'demo-pump1-temperature', detector: 'ewma',
      start: 1_796_000_000_000, residual: 1.8, score: 4.6, peakScore: 4.6, threshold: 4, confidence: 0.93,
    };
    const outs: any[] = [];
    const errors: string[] = [];
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    for (const id of ['audit-anomaly', 'audit-anomaly-shape', 'audit-events']) helper.getNode(id).on('call:error', (c: any) => errors.push(`${id}: ${c.firstArg?.message ?? c.firstArg}`));
    helper.getNode('audit-anomaly-shape').receive({ topic: 'sys.analytics.anomaly', payload: anomaly });
    helper.getNode('audit-events').receive({ topic: 'x', payload: { action: 'sim.setpoint', target: 'acme.izmir.plant1.line1.cell1.pump1.flow_sp', previousValue: 50, newValue: 65, reason: 'simulated operator / process event', ts: 1 } });
    await waitFor(() => outs.length === 2 || errors.length > 0, { what: 'two audit entries', timeoutMs: 5000 });
    expect(errors).toEqual([]);
    const entries = outs.map((m) => m.audit.action).sort();
    expect(entries).toEqual(['flow.sim.setpoint', 'flow.twin.anomaly']);
    const shaped = outs.find((m) => m.audit.action === 'flow.twin.anomaly').payload;
    expect(shaped).toMatchObject({ action: 'twin.anomaly', target: anomaly.tag, reason: 'anomaly start (model demo-pump1-temperature, confidence 93 %)', newValue: anomaly });
  });
});
