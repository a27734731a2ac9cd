// Every route of the API × every role, generated from the running server's own OpenAPI
// description (which carries each route's permission as x-permission) and the one
// permission table: each answer must be exactly what the table says. Plus the tokens
// that must never get in: none, expired, revoked, forged signature, alg none, HS256.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_PERMISSIONS, isPermission, ROLES, ROLE_PERMISSIONS, type Role } from '../../../runtime/auth/permissions';
import { NON_ROUTE_CHECKS } from '../../../runtime/server/permission-checks';
import { DEFAULT_CRITICAL_ACTIONS } from '../../../runtime/audit/critical-actions';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';

interface Op { method: string; path: string; permission: string; alsoChecks: string[]; signs: string[] }

let dist: Distribution;
let ops: Op[] = [];
let allOps: Op[] = [];
const tokens = {} as Record<Role, string>;
const PASSWORD = 'Role-Check-Pass-2026';

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

async function send(op: Op, token?: string): Promise<number> {
  const path = op.path.replace(/\{[^}]+\}/g, 'no-such-thing');
  const init: RequestInit & { token?: string } = { method: op.method.toUpperCase(), token };
  if (op.method !== 'get' && op.method !== 'delete') {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = '{}';
  }
  const res = await dist.request(path, init);
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  dist = await startDistribution();
  tokens.ADMIN = await dist.login();
  for (const role of ROLES) {
    if (role === 'ADMIN') continue;
    const username = `user-${role.toLowerCase()}`;
    await createUser(dist, tokens.ADMIN, { username, name: `${role} user`, role, ...(role === 'SERVICE' ? {} : { password: PASSWORD }) });
    if (role === 'SERVICE') {
      const t = await dist.request('/api/v1/tokens', {
        method: 'POST', token: tokens.ADMIN, headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: username, scopes: [...ROLE_PERMISSIONS.SERVICE] }),
      });
      tokens.SERVICE = ((await t.json()) as { token: string }).token;
    } else tokens[role] = await dist.login(username, PASSWORD);
  }
  const doc = await (await dist.request('/api/v1/openapi.json', { token: tokens.ADMIN })).json() as {
    paths: Record<string, Record<string, { 'x-permission': string; 'x-also-checks'?: string[]; 'x-signature-actions'?: string[] }>>;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method, path, permission: op['x-permission'], alsoChecks: op['x-also-checks'] ?? [], signs: op['x-signature-actions'] ?? [] });
    }
  }
  allOps = [...ops];
  // logout revokes the token that calls it: it is checked separately below
  ops = ops.filter((o) => o.path !== '/api/v1/logout');
});
afterAll(async () => { await dist?.stop(); });

