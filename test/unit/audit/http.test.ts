// The audit routes and the signed-deploy router in small express apps with a real
// AuthService and trail: permissions per role, 428 for unsigned critical actions, the CSV
// export, verification, and deploys recorded with their node summary.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAuthEvents } from '../../../runtime/audit/auth-events';
import { verifyCsvText } from '../../../runtime/audit/csv';
import { actorFields } from '../../../runtime/audit/entry';
import { requireSignature } from '../../../runtime/audit/http/signature-guard';
import { SignatureService } from '../../../runtime/audit/signature-service';
import type { Principal } from '../../../runtime/auth/principal';
import { defineRoute, mountRoutes, type Authenticate } from '../../../runtime/server/api/route';
import { deploySigning } from '../../../runtime/server/deploy-signing';
import { auditRoutes, signatureFor } from '../../../runtime/server/routes/audit-routes';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from '../auth/fixture';
import { cleanup, makeTrail, type TrailFixture } from './fixture';

let a: Fixture;
let t: TrailFixture;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};
let signedDeploys = true;
let deployedFlows: unknown[] = [{ id: 'tab1', type: 'tab', label: 'Line 1' }, { id: 'n1', type: 'inject', z: 'tab1', name: 'tick' }, { id: 'n2', type: 'debug', z: 'tab1' }];
let deployCalls = 0;

