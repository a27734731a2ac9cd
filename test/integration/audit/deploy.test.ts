// Signed deploys through the real distribution's admin API (HISTORIAN_SIGNED_DEPLOYS=true):
// an unsigned deploy is refused with 428, a deploy signed through /api/v1/re-auth goes
// through and is recorded with its signature and node summary, and the chain verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startDistribution, type Distribution } from '../../helpers/distribution';

let d: Distribution;
let token: string;

beforeAll(async () => {
  d = await startDistribution({ env: { HISTORIAN_SIGNED_DEPLOYS: 'true' } });
  token = await d.login();
});
afterAll(async () => {
  await d?.stop();
});

const v2 = { 'Node-RED-API-Version': 'v2', 'Content-Type': 'application/json' };

async function currentFlows(): Promise<{ flows: Array<Record<string, unknown>>; rev: string }> {
  const r = await d.request('/editor/flows', { token, headers: v2 });
  expect(r.status).toBe(200);
  return r.json() as Promise<{ flows: Array<Record<string, unknown>>; rev: string }>;
}

function withNewNode(flows: Array<Record<string, unknown>>, id: string): Array<Record<string, unknown>> {
  const tab = flows.find((n) => n.type === 'tab');
  return [...flows, { id, type: 'comment', z: tab?.id, name: `signed change ${id}`, info: '', x: 200, y: 40, wires: [] }];
}

describe('signed deploys through the admin API', () => {
  it('refuses an unsigned deploy with 428', async () => {
    const { flows, rev } = await currentFlows();
    const r = await d.request('/editor/flows', {
      method: 'POST', token, headers: { ...v2, 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify({ flows: withNewNode(flows, 'aa00000000000001'), rev }),
    });
    expect(r.status).toBe(428);
    expect(await r.json()).toMatchObject({ error: 'signature_required', action: 'flows.deploy' });
    expect((await currentFlows()).flows.some((n) => n.id === 'aa00000000000001')).toBe(false);
  });

  it('deploys with a signing token and records who, when, what changed and the signature', async () => {
    const cfg = await (await d.request('/api/v1/audit/signing-config', { token })).json();
    expect(cfg).toMatchObject({ signedDeploys: true });
    const sign = await d.request('/api/v1/re-auth', {
      method: 'POST', token, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD, meaning: 'approval', action: 'flows.deploy', target: 'flows' }),
    });
    expect(sign.status).toBe(200);
    const { token: signing } = await sign.json() as { token: string };
    const { flows, rev } = await currentFlows();
    const r = await d.request('/editor/flows', {
      method: 'POST', token, headers: { ...v2, 'Node-RED-Deployment-Type': 'full', 'X-Historian-Signature': signing },
      body: JSON.stringify({ flows: withNewNode(flows, 'aa00000000000002'), rev }),
    });
    expect(r.status).toBe(200);
    expect((await currentFlows()).flows.some((n) => n.id === 'aa00000000000002')).toBe(true);
    const list = await (await d.request('/api/v1/audit?action=flows.deploy', { token })).json() as { entries: Array<Record<string, any>> };
    expect(list.entries.length).toBeGreaterThanOrEqual(1);
    const e = list.entries[0];
    expect(e).toMatchObject({ username: 'admin', target: 'flows', signature: { meaning: 'approval', action: 'flows.deploy' } });
    expect(typeof e.signature.printedName).toBe('string');
    expect(e.newValue.summary).toMatchObject({ added: 1, removed: 0 });
    expect(e.newValue.added).toEqual([expect.objectContaining({ id: 'aa00000000000002', type: 'comment' })]);
  });

  it('recorded the logins from start-up on, and the chain verifies', async () => {
    const logins = await (await d.request('/api/v1/audit?action=auth.login', { token })).json() as { entries: Array<{ username: string }> };
    expect(logins.entries.some((e) => e.username === 'admin')).toBe(true);
    const v = await (await d.request('/api/v1/audit/verify', { token })).json();
    expect(v).toMatchObject({ ok: true, damage: null });
  });
});
