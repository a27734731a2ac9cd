// Sessions end everywhere: logout, disabling the account, a role change, a password reset
// and revoking an API token close the principal's open live WebSockets with close code
// 4401 (runtime/live/PROTOCOL.md) — and only theirs. Real server, real WebSockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser, signedRequest } from '../../helpers/signing';
import { waitFor } from '../../helpers/wait';

let dist: Distribution;
let admin: string;
const PASSWORD = 'Live-Session-Pass-2026';
const json = { 'Content-Type': 'application/json' };

interface Conn { ws: WebSocket; closed: Promise<{ code: number; reason: string }> }

async function connect(token: string, via: 'header' | 'query' = 'query'): Promise<Conn> {
  const base = dist.url.replace(/^http/, 'ws') + '/api/v1/live';
  const ws = via === 'header'
    ? new WebSocket(base, { headers: { Authorization: `Bearer ${token}` } })
    : new WebSocket(`${base}?access_token=${encodeURIComponent(token)}`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // the hello frame
    ws.once('error', reject);
  });
  return { ws, closed };
}

/** Whether the connection still answers (a ping gets its pong). */
async function alive(c: Conn): Promise<boolean> {
  if (c.ws.readyState !== WebSocket.OPEN) return false;
  const pong = new Promise<boolean>((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as { type: string; id?: number };
      if (m.type === 'pong' && m.id === 77) { c.ws.off('message', on); resolve(true); }
    };
    c.ws.on('message', on);
    c.closed.then(() => resolve(false), () => resolve(false));
  });
  c.ws.send(JSON.stringify({ op: 'ping', id: 77 }));
  return pong;
}

async function user(name: string, role = 'OPERATOR'): Promise<{ id: string; token: string }> {
  const u = await createUser(dist, admin, { username: name, name: `${name} person`, role, password: PASSWORD });
  return { id: u.id, token: await dist.login(name, PASSWORD) };
}

async function closedWithin(c: Conn): Promise<{ code: number; reason: string }> {
  let result: { code: number; reason: string } | null = null;
  void c.closed.then((r) => { result = r; });
  await waitFor(() => result !== null, { timeoutMs: 5000, what: 'the live connection to close' });
  return result!;
}

beforeAll(async () => {
  dist = await startDistribution({ env: { HISTORIAN_DEMO_FLOW: 'none' } });
  admin = await dist.login();
});
afterAll(async () => { await dist?.stop(); });

describe('live connections end with their session', () => {
  it('logout closes the user\'s sockets with 4401; another user\'s socket stays open', async () => {
    const a = await user('live-a');
    const b = await user('live-b');
    const a1 = await connect(a.token);
    const a2 = await connect(a.token, 'header');
    const b1 = await connect(b.token);
    expect(await alive(a1)).toBe(true);
    expect((await dist.request('/api/v1/logout', { method: 'POST', token: a.token })).status).toBe(204);
    expect(await closedWithin(a1)).toMatchObject({ code: 4401, reason: expect.stringMatching(/revoked/) });
    expect((await closedWithin(a2)).code).toBe(4401);
    expect(await alive(b1)).toBe(true);
    // the ended session cannot come back on the same token
    await expect(connect(a.token)).rejects.toThrow(/401/);
    b1.ws.close();
  });

  it('disabling the account closes its sockets with 4401', async () => {
    const u = await user('live-disabled');
    const c = await connect(u.token);
    const r = await signedRequest(dist, admin, `/api/v1/users/${u.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ disabled: true }) },
      'users.disable', 'user:live-disabled');
    expect(r.status).toBe(200);
    expect((await closedWithin(c)).code).toBe(4401);
  });

  it('a role change closes the sockets with 4401 (the session ended; signing in again gives the new role)', async () => {
    const u = await user('live-role');
    const c = await connect(u.token);
    const r = await signedRequest(dist, admin, `/api/v1/users/${u.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ role: 'AUDITOR' }) },
      'users.role.change', 'user:live-role');
    expect(r.status).toBe(200);
    expect((await closedWithin(c)).code).toBe(4401);
    const again = await dist.login('live-role', PASSWORD);
    expect(await (await dist.request('/api/v1/me', { token: again })).json()).toMatchObject({ role: 'AUDITOR' });
  });

  it('an administrator\'s password reset closes the sockets with 4401', async () => {
    const u = await user('live-reset');
    const c = await connect(u.token);
    const r = await signedRequest(dist, admin, `/api/v1/users/${u.id}/password`, { method: 'POST', headers: json, body: JSON.stringify({}) },
      'users.password.reset', 'user:live-reset');
    expect(r.status).toBe(200);
    expect((await closedWithin(c)).code).toBe(4401);
  });

  it('revoking an API token closes the connections it opened with 4401', async () => {
    await createUser(dist, admin, { username: 'live-gw', name: 'Live gateway', role: 'SERVICE' });
    const t = await dist.request('/api/v1/tokens', { method: 'POST', token: admin, headers: json, body: JSON.stringify({ user: 'live-gw', scopes: ['live.subscribe'] }) });
    const { token, record } = await t.json() as { token: string; record: { id: string } };
    const other = await user('live-other');
    const c = await connect(token, 'header');
    const o = await connect(other.token);
    expect((await dist.request(`/api/v1/tokens/${record.id}`, { method: 'DELETE', token: admin })).status).toBe(200);
    expect((await closedWithin(c)).code).toBe(4401);
    expect(await alive(o)).toBe(true);
    o.ws.close();
  });
});