describe('every route × every role', () => {
  it('covers the routes the server declares', () => {
    expect(ops.length).toBeGreaterThanOrEqual(15);
    expect(ops.map((o) => o.path)).toEqual(expect.arrayContaining(['/api/v1/login', '/api/v1/query', '/api/v1/metrics', '/api/v1/users', '/api/v1/tokens']));
    // the administration pages' routes (issue 17) are declared, so the loops below cover them
    expect(ops.map((o) => `${o.method} ${o.path} ${o.permission}`)).toEqual(expect.arrayContaining([
      'get /api/v1/system/health authenticated', 'get /api/v1/me/sessions authenticated', 'post /api/v1/me/sessions/revoke authenticated',
      'get /api/v1/password-policy authenticated', 'get /api/v1/tags/{tag}/stats tags.read', 'post /api/v1/users/{id}/unlock users.manage',
      'patch /api/v1/users/{id} users.manage', 'delete /api/v1/tokens/{id} tokens.manage', 'put /api/v1/tags/{tag} tags.write',
      // issue 18: the acknowledgement of a damaged audit trail, alarm limits, the deployed flows
      'post /api/v1/audit/acknowledge audit.acknowledge', 'put /api/v1/alarms/{id}/limits alarms.configure', 'get /api/v1/flows flows.read',
    ]));
  });

  it('documents the editor-side routes (editor plugin, node admin endpoints) with the same generator, under x-editor-api', async () => {
    const doc = await (await dist.request('/api/v1/openapi.json', { token: tokens.ADMIN })).json() as { 'x-editor-api': { root: string; paths: Record<string, Record<string, { 'x-permission': string }>> } };
    const editor = Object.entries(doc['x-editor-api'].paths).flatMap(([p, m]) => Object.entries(m).map(([method, op]) => `${method} ${p} ${op['x-permission']}`));
    expect(editor).toEqual(expect.arrayContaining([
      'post /editor/historian/re-auth authenticated', 'get /editor/historian/signing-config public',
      'get /editor/calc-tag/preview calc-tag.read', 'post /editor/twin-predict/{id}/train flows.write', 'get /editor/historian/opcua/browse opcua-subscribe.read',
    ]));
  });

  it('every permission of the table is checked by some route or other check; every check names a permission of the table', () => {
    const checkedBy = new Map<string, string[]>();
    const add = (p: string, where: string) => checkedBy.set(p, [...(checkedBy.get(p) ?? []), where]);
    for (const op of allOps) {
      add(op.permission, `${op.method.toUpperCase()} ${op.path}`);
      for (const p of op.alsoChecks) add(p, `${op.method.toUpperCase()} ${op.path} (some requests)`);
    }
    for (const c of NON_ROUTE_CHECKS) add(c.permission, c.where);
    expect(ALL_PERMISSIONS.filter((p) => !checkedBy.has(p)), 'permissions nothing checks').toEqual([]);
    expect([...checkedBy.keys()].filter((p) => p !== 'public' && p !== 'authenticated' && !isPermission(p)), 'checks of permissions not in the table').toEqual([]);
    // the retention promise in particular: gated by its own permission, not tags.write alone
    expect(checkedBy.get('retention.manage')).toEqual(expect.arrayContaining(['PUT /api/v1/tags/{tag} (some requests)']));
  });

  it('documents the signed actions of its routes (x-signature-actions) for every API-reachable critical action', () => {
    const signed = new Set(allOps.flatMap((o) => o.signs));
    // tiers.policy.change is reached by deploys only (covered in signatures.test.ts)
    expect(DEFAULT_CRITICAL_ACTIONS.filter((a) => a !== 'tiers.policy.change' && !signed.has(a))).toEqual([]);
  });

  for (const role of ROLES) {
    it(`${role}: 403 exactly where the permission table says no`, async () => {
      const wrong: string[] = [];
      for (const op of ops) {
        const status = await send(op, tokens[role]);
        const allowed = op.permission === 'public' || op.permission === 'authenticated' || ROLE_PERMISSIONS[role].has(op.permission as never);
        const ok = allowed ? status !== 401 && status !== 403 : status === 403;
        if (!ok) wrong.push(`${op.method.toUpperCase()} ${op.path} (${op.permission}) → ${status}, expected ${allowed ? 'not 401/403' : '403'}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('without a token: 401 everywhere but the public routes', async () => {
    const wrong: string[] = [];
    for (const op of ops) {
      const status = await send(op);
      if ((op.permission === 'public') === (status === 401)) wrong.push(`${op.method} ${op.path} → ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses expired, revoked, forged, alg:none and HS256 tokens with 401 on every protected route', async () => {
    const [, payloadB64] = tokens.ADMIN.split('.');
    const claims = JSON.parse(Buffer.from(payloadB64, 'base64url').toString());
    const privateKey = readFileSync(join(dist.dataDir, 'secrets', 'jwt-private.pem'), 'utf8');
    const publicKey = readFileSync(join(dist.dataDir, 'secrets', 'jwt-public.pem'), 'utf8');
    const rs256 = (payload: object) => {
      const head = b64({ alg: 'RS256', typ: 'JWT' });
      const body = b64(payload);
      const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey).toString('base64url');
      return `${head}.${body}.${sig}`;
    };
    const expired = rs256({ ...claims, iat: claims.iat - 7200, exp: Math.floor(Date.now() / 1000) - 60 });
    const [h, , s] = tokens.ADMIN.split('.');
    const forged = `${h}.${b64({ ...claims, sub: 'someone-else', role: 'ADMIN', name: 'Mallory' })}.${s}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const { createHmac } = await import('node:crypto');
    const hsHead = b64({ alg: 'HS256', typ: 'JWT' });
    const hs256 = `${hsHead}.${payloadB64}.${createHmac('sha256', publicKey).update(`${hsHead}.${payloadB64}`).digest('base64url')}`;
    const revoked = await dist.login('user-engineer', PASSWORD);
    expect((await dist.request('/api/v1/logout', { method: 'POST', token: revoked })).status).toBe(204);
    // the expired token is otherwise valid: same claims, signed by the server's own key
    const fresh = rs256({ ...claims });
    expect(await send({ method: 'get', path: '/api/v1/me', permission: 'authenticated', alsoChecks: [], signs: [] }, fresh)).toBe(200);
    const wrong: string[] = [];
    for (const [name, bad] of Object.entries({ expired, revoked, forged, none, hs256, garbage: 'not-a-token' })) {
      for (const op of ops.filter((o) => o.permission !== 'public')) {
        const status = await send(op, bad);
        if (status !== 401) wrong.push(`${name}: ${op.method} ${op.path} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