beforeAll(async () => {
  a = makeAuth();
  await seeded(a);
  t = makeTrail();
  attachAuthEvents(t.trail, a.auth);
  for (const [u, pw] of [['admin', ADMIN_PW], ['eng', STRONG], ['op', STRONG], ['aud', STRONG]]) {
    tokens[u] = (await a.auth.login({ username: u, password: pw })).token;
  }
  const signatures = new SignatureService({ auth: a.auth, trail: t.trail, clock: () => t.clock.now });
  const deploySignatures = new SignatureService({ auth: a.auth, trail: t.trail, clock: () => t.clock.now, signedDeploys: true });
  const authenticate: Authenticate = async (req) => {
    try { return a.auth.authenticateBearer(req.headers.authorization) as never; } catch { return null; }
  };
  const app = express();
  app.set('trust proxy', false);
  // The Node-RED admin API stand-in, behind our router, as the lead mounts it.
  const editor = express.Router();
  editor.use(deploySigning({
    auth: a.auth, trail: t.trail, signatures: deploySignatures, currentFlows: async () => deployedFlows,
    get requireSignature() { return signedDeploys; },
    editorSessionUser: async (tok) => (tok === 'nodered-session-of-eng' ? 'eng' : null),
  }));
  editor.post('/flows', express.json(), (req, res) => {
    deployCalls++;
    deployedFlows = (req.body as { flows: unknown[] }).flows;
    res.status(200).json({ rev: 'r' + deployCalls });
  });
  app.use('/editor', editor);
  const api = express.Router();
  api.use(express.json());
  const shelve = defineRoute({
    method: 'post', path: '/alarms/:tag/shelve', group: 'alarms', permission: 'alarms.shelve', summary: 'test route',
    handler: (ctx) => {
      const signature = signatureFor(ctx as never, signatures, 'alarms.shelve', (ctx.params as { tag: string }).tag);
      return t.trail.append({ ...actorFields(ctx.principal), action: 'alarms.shelve', target: (ctx.params as { tag: string }).tag, signature });
    },
  });
  mountRoutes(api, [...auditRoutes({ trail: t.trail, signatures, auth: a.auth }), shelve], authenticate);
  app.use('/api/v1', api);
  const plain = express.Router();
  plain.use(express.json(), (req, _res, next) => { (req as typeof req & { principal?: unknown }).principal = a.auth.authenticateBearer(req.headers.authorization); next(); });
  plain.post('/oos/:tag', requireSignature(signatures, { action: 'alarms.out_of_service', target: (req) => req.params.tag }), (req, res) => {
    res.json({ signature: req.signature ?? null });
  });
  app.use('/plain', plain);
  server = createServer(app).listen(0, '127.0.0.1');
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

function call(path: string, opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(base + path, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
}

async function signFor(user: string, action: string, target: string | null, password = STRONG) {
  const r = await call('/api/v1/re-auth', { token: tokens[user], body: { username: user, password, meaning: 'approval', action, target } });
  return { status: r.status, body: await r.json() as { token: string; message?: string; field?: string } };
}

describe('audit routes', () => {
  it('issues signing tokens to the logged-in user only, with both components', async () => {
    const ok = await signFor('op', 'alarms.shelve', 'acme.t1');
    expect(ok.status).toBe(200);
    expect(ok.body.token).toMatch(/^hsig_/);
    expect((await signFor('op', 'alarms.shelve', 'acme.t1', 'wrong password!!')).status).toBe(403);
    const noUser = await call('/api/v1/re-auth', { token: tokens.op, body: { password: STRONG, meaning: 'approval', action: 'alarms.shelve' } });
    expect(noUser.status).toBe(400);
    expect((await noUser.json() as { message: string }).message).toMatch(/body\.username/);
    const badMeaning = await call('/api/v1/re-auth', { token: tokens.op, body: { username: 'op', password: STRONG, meaning: 'because', action: 'alarms.shelve' } });
    expect(badMeaning.status).toBe(400);
    expect((await call('/api/v1/re-auth', { body: { username: 'op', password: STRONG, meaning: 'approval', action: 'x' } })).status).toBe(401);
    const other = await call('/api/v1/re-auth', { token: tokens.op, body: { username: 'eng', password: STRONG, meaning: 'approval', action: 'alarms.shelve' } });
    expect(other.status).toBe(403);
  });

  it('answers 428 to a critical action without a valid signature, and records the signed one', async () => {
    const no = await call('/api/v1/alarms/acme.t1/shelve', { token: tokens.op, body: {} });
    expect(no.status).toBe(428);
    const body = await no.json() as { error: string; message: string; reason: string };
    expect(body).toMatchObject({ error: 'signature_required', reason: 'missing' });
    expect(body.message).toMatch(/re-auth/);
    const { body: ticket } = await signFor('op', 'alarms.shelve', 'acme.t1');
    const wrongTarget = await call('/api/v1/alarms/acme.t2/shelve', { token: tokens.op, body: {}, headers: { 'x-historian-signature': ticket.token } });
    expect(wrongTarget.status).toBe(428);
    const { body: t2 } = await signFor('op', 'alarms.shelve', 'acme.t1');
    const yes = await call('/api/v1/alarms/acme.t1/shelve', { token: tokens.op, body: { signatureToken: t2.token } });
    expect(yes.status).toBe(200);
    const entry = await yes.json() as { seq: number; signature: { printedName: string; meaning: string; signedAt: string } };
    expect(entry.signature).toMatchObject({ printedName: 'op Person', meaning: 'approval' });
    const again = await call('/api/v1/alarms/acme.t1/shelve', { token: tokens.op, body: { signatureToken: t2.token } });
    expect((await again.json() as { reason: string }).reason).toBe('reused');
  });

  it('the express middleware refuses with 428 and passes the manifestation on', async () => {
    expect((await call('/plain/oos/acme.t9', { token: tokens.eng, body: {} })).status).toBe(428);
    const { body: ticket } = await signFor('eng', 'alarms.out_of_service', 'acme.t9');
    const r = await call('/plain/oos/acme.t9', { token: tokens.eng, body: {}, headers: { 'X-Historian-Signature': ticket.token } });
    expect(r.status).toBe(200);
    expect((await r.json() as { signature: { printedName: string } }).signature.printedName).toBe('eng Person');
  });

  it('lets auditors read, filter and page the trail; others get 403, anonymous 401', async () => {
    const r = await call('/api/v1/audit?action=auth.*&limit=2', { token: tokens.aud });
    expect(r.status).toBe(200);
    const page = await r.json() as { entries: Array<{ action: string; seq: number }>; nextCursor: number };
    expect(page.entries).toHaveLength(2);
    expect(page.entries.every((e) => e.action.startsWith('auth.'))).toBe(true);
    const next = await (await call(`/api/v1/audit?action=auth.*&limit=2&cursor=${page.nextCursor}`, { token: tokens.aud })).json() as { entries: Array<{ seq: number }> };
    expect(next.entries[0].seq).toBeLessThan(page.entries[1].seq);
    expect((await call('/api/v1/audit', { token: tokens.op })).status).toBe(403);
    expect((await call('/api/v1/audit')).status).toBe(401);
    const bad = await call('/api/v1/audit?from=yesterday', { token: tokens.aud });
    expect(bad.status).toBe(400);
    expect((await bad.json() as { message: string }).message).toMatch(/query\.from/);
    const since = await (await call(`/api/v1/audit?from=${new Date(t.clock.now).toISOString()}&user=op&order=asc`, { token: tokens.aud })).json() as { entries: Array<{ username: string }> };
    expect(since.entries.length).toBeGreaterThan(0);
    expect(since.entries.every((e) => e.username === 'op')).toBe(true);
  });

  it('streams the CSV export, which re-verifies offline, and records who exported what', async () => {
    const r = await call('/api/v1/audit/export.csv', { token: tokens.aud });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await r.text();
    const v = verifyCsvText(text);
    expect(v.ok).toBe(true);
    expect(v.rows).toBeGreaterThan(10);
    const last = t.trail.query({ action: 'audit.export' }).entries[0];
    expect(last).toMatchObject({ username: 'aud', newValue: { rows: v.rows, completed: true } });
  });

  it('verifies for auditors and admins only', async () => {
    const r = await call('/api/v1/audit/verify', { token: tokens.aud });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, damage: null });
    expect((await call('/api/v1/audit/verify', { token: tokens.eng })).status).toBe(403);
    expect((await call('/api/v1/audit/signing-config', { token: tokens.op })).status).toBe(200);
  });

  it('offers no way to modify or delete entries', async () => {
    const routes = auditRoutes({ trail: t.trail, signatures: new SignatureService({ auth: a.auth }) });
    expect(routes.filter((r) => r.method !== 'get').map((r) => `${r.method} ${r.path}`)).toEqual(['post /re-auth', 'post /audit/acknowledge']);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await call('/api/v1/audit', { method, token: tokens.admin })).status).toBe(404);
    }
  });
});

