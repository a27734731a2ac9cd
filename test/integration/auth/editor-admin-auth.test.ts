// adminAuthFor() inside Node-RED's real editor API (@node-red/editor-api) with a stub
// runtime behind it: the editor login, the admin API's permission checks and our session
// JWT accepted as a bearer token, role by role.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuthFor } from '../../../runtime/auth/http';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from '../../unit/auth/fixture';

const editorApi = createRequire(__filename)('@node-red/editor-api') as {
  init(settings: object, server: Server, storage: object, runtimeAPI: object): void;
  httpAdmin: (req: unknown, res: unknown) => void;
};

let f: Fixture;
let server: Server;
let base: string;
const deployed: string[] = [];

beforeAll(async () => {
  f = makeAuth();
  await seeded(f);
  server = createServer();
  let sessions = {};
  const storage = { getSessions: async () => sessions, saveSessions: async (s: object) => { sessions = s; } };
  const runtimeAPI = {
    flows: {
      getFlows: async () => ({ flows: [], rev: 'r1' }),
      setFlows: async (opts: { user?: { username: string } }) => { deployed.push(opts.user?.username ?? '?'); return { rev: 'r2' }; },
    },
  };
  editorApi.init({ adminAuth: adminAuthFor(f.auth), disableEditor: true, httpAdminRoot: '/' }, server, storage, runtimeAPI);
  server.on('request', editorApi.httpAdmin);
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  f.close();
  cleanupDirs();
});

async function editorLogin(username: string, password: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password }),
  });
  const body = res.status === 200 ? await res.json() as { access_token: string } : null;
  return { status: res.status, token: body?.access_token };
}

const getFlows = (token: string) => fetch(`${base}/flows`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
const deploy = (token: string) => fetch(`${base}/flows`, {
  method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '[]',
}).then((r) => r.status);

describe('Node-RED editor with our users', () => {
  it('lets an OPERATOR log in and view flows but refuses a deploy', async () => {
    const { status, token } = await editorLogin('op', STRONG);
    expect(status).toBe(200);
    expect(await getFlows(token!)).toBe(200);
    expect(await deploy(token!)).toBe(401); // Node-RED answers a missing permission with 401
    expect(deployed).toEqual([]);
  });

  it('lets an ENGINEER and an ADMIN deploy', async () => {
    const eng = await editorLogin('eng', STRONG);
    expect(await deploy(eng.token!)).toBe(204);
    const admin = await editorLogin('admin', ADMIN_PW);
    expect(await deploy(admin.token!)).toBe(204);
    expect(deployed).toEqual(['eng', 'admin']);
  });

  it('refuses wrong passwords, unknown users, service accounts and pending password changes', async () => {
    expect((await editorLogin('op', 'wrong password x')).status).toBe(403);
    expect((await editorLogin('nobody', STRONG)).status).toBe(403);
    const actor = { kind: 'system' as const, username: 'test' };
    const { generatedPassword } = await f.auth.createUser(actor, { username: 'fresh', name: 'Fresh User', role: 'ENGINEER' });
    expect((await editorLogin('fresh', generatedPassword!)).status).toBe(403);
    expect(f.events.filter((e) => e.type === 'login_failed' && e.detail?.source === 'editor').map((e) => e.reason))
      .toEqual(['bad_password', 'unknown_user', 'password_change_required']);
  });

  it('accepts our session JWT as the editor bearer token, with the role mapping', async () => {
    const op = (await f.auth.login({ username: 'op', password: STRONG })).token;
    const eng = (await f.auth.login({ username: 'eng', password: STRONG })).token;
    expect(await getFlows(op)).toBe(200);
    expect(await deploy(op)).toBe(401);
    expect(await deploy(eng)).toBe(204);
    f.auth.logout(f.auth.authenticateToken(eng));
    expect(await getFlows(eng)).toBe(401);
    expect(await getFlows('hst_' + 'x'.repeat(43))).toBe(401);
    expect(await fetch(`${base}/flows`).then((r) => r.status)).toBe(401);
  });

  it('counts editor failures toward the same lockout as the API', async () => {
    for (let i = 0; i < 5; i++) await editorLogin('aud', 'wrong password x');
    await expect(f.auth.login({ username: 'aud', password: STRONG })).rejects.toMatchObject({ code: 'locked' });
  });
});

describe('adminAuthFor', () => {
  it('maps users to editor permissions and hides disabled and service accounts', async () => {
    const a = adminAuthFor(f.auth);
    expect(a.type).toBe('credentials');
    expect(a.sessionExpiryTime).toBe(8 * 3600);
    expect(await a.users('eng')).toEqual({ username: 'eng', name: 'eng Person', permissions: ['read', 'flows.write', 'nodes.write', 'context.write', 'library.write'] });
    expect(await a.users('admin')).toMatchObject({ permissions: ['*'] });
    expect(await a.users('svc')).toBeNull();
    expect(await a.users('nobody')).toBeNull();
    expect(await a.authenticate('op', STRONG)).toMatchObject({ username: 'op', permissions: ['read'] });
    expect(await a.authenticate('op', 'nope nope nope')).toBeNull();
    const svcToken = f.auth.createToken({ kind: 'cli', username: 't' }, { user: 'svc', scopes: ['query'] }).token;
    expect(await a.tokens(svcToken)).toBeNull();
  });
});
