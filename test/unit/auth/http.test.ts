// The express-facing pieces on a real loopback server: status codes, bodies, headers.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRoutes, authenticateUpgrade, authenticatorFor } from '../../../runtime/auth/http';
import { callerOf, defineRoute, mountRoutes, type RouteDef } from '../../../runtime/http';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
let server: Server;
let base: string;
const signed: string[] = [];
let AUTH_ROUTES: RouteDef[];

beforeAll(async () => {
  f = makeAuth({ lockout: { addressMaxFailures: 1000 } });
  await seeded(f);
  const app = express();
  app.set('trust proxy', false);
  const api = express.Router();
  api.use(express.json());
  AUTH_ROUTES = authRoutes({ auth: f.auth, sign: (req, _signer, a) => { signed.push(`${a.action}:${req.params.id}`); return undefined; } });
  const ingest = defineRoute({
    method: 'post', path: '/metrics', group: 'test', summary: 'ingest stand-in', permission: 'ingest', response: { status: 202, description: 'accepted' },
    handler: (ctx) => {
      const p = callerOf(ctx);
      return { by: p.username, allowed: p.allowsTag(String((ctx.body as { tag?: unknown }).tag)) };
    },
  });
  mountRoutes(api, [...AUTH_ROUTES, ingest], authenticatorFor(f.auth));
  app.use('/api/v1', api);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  f.close();
  cleanupDirs();
});