describe('signed deploys', () => {
  const flowsBody = (flows: unknown[]) => ({ flows, rev: 'x' });
  const newFlows = () => [
    { id: 'tab1', type: 'tab', label: 'Line 1' },
    { id: 'n1', type: 'inject', z: 'tab1', name: 'tick every 5 s', repeat: '5' },
    { id: 'n3', type: 'function', z: 'tab1', name: 'scale', credentials: { secret: 'do-not-log' } },
  ];

  it('refuses an unsigned deploy with 428 and does not reach Node-RED', async () => {
    signedDeploys = true;
    const before = deployCalls;
    const r = await call('/editor/flows', { token: tokens.eng, body: flowsBody(newFlows()) });
    expect(r.status).toBe(428);
    expect((await r.json() as { reason: string }).reason).toBe('missing');
    expect(deployCalls).toBe(before);
  });

  it('deploys with a signing token from the editor endpoint and records who, when and what changed', async () => {
    signedDeploys = true;
    const cfg = await (await call('/editor/historian/signing-config')).json();
    expect(cfg).toMatchObject({ signedDeploys: true, action: 'flows.deploy' });
    const sign = await call('/editor/historian/re-auth', { token: 'nodered-session-of-eng', body: { username: 'eng', password: STRONG, meaning: 'approval' } });
    expect(sign.status).toBe(200);
    const { token } = await sign.json() as { token: string };
    const r = await call('/editor/flows', { token: 'nodered-session-of-eng', body: flowsBody(newFlows()), headers: { 'X-Historian-Signature': token, 'Node-RED-Deployment-Type': 'full' } });
    expect(r.status).toBe(200);
    await expect.poll(() => t.trail.query({ action: 'flows.deploy' }).entries.length).toBe(1);
    const e = t.trail.query({ action: 'flows.deploy' }).entries[0];
    expect(e).toMatchObject({ username: 'eng', userName: 'eng Person', role: 'ENGINEER', target: 'flows' });
    expect(e.signature).toMatchObject({ printedName: 'eng Person', meaning: 'approval', action: 'flows.deploy' });
    expect(e.newValue).toMatchObject({
      deploymentType: 'full', summary: { added: 1, changed: 1, removed: 1, total: 3 },
      added: [{ id: 'n3', type: 'function', name: 'scale' }], changed: [{ id: 'n1' }], removed: [{ id: 'n2', type: 'debug' }],
    });
    expect(JSON.stringify(e)).not.toContain('do-not-log');
    // A token is single use: replaying it is refused.
    const replay = await call('/editor/flows', { token: tokens.eng, body: flowsBody(newFlows()), headers: { 'X-Historian-Signature': token } });
    expect(replay.status).toBe(428);
  });

  it("refuses a deploy signed with someone else's token, and a re-auth without an editor session", async () => {
    signedDeploys = true;
    const sign = await call('/editor/historian/re-auth', { token: tokens.admin, body: { username: 'admin', password: ADMIN_PW, meaning: 'review' } });
    const { token } = await sign.json() as { token: string };
    expect((await call('/editor/flows', { token: tokens.eng, body: flowsBody(newFlows()), headers: { 'X-Historian-Signature': token } })).status).toBe(428);
    expect((await call('/editor/historian/re-auth', { body: { username: 'eng', password: STRONG, meaning: 'approval' } })).status).toBe(401);
  });

  it('refuses an anonymous deploy with 401 before reading its body', async () => {
    signedDeploys = false;
    const before = deployCalls;
    // not JSON and over the 5 MB deploy limit: a guard that parsed first would answer 400 or 413
    const junk = '{' + 'x'.repeat(6 * 1024 * 1024);
    const r = await fetch(base + '/editor/flows', { method: 'POST', headers: { 'content-type': 'application/json' }, body: junk });
    expect(r.status).toBe(401);
    expect((await r.json() as { message: string }).message).toMatch(/log in/);
    const forged = await fetch(base + '/editor/flows', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-session' }, body: junk });
    expect(forged.status).toBe(401);
    // a signed-in engineer's malformed body is read, and refused as such
    const bad = await fetch(base + '/editor/flows', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.eng}` }, body: '{"flows": [' });
    expect(bad.status).toBe(400);
    expect(deployCalls).toBe(before);
    signedDeploys = true;
  });

  it('records unsigned deploys when signing is off', async () => {
    signedDeploys = false;
    const n = t.trail.query({ action: 'flows.deploy' }).entries.length;
    const r = await call('/editor/flows', { token: tokens.admin, body: flowsBody([...newFlows(), { id: 'n4', type: 'debug', z: 'tab1' }]) });
    expect(r.status).toBe(200);
    await expect.poll(() => t.trail.query({ action: 'flows.deploy' }).entries.length).toBe(n + 1);
    const e = t.trail.query({ action: 'flows.deploy' }).entries[0];
    expect(e).toMatchObject({ username: 'admin', signature: null, newValue: { summary: { added: 1, changed: 0, removed: 0 } } });
    expect((await (await call('/editor/historian/signing-config')).json() as { signedDeploys: boolean }).signedDeploys).toBe(false);
    signedDeploys = true;
  });
});
