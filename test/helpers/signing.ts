// Electronic signatures and accounts for tests against a running distribution: a signing
// token for one action and target (POST /re-auth), and user creation the way an
// administrator does it — signed, with a temporary password the user then replaces.
import { ADMIN_PASSWORD } from './distribution';

/** What these helpers need of a distribution (or any server): a fetch with a bearer token. */
export interface Requester {
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
}

const json = { 'Content-Type': 'application/json' };

/** A one-minute, single-use signing token of `username` for `action` on `target`. */
export async function signingToken(d: Requester, token: string, action: string, target: string | null,
  opts: { username?: string; password?: string; meaning?: string } = {}): Promise<string> {
  const r = await d.request('/api/v1/re-auth', {
    method: 'POST', token, headers: json,
    body: JSON.stringify({ username: opts.username ?? 'admin', password: opts.password ?? ADMIN_PASSWORD, meaning: opts.meaning ?? 'responsibility', action, target }),
  });
  const body = await r.json() as { token?: string; message?: string };
  if (r.status !== 200 || !body.token) throw new Error(`re-auth for ${action} ${target ?? ''} failed: ${r.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** A request carrying a signing token for `action` on `target`. */
export async function signedRequest(d: Requester, token: string, path: string, init: RequestInit, action: string, target: string | null,
  signer?: { username: string; password: string }): Promise<Response> {
  const sig = await signingToken(d, token, action, target, signer ?? {});
  const headers = new Headers(init.headers);
  headers.set('X-Historian-Signature', sig);
  return d.request(path, { ...init, headers, token });
}

export interface NewUser {
  username: string;
  name: string;
  role: string;
  password?: string;
  /** Set `password` as the administrator's temporary one: the user must change it at first login. */
  temporary?: boolean;
}

/**
 * Creates a user as an administrator (signed users.create). With a password, the user then
 * signs in with the temporary one the server generated and changes it to `password`, so the
 * account is ready to use with it (a password an administrator sets must be changed first).
 */
export async function createUser(d: Requester, adminToken: string, u: NewUser, admin?: { username: string; password: string }): Promise<{ id: string; username: string }> {
  const r = await signedRequest(d, adminToken, '/api/v1/users', {
    method: 'POST', headers: json, body: JSON.stringify({ username: u.username, name: u.name, role: u.role, ...(u.temporary && u.password ? { password: u.password } : {}) }),
  }, 'users.create', `user:${u.username}`, admin);
  const out = await r.json() as { user?: { id: string; username: string }; generatedPassword?: string };
  if (r.status !== 201 || !out.user) throw new Error(`create user ${u.username} failed: ${r.status} ${JSON.stringify(out)}`);
  if (u.password && !u.temporary && out.generatedPassword) {
    const login = await d.request('/api/v1/login', { method: 'POST', headers: json, body: JSON.stringify({ username: u.username, password: out.generatedPassword }) });
    const session = await login.json() as { token?: string; mustChangePassword?: boolean };
    if (login.status !== 200 || !session.token) throw new Error(`first login of ${u.username} failed: ${login.status} ${JSON.stringify(session)}`);
    const ch = await d.request('/api/v1/me/password', {
      method: 'POST', token: session.token, headers: json, body: JSON.stringify({ currentPassword: out.generatedPassword, newPassword: u.password }),
    });
    if (ch.status !== 200) throw new Error(`password change of ${u.username} failed: ${ch.status} ${await ch.text()}`);
    await d.request('/api/v1/logout', { method: 'POST', token: session.token });
  }
  return out.user;
}
