// The one HTTP layer (runtime/http) on a real loopback server: the same answers for every
// kind of failure, whoever raises it (route layer, auth domain, signature service).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, HttpError, mountRoutes, type Principal } from '../../../runtime/http';
import { AuthError } from '../../../runtime/auth/errors';
import { SignatureError } from '../../../runtime/audit/signature-service';

let server: Server;
let base: string;
/** req.body as authentication saw it: the route layer reads the body only after the caller is known */
const bodyAtAuth: unknown[] = [];

function principal(over: Partial<Principal> = {}): Principal {
  return {
    kind: 'user', userId: 'u1', username: 'eng', name: 'Eng', role: 'ENGINEER', permissions: new Set(['query'] as never[]),
    expiresAt: null, mustChangePassword: false, allowsTag: () => true, ...over,
  };
}

beforeAll(async () => {
  const routes = [
    defineRoute({
      method: 'post', path: '/things', group: 't', summary: 'create', permission: 'query',
      body: z.strictObject({ name: z.string().min(1), count: z.number().int().positive() }),
      handler: ({ body }) => ({ made: body.name }),
    }),
    defineRoute({ method: 'get', path: '/admin', group: 't', summary: 'admin only', permission: 'users.manage', handler: () => ({}) }),
    defineRoute({ method: 'get', path: '/locked', group: 't', summary: 'auth domain error', permission: 'authenticated',
      handler: () => { throw new AuthError('locked', 'account locked', { retryAfterSec: 90 }); } }),
    defineRoute({ method: 'get', path: '/unsigned', group: 't', summary: 'signature refusal', permission: 'authenticated',
      handler: () => { throw new SignatureError('missing', 'sign first').at('alarms.shelve', 'T1'); } }),
    defineRoute({ method: 'get', path: '/teapot', group: 't', summary: 'plain HttpError', permission: 'public',
      handler: () => { throw new HttpError(418, 'teapot', 'short and stout', { field: 'pot' }); } }),
  ];
  const app = express();
  const api = express.Router();
  mountRoutes(api, routes, async (req) => {
    bodyAtAuth.push(req.body);
    const h = req.headers.authorization;
    if (!h) return null;
    if (h === 'Bearer expired') throw new AuthError('unauthenticated', 'session expired', { reason: 'expired' });
    if (h === 'Bearer pending') return principal({ mustChangePassword: true, permissions: new Set() });
    return principal();
  });
  app.use('/api/v1', api);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => { await new Promise((r) => server.close(r)); });

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, any> };
}

describe('runtime/http route layer', () => {
  it('lists every validation issue, names the first field', async () => {
    const r = await call('POST', '/things', 'ok', { name: '', count: 1.5, extra: true });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('bad_request');
    expect(r.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body', 'body.count', 'body.name']);
    expect(r.body.field).toBe(r.body.issues[0].path.replace(/^body\.?/, '') || 'body');
  });

  it('answers every 401 with the realm; refused credentials name the reason', async () => {
    const none = await call('GET', '/admin');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="historian"');
    expect(none.body).toMatchObject({ error: 'unauthenticated', reason: 'missing' });
    const expired = await call('GET', '/admin', 'expired');
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="historian", error="invalid_token", error_description="session expired"');
    expect(expired.body).toMatchObject({ error: 'unauthenticated', reason: 'expired' });
  });

  it('answers 403 naming the permission, or the pending password change', async () => {
    expect((await call('GET', '/admin', 'ok')).body).toMatchObject({ error: 'forbidden', permission: 'users.manage' });
    const pending = await call('GET', '/admin', 'pending');
    expect(pending.status).toBe(403);
    expect(pending.body.error).toBe('password_change_required');
  });

  it('reads a JSON body only after authentication: 401 for an anonymous megabyte, 413 and 400 for a known caller', async () => {
    const post = (body: string, token?: string) => fetch(base + '/things', { method: 'POST', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const big = `{"name":"${'x'.repeat(2 * 2 ** 20)}"}`;
    bodyAtAuth.length = 0;
    const anon = await post(big);
    expect(anon.status).toBe(401);
    const tooBig = await post(big, 'ok');
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: 'payload_too_large' });
    const broken = await post('{"name":', 'ok');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: 'bad_request', message: 'body: invalid JSON' });
    expect(bodyAtAuth).toEqual([undefined, undefined, undefined]);
    expect((await call('POST', '/things', 'ok', { name: 'pump', count: 2 })).body).toEqual({ made: 'pump' });
  });

  it('maps domain errors of the family with their status, body and headers', async () => {
    const locked = await call('GET', '/locked', 'ok');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('90');
    expect(locked.body).toMatchObject({ error: 'locked', retryAfterSec: 90 });
    const unsigned = await call('GET', '/unsigned', 'ok');
    expect(unsigned.status).toBe(428);
    expect(unsigned.body).toMatchObject({ error: 'signature_required', reason: 'missing', action: 'alarms.shelve', target: 'T1', signatureHeader: 'X-Historian-Signature' });
    expect(await call('GET', '/teapot')).toMatchObject({ status: 418, body: { error: 'teapot', message: 'short and stout', field: 'pot' } });
  });
});