async function call(method: string, path: string, opts: { token?: string; body?: unknown; header?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.header) headers.authorization = opts.header;
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const login = async (username: string, password = STRONG) => (await call('POST', '/login', { body: { username, password } })).body.token as string;

describe('auth HTTP API', () => {
  it('logs in with {username, password} and answers the token in `token`', async () => {
    const r = await call('POST', '/login', { body: { username: 'admin', password: ADMIN_PW } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['expiresAt', 'mustChangePassword', 'token', 'user']);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const me = await call('GET', '/me', { token: r.body.token });
    expect(me.body).toMatchObject({ kind: 'user', username: 'admin', role: 'ADMIN', mustChangePassword: false });
    expect(me.body.permissions).toContain('users.manage');
  });

  it('answers 401 with the same body for unknown user and wrong password, 400 naming the field and listing every issue', async () => {
    const a = await call('POST', '/login', { body: { username: 'nobody', password: STRONG } });
    const b = await call('POST', '/login', { body: { username: 'eng', password: 'wrong password 1' } });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body).toEqual(b.body);
    const c = await call('POST', '/login', { body: { username: 'eng' } });
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ error: 'bad_request', field: 'password' });
    const d = await call('POST', '/login', { body: { username: 'eng', password: STRONG, extra: 1 } });
    expect(d.status).toBe(400);
    const e = await call('POST', '/login', { body: { username: '', password: '', extra: 1 } });
    expect(e.status).toBe(400);
    expect(e.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body', 'body.password', 'body.username']);
  });

  it('answers 401 without or with a bad token, 403 without the permission', async () => {
    const none = await call('GET', '/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="historian"');
    const bad = await call('GET', '/users', { token: 'a.b.c' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="historian", error="invalid_token"/);
    expect((await call('GET', '/users', { header: 'Basic Zm9vOmJhcg==' })).status).toBe(401);
    const op = await login('op');
    const forbidden = await call('GET', '/users', { token: op });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden', permission: 'users.manage' });
    expect((await call('GET', '/users', { token: await login('admin', ADMIN_PW) })).status).toBe(200);
  });

  it('matches every auth route against the permission table for every role', async () => {
    const tokens: Record<string, string> = {
      ADMIN: await login('admin', ADMIN_PW), ENGINEER: await login('eng'), OPERATOR: await login('op'), AUDITOR: await login('aud'),
    };
    for (const r of AUTH_ROUTES) {
      if (r.permission === 'public' || r.path === '/logout') continue;
      const path = r.path.replace(':id', 'nobody');
      for (const [role, token] of Object.entries(tokens)) {
        const res = await call(r.method.toUpperCase(), path, { token, body: r.method === 'get' || r.method === 'delete' ? undefined : {} });
        const allowed = r.permission === 'authenticated' || role === 'ADMIN';
        if (allowed) expect([200, 204, 400, 404], `${role} ${r.method} ${r.path}`).toContain(res.status);
        else expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
      }
      expect((await call(r.method.toUpperCase(), path)).status, `anonymous ${r.path}`).toBe(401);
    }
  });

  it('asks the signature hook for a user-administration change, after authentication', async () => {
    signed.length = 0;
    const admin = await login('admin', ADMIN_PW);
    const r = await call('PATCH', '/users/aud', { token: admin, body: { name: 'Audrey Auditor' } });
    expect(r.status).toBe(200);
    expect(r.body.user.name).toBe('Audrey Auditor');
    expect(signed).toEqual(['users.update:aud']);
    await call('PATCH', '/users/aud', { body: { name: 'x' } });
    expect(signed).toHaveLength(1);
  });

  it('walks the first-login flow: 403 until the password is changed', async () => {
    const admin = await login('admin', ADMIN_PW);
    const created = await call('POST', '/users', { token: admin, body: { username: 'newop', name: 'New Operator', role: 'OPERATOR' } });
    expect(created.status).toBe(201);
    const pw = created.body.generatedPassword as string;
    const first = await call('POST', '/login', { body: { username: 'newop', password: pw } });
    expect(first.body.mustChangePassword).toBe(true);
    const blocked = await call('POST', '/metrics', { token: first.body.token, body: {} });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe('password_change_required');
    const weak = await call('POST', '/me/password', { token: first.body.token, body: { currentPassword: pw, newPassword: 'newop is me 123' } });
    expect(weak.status).toBe(400);
    expect(weak.body.problems).toEqual(['password must not contain the user name']);
    const ok = await call('POST', '/me/password', { token: first.body.token, body: { currentPassword: pw, newPassword: 'a good long passphrase' } });
    expect(ok.status).toBe(200);
    expect((await call('GET', '/me', { token: first.body.token })).body.mustChangePassword).toBe(false);
  });

  it('manages tokens: created once with the secret, scoped, listed without it, revoked', async () => {
    const admin = await login('admin', ADMIN_PW);
    const created = await call('POST', '/tokens', { token: admin, body: { user: 'svc', scopes: ['ingest'], tagPattern: 'acme.>', expiresInDays: 30 } });
    expect(created.status).toBe(201);
    const secret = created.body.token as string;
    const ingest = await call('POST', '/metrics', { token: secret, body: { tag: 'acme.l1.t' } });
    expect(ingest).toMatchObject({ status: 202, body: { by: 'svc', allowed: true } });
    expect((await call('POST', '/metrics', { token: secret, body: { tag: 'other.l1.t' } })).body.allowed).toBe(false);
    expect((await call('GET', '/me', { token: secret })).body).toMatchObject({ kind: 'token', scopes: ['ingest'], tagPattern: 'acme.>' });
    const list = await call('GET', '/tokens?user=svc', { token: admin });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.tokens[0].lastUsedAt).not.toBeNull();
    const bad = await call('POST', '/tokens', { token: admin, body: { user: 'svc', scopes: ['users.manage'] } });
    expect(bad).toMatchObject({ status: 400, body: { field: 'scopes' } });
    expect((await call('DELETE', `/tokens/${created.body.record.id}`, { token: admin })).body.token.status).toBe('revoked');
    const after = await call('POST', '/metrics', { token: secret, body: {} });
    expect(after).toMatchObject({ status: 401, body: { reason: 'revoked' } });
  });

  it('logs out: the same token is refused afterwards', async () => {
    const t = await login('eng');
    expect((await call('POST', '/logout', { token: t })).status).toBe(204);
    expect((await call('GET', '/me', { token: t })).body).toMatchObject({ error: 'unauthenticated', reason: 'revoked' });
  });

  it('answers 429 with Retry-After when an account is locked', async () => {
    for (let i = 0; i < 5; i++) await call('POST', '/login', { body: { username: 'aud', password: 'wrong password x' } });
    const r = await call('POST', '/login', { body: { username: 'aud', password: STRONG } });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBe(900);
  });

  it('authenticates a WebSocket upgrade by header or access_token parameter', async () => {
    const t = await login('eng');
    const req = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} }) as never;
    expect(authenticateUpgrade(f.auth, req('/api/v1/live', `Bearer ${t}`)).username).toBe('eng');
    expect(authenticateUpgrade(f.auth, req(`/api/v1/live?access_token=${t}`)).username).toBe('eng');
    expect(() => authenticateUpgrade(f.auth, req('/api/v1/live'))).toThrow(/authentication required/);
  });
});
