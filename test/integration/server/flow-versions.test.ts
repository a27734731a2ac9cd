// Flow versions against the real distribution with signed deploys on: every deploy is
// stored as a version, any two are diffed, a restore is a signed deploy (flows.restore)
// through the same guard, audited and stored as a new version, the running flows equal the
// restored version, and versions that cannot be restored are refused with a clear reason.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser, signingToken } from '../../helpers/signing';

let d: Distribution;
let token: string;
const v2 = { 'Node-RED-API-Version': 'v2', 'Content-Type': 'application/json' };
type Node = Record<string, unknown> & { id: string };

const tab: Node = { id: 'fv0000000000tab1', type: 'tab', label: 'Versions test', disabled: false, info: '' };
const comment = (id: string, name: string): Node => ({ id, type: 'comment', z: tab.id, name, info: '', x: 200, y: 40, wires: [] });

beforeAll(async () => {
  d = await startDistribution({ env: { HISTORIAN_SIGNED_DEPLOYS: 'true', HISTORIAN_DEMO_FLOW: 'none' } });
  token = await d.login();
});
afterAll(async () => { await d?.stop(); });

async function running(): Promise<{ flows: Node[]; rev: string }> {
  const r = await d.request('/editor/flows', { token, headers: v2 });
  expect(r.status).toBe(200);
  return r.json() as Promise<{ flows: Node[]; rev: string }>;
}

