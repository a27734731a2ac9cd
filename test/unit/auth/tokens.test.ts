import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuthError } from '../../../runtime/auth/errors';
import { STRONG, T0, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);
const DAY = 86_400_000;
const admin = { kind: 'user' as const, username: 'admin' };

function reason(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { expect((e as AuthError).status).toBe(401); return (e as AuthError).details.reason; }
  throw new Error('expected a 401');
}

describe('API tokens', () => {
  it('are random, shown once, stored as a SHA-256 hash, and authenticate as the bound account', async () => {
    f = makeAuth();
    await seeded(f);
    const { token, record } = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.>', expiresInMs: 90 * DAY, name: 'line 1' });
    expect(token).toMatch(/^hst_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ username: 'svc', name: 'line 1', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.>', status: 'active', createdBy: 'admin', lastUsedAt: null, expiresAt: new Date(T0 + 90 * DAY).toISOString() });
    expect(record.prefix).toBe(token.slice(0, 10));
    const dump = JSON.stringify(f.auth.db.prepare('SELECT * FROM api_tokens').all());
    expect(dump).not.toContain(token);
    expect(JSON.stringify(f.auth.listTokens())).not.toContain(token);
    expect(JSON.stringify(f.events)).not.toContain(token);
    const second = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'] });
    expect(second.token).not.toBe(token);

    const p = f.auth.authenticateBearer(`Bearer ${token}`);
    expect(p).toMatchObject({ kind: 'token', username: 'svc', role: 'SERVICE', tokenId: record.id, tagPattern: 'acme.izmir.>' });
    expect([...p.permissions].sort()).toEqual(['ingest', 'query']);
  });

  it('narrow permissions to their scopes and tags to their pattern', async () => {
    f = makeAuth();
    await seeded(f);
    const { token } = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'], tagPattern: 'acme.izmir.>' });
    const p = f.auth.authenticateToken(token);
    expect(p.permissions.has('ingest')).toBe(true);
    expect(p.permissions.has('query')).toBe(false);
    expect(p.allowsTag('acme.izmir.line1.temp')).toBe(true);
    expect(p.allowsTag('acme.izmir')).toBe(false);
    expect(p.allowsTag('acme.bursa.line1.temp')).toBe(false);
    const star = f.auth.authenticateToken(f.auth.createToken(admin, { user: 'svc', scopes: ['query'], tagPattern: 'acme.*.temp' }).token);
    expect(star.allowsTag('acme.l1.temp')).toBe(true);
    expect(star.allowsTag('acme.l1.x.temp')).toBe(false);
    const all = f.auth.authenticateToken(f.auth.createToken(admin, { user: 'svc', scopes: ['query'] }).token);
    expect(all.tagPattern).toBeNull();
    expect(all.allowsTag('anything.at.all')).toBe(true);
  });

  it('never exceed the role of their account, even after a demotion', async () => {
    f = makeAuth();
    await seeded(f);
    expect(() => f.auth.createToken(admin, { user: 'svc', scopes: ['users.manage'] })).toThrow(/scope "users.manage" is not granted to role SERVICE/);
    const { token } = f.auth.createToken(admin, { user: 'eng', scopes: ['flows.write', 'query'] });
    expect(f.auth.authenticateToken(token).permissions.has('flows.write')).toBe(true);
    f.auth.updateUser(admin, 'eng', { role: 'OPERATOR' });
    expect([...f.auth.authenticateToken(token).permissions]).toEqual(['query']);
  });

  it('reject bad requests with the field named', async () => {
    f = makeAuth();
    await seeded(f);
    const bad = (req: Parameters<typeof f.auth.createToken>[1]) => {
      try { f.auth.createToken(admin, req); } catch (e) { return (e as AuthError).details.field + ': ' + (e as Error).message; }
      return 'accepted';
    };
    expect(bad({ user: 'svc', scopes: [] })).toMatch(/^scopes: scopes must list at least one/);
    expect(bad({ user: 'svc', scopes: ['ingets'] })).toBe('scopes: unknown scope "ingets"');
    expect(bad({ user: 'svc', scopes: ['ingest'], tagPattern: 'acme.>.x' })).toMatch(/^tagPattern: tagPattern: pattern segment 2/);
    expect(bad({ user: 'nobody', scopes: ['ingest'] })).toBe('user: no user "nobody"');
    expect(bad({ user: 'svc', scopes: ['ingest'], expiresInMs: -5 })).toMatch(/^expiresInMs:/);
    expect(f.auth.listTokens()).toEqual([]);
  });

  it('are answered from memory only while the auth database is unchanged, by this process or another', async () => {
    f = makeAuth();
    await seeded(f);
    const { token, record } = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'], expiresInMs: 10_000 });
    const first = f.auth.authenticateToken(token);
    expect(f.auth.authenticateToken(token)).toEqual(first);
    // the last-used time keeps moving once a second while the principal is remembered
    f.clock.advance(999);
    f.auth.authenticateToken(token);
    expect(f.auth.listTokens('svc')[0].lastUsedAt).toBe(new Date(T0).toISOString());
    f.clock.advance(1);
    f.auth.authenticateToken(token);
    expect(f.auth.listTokens('svc')[0].lastUsedAt).toBe(new Date(T0 + 1000).toISOString());
    // expiry is checked on every request, remembered or not
    f.clock.advance(8999);
    f.auth.authenticateToken(token);
    f.clock.advance(1);
    expect(reason(() => f.auth.authenticateToken(token))).toBe('expired');

    // another connection (the command line beside the server) disables the account: the next request sees it
    const other = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest', 'query'] });
    f.auth.authenticateToken(other.token);
    f.auth.authenticateToken(other.token);
    const cli = new DatabaseSync(join(f.dir, 'auth.db'));
    try {
      cli.prepare('UPDATE users SET disabled = 1 WHERE username = ?').run('svc');
      expect(reason(() => f.auth.authenticateToken(other.token))).toBe('disabled');
      cli.prepare('UPDATE users SET disabled = 0 WHERE username = ?').run('svc');
      expect(f.auth.authenticateToken(other.token).permissions.has('query')).toBe(true);
      cli.prepare('UPDATE api_tokens SET scopes = ? WHERE id = ?').run(JSON.stringify(['ingest']), other.record.id);
      expect([...f.auth.authenticateToken(other.token).permissions]).toEqual(['ingest']);
    } finally { cli.close(); }
    // a write of this process's own connection, whatever made it
    f.auth.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(f.clock.now, other.record.id);
    expect(reason(() => f.auth.authenticateToken(other.token))).toBe('revoked');
    expect(record.id).not.toBe(other.record.id);
  });

  it('expire, can be revoked, and record their last use', async () => {
    f = makeAuth();
    await seeded(f);
    const { token } = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'], expiresInMs: 2 * DAY });
    f.clock.advance(1000);
    f.auth.authenticateToken(token);
    expect(f.auth.listTokens('svc')[0].lastUsedAt).toBe(new Date(T0 + 1000).toISOString());
    f.clock.advance(2 * DAY);
    expect(reason(() => f.auth.authenticateToken(token))).toBe('expired');
    expect(f.auth.listTokens()[0].status).toBe('expired');

    const other = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'], expiresInMs: null });
    expect(other.record.expiresAt).toBeNull();
    f.auth.authenticateToken(other.token);
    const revoked = f.auth.revokeToken(admin, other.record.id);
    expect(revoked.status).toBe('revoked');
    expect(reason(() => f.auth.authenticateToken(other.token))).toBe('revoked');
    expect(f.events.filter((e) => e.type === 'token_revoked')).toHaveLength(1);
    f.auth.revokeToken(admin, other.record.id); // idempotent, no second event
    expect(f.events.filter((e) => e.type === 'token_revoked')).toHaveLength(1);
    expect(() => f.auth.revokeToken(admin, 'nope')).toThrow(/no API token/);
  });

  it('default to 90 days and stop with a disabled account', async () => {
    f = makeAuth();
    await seeded(f);
    const { token, record } = f.auth.createToken(admin, { user: 'svc', scopes: ['ingest'] });
    expect(record.expiresAt).toBe(new Date(T0 + 90 * DAY).toISOString());
    f.auth.updateUser(admin, 'svc', { disabled: true });
    expect(reason(() => f.auth.authenticateToken(token))).toBe('disabled');
  });

  it('distinguish unknown from malformed secrets', async () => {
    f = makeAuth();
    await seeded(f);
    expect(reason(() => f.auth.authenticateToken('hst_' + 'A'.repeat(43)))).toBe('unknown_token');
    expect(reason(() => f.auth.authenticateToken('hst_short'))).toBe('malformed');
  });

  it('let a session of the same user keep working independently', async () => {
    f = makeAuth();
    await seeded(f);
    const s = await f.auth.login({ username: 'eng', password: STRONG });
    const { token } = f.auth.createToken(admin, { user: 'eng', scopes: ['query'] });
    f.auth.logout(f.auth.authenticateToken(s.token));
    expect(f.auth.authenticateToken(token).username).toBe('eng');
  });
});
