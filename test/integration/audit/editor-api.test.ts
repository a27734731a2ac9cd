// The signed-deploy router in front of Node-RED's real editor API (@node-red/editor-api,
// with our adminAuth and a stub runtime): the editor's own login session is recognised
// through Node-RED's token store, the body parsed by our router still reaches Node-RED's
// flows handler, unsigned deploys are refused with 428 and signed ones are recorded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAuthEvents } from '../../../runtime/audit/auth-events';
import { SignatureService } from '../../../runtime/audit/signature-service';
import { adminAuthFor } from '../../../runtime/auth/http';
import { deploySigning } from '../../../runtime/server/deploy-signing';
import { STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from '../../unit/auth/fixture';
import { cleanup, makeTrail, type TrailFixture } from '../../unit/audit/fixture';

const editorApi = createRequire(__filename)('@node-red/editor-api') as {
  init(settings: object, server: Server, storage: object, runtimeAPI: object): void;
  httpAdmin: express.Express;
};

let a: Fixture;
let t: TrailFixture;
let server: Server;
let base: string;
let flows: unknown[] = [{ id: 't1', type: 'tab', label: 'Line' }, { id: 'd1', type: 'debug', z: 't1' }];
const deployedBy: string[] = [];

beforeAll(async () => {
  a = makeAuth();
  await seeded(a);
  t = makeTrail();
  attachAuthEvents(t.trail, a.auth);
  const app = express();
  server = createServer(app);
  let sessions = {};
  const storage = { getSessions: async () => sessions, saveSessions: async (s: object) => { sessions = s; } };
  const runtimeAPI = {
    flows: {
      getFlows: async () => ({ flows, rev: 'r' + deployedBy.length }),
      setFlows: async (opts: { flows: { flows: unknown[] }; user?: { username: string } }) => {
        flows = opts.flows.flows;
        deployedBy.push(opts.user?.username ?? '?');
        return { rev: 'r' + deployedBy.length };
      },
    },
  };
  editorApi.init({ adminAuth: adminAuthFor(a.auth), disableEditor: true, httpAdminRoot: '/' }, server, storage, runtimeAPI);
  const signatures = new SignatureService({ auth: a.auth, trail: t.trail, signedDeploys: true });
  app.use(deploySigning({ auth: a.auth, trail: t.trail, signatures, requireSignature: true, currentFlows: async () => flows }));
  app.use(editorApi.httpAdmin);
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  t.trail.close();
  a.close();
  cleanupDirs();
  cleanup();
});

async function editorLogin(username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function deploy(token: string, body: unknown, signature?: string) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`, 'content-type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full',
  };
  if (signature) headers['X-Historian-Signature'] = signature;
  return fetch(`${base}/flows`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('signed deploys in front of the Node-RED editor API', () => {
  it('refuses an unsigned deploy from an editor session with 428', async () => {
    const tok = await editorLogin('eng', STRONG);
    const r = await deploy(tok, { flows: [...flows, { id: 'n9', type: 'inject', z: 't1' }] });
    expect(r.status).toBe(428);
    expect(deployedBy).toEqual([]);
  });

  it('signs through the editor endpoint with the editor session and deploys; Node-RED receives the body', async () => {
    const tok = await editorLogin('eng', STRONG);
    const cfg = await (await fetch(`${base}/historian/signing-config`)).json();
    expect(cfg).toMatchObject({ signedDeploys: true });
    const s = await fetch(`${base}/historian/re-auth`, {
      method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'eng', password: STRONG, meaning: 'authorship' }),
    });
    expect(s.status).toBe(200);
    const { token } = await s.json() as { token: string };
    const r = await deploy(tok, { flows: [...flows, { id: 'n9', type: 'inject', z: 't1', name: 'new tick' }], rev: 'r0' }, token);
    expect(r.status).toBe(200);
    expect(deployedBy).toEqual(['eng']);
    expect(flows).toHaveLength(3);
    await expect.poll(() => t.trail.query({ action: 'flows.deploy' }).entries.length).toBe(1);
    const e = t.trail.query({ action: 'flows.deploy' }).entries[0];
    expect(e).toMatchObject({ username: 'eng', signature: { meaning: 'authorship', printedName: 'eng Person' }, newValue: { summary: { added: 1, changed: 0, removed: 0 } } });
  });

  it('an operator signs but may not deploy (no flows.write); the refusal is recorded', async () => {
    const tok = await editorLogin('op', STRONG);
    const s = await fetch(`${base}/historian/re-auth`, {
      method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'op', password: STRONG, meaning: 'approval' }),
    });
    const { token } = await s.json() as { token: string };
    const r = await deploy(tok, { flows: [] }, token);
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ permission: 'flows.write' });
    expect(deployedBy).toEqual(['eng']);
    await expect.poll(() => t.trail.query({ action: 'flows.deploy.failed' }).entries.length).toBe(1);
    expect(t.trail.query({ action: 'flows.deploy.failed' }).entries[0]).toMatchObject({ username: 'op', reason: 'HTTP 403: role OPERATOR lacks permission "flows.write"' });
  });
});