async function deploy(flows: Node[]): Promise<void> {
  const sig = await signingToken(d, token, 'flows.deploy', 'flows');
  const r = await d.request('/editor/flows', {
    method: 'POST', token, headers: { ...v2, 'Node-RED-Deployment-Type': 'full', 'X-Historian-Signature': sig }, body: JSON.stringify({ flows }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

const json = async (path: string, t = token) => {
  const r = await d.request(path, { token: t });
  return { status: r.status, body: await r.json() as any };
};

const strip = (flows: Node[]) => flows.map((n) => JSON.stringify(n)).sort();

describe('flow versions', () => {
  const v1 = [tab, comment('fv00000000000001', 'first')];
  const v2flows = [tab, comment('fv00000000000001', 'first, renamed'), comment('fv00000000000002', 'second')];
  const v3 = [tab, comment('fv00000000000002', 'second'), comment('fv00000000000003', 'third')];

  it('stores every deploy as a version with who, when, signature and a summary', async () => {
    await deploy(v1);
    await deploy(v2flows);
    await deploy(v3);
    const { status, body } = await json('/api/v1/flows/versions');
    expect(status).toBe(200);
    expect(body.versions.map((v: any) => v.version)).toEqual([3, 2, 1]);
    expect(body.versions[0]).toMatchObject({
      user: { username: 'admin', role: 'ADMIN' }, deploymentType: 'full', restoredFrom: null,
      signature: { action: 'flows.deploy', username: 'admin' }, summary: { added: 1, changed: 0, removed: 1, total: 3 },
    });
    const one = await json('/api/v1/flows/versions/1');
    expect(strip(one.body.flows)).toEqual(strip(v1));
  });

  it('diffs version 1 against 3 node by node and property by property', async () => {
    const { status, body } = await json('/api/v1/flows/versions/1/diff/3');
    expect(status).toBe(200);
    expect(body.added.map((n: any) => n.id).sort()).toEqual(['fv00000000000002', 'fv00000000000003']);
    expect(body.removed).toEqual([{ id: 'fv00000000000001', type: 'comment', label: 'first', flow: 'Versions test' }]);
    const d12 = (await json('/api/v1/flows/versions/1/diff/2')).body;
    expect(d12.changed).toEqual([expect.objectContaining({ id: 'fv00000000000001', properties: [{ key: 'name', before: 'first', after: 'first, renamed' }] })]);
  });

  it('exports a version as a JSON file to import', async () => {
    const r = await d.request('/api/v1/flows/versions/2?download=true', { token });
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="flows-v2.json"');
    expect(strip(await r.json() as Node[])).toEqual(strip(v2flows));
  });

  it('restores version 1 only with a flows.restore signature; the running flows then equal version 1', async () => {
    const unsigned = await d.request('/api/v1/flows/versions/1/restore', { method: 'POST', token });
    expect(unsigned.status).toBe(428);
    expect(await unsigned.json()).toMatchObject({ error: 'signature_required', actions: ['flows.restore'] });
    expect(strip((await running()).flows)).toEqual(strip(v3));
    // a deploy signature is not a restore signature
    const wrong = await d.request('/api/v1/flows/versions/1/restore', { method: 'POST', token, headers: { 'X-Historian-Signature': await signingToken(d, token, 'flows.deploy', 'flows') } });
    expect(wrong.status).toBe(428);

    const sig = await signingToken(d, token, 'flows.restore', 'flows', { meaning: 'approval' });
    const r = await d.request('/api/v1/flows/versions/1/restore', { method: 'POST', token, headers: { 'X-Historian-Signature': sig } });
    expect(r.status, await r.clone().text()).toBe(200);
    expect(strip((await running()).flows)).toEqual(strip(v1));
    const list = (await json('/api/v1/flows/versions')).body.versions;
    expect(list[0]).toMatchObject({ version: 4, restoredFrom: 1, signature: { action: 'flows.restore', meaning: 'approval' } });
    const audit = (await json('/api/v1/audit?action=flows.restore')).body.entries;
    expect(audit[0]).toMatchObject({ username: 'admin', target: 'flows', newValue: { restoredFrom: 1 }, signature: { action: 'flows.restore' } });
  });

  it('refuses to restore a version whose node types are not installed, naming them; the running flows stay', async () => {
    await deploy([tab, { id: 'fv00000000000009', type: 'gone-node', z: tab.id, name: 'Old driver', x: 100, y: 100, wires: [] }]);
    await deploy(v1);
    const before = strip((await running()).flows);
    const r = await d.request('/api/v1/flows/versions/5/restore', { method: 'POST', token });
    expect(r.status).toBe(422);
    const body = await r.json() as any;
    expect(body).toMatchObject({ error: 'not_restorable', missingTypes: [{ type: 'gone-node', count: 1, nodes: ['Old driver'] }] });
    expect(body.message).toContain('gone-node');
    expect(strip((await running()).flows)).toEqual(before);
  });

  it('reports a damaged version file and never restores it', async () => {
    const f = join(d.dataDir, 'flow-versions', 'v000002.json');
    writeFileSync(f, readFileSync(f, 'utf8').replace('second', 'SECOND'));
    const list = (await json('/api/v1/flows/versions')).body.versions;
    expect(list.find((v: any) => v.version === 2)).toMatchObject({ corrupt: expect.stringContaining('SHA-256') });
    const r = await d.request('/api/v1/flows/versions/2/restore', { method: 'POST', token });
    expect(r.status).toBe(409);
    expect((await json('/api/v1/flows/versions/2')).status).toBe(409);
  });

  it('serves the same routes to the editor under /editor/historian with an editor session, permissions from the role', async () => {
    await createUser(d, token, { username: 'op-versions', name: 'Olive Operator', role: 'OPERATOR', password: 'Operator-Pass-2026!' });
    const login = await d.request('/editor/auth/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username: 'op-versions', password: 'Operator-Pass-2026!' }),
    });
    expect(login.status).toBe(200);
    const editorToken = ((await login.json()) as { access_token: string }).access_token;
    // not one of the API's tokens
    expect((await d.request('/api/v1/flows/versions', { token: editorToken })).status).toBe(401);
    const list = await json('/editor/historian/flows/versions', editorToken);
    expect(list.status).toBe(200);
    expect(list.body.versions.length).toBeGreaterThanOrEqual(6);
    const restore = await d.request('/editor/historian/flows/versions/1/restore', { method: 'POST', token: editorToken });
    expect(restore.status).toBe(403);
    expect((await d.request('/editor/historian/flows/versions')).status).toBe(401);
  });
});
