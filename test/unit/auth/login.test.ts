import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../../runtime/auth/errors';
import { ADMIN_PW, STRONG, T0, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

const MIN = 60_000;
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as AuthError);

describe('login', () => {
  it('returns a token, its expiry, the must-change flag and the user', async () => {
    f = makeAuth();
    await seeded(f);
    const out = await f.auth.login({ username: 'eng', password: STRONG, address: '10.0.0.5' });
    expect(out.token.split('.')).toHaveLength(3);
    expect(out.expiresAt).toBe(new Date(T0 + 8 * 3_600_000).toISOString());
    expect(out.mustChangePassword).toBe(false);
    expect(out.user).toMatchObject({ username: 'eng', name: 'eng Person', role: 'ENGINEER', disabled: false });
    expect(out.user).not.toHaveProperty('passwordHash');
    expect(f.events.at(-1)).toMatchObject({ type: 'login', address: '10.0.0.5', subject: { username: 'eng' }, detail: { source: 'api' } });
  });

  it('accepts the user name case-insensitively', async () => {
    f = makeAuth();
    await seeded(f);
    expect((await f.auth.login({ username: 'ENG', password: STRONG })).user.username).toBe('eng');
  });

  it('gives the same answer for an unknown user, a wrong password and a disabled account', async () => {
    f = makeAuth();
    const actor = await seeded(f);
    f.auth.updateUser(actor, 'op', { disabled: true });
    const answers = await Promise.all([
      fail(f.auth.login({ username: 'nobody', password: STRONG })),
      fail(f.auth.login({ username: 'eng', password: 'wrong password 1' })),
      fail(f.auth.login({ username: 'op', password: STRONG })),
    ]);
    for (const e of answers) {
      expect(e).toBeInstanceOf(AuthError);
      expect(e.toJSON()).toEqual({ error: 'invalid_credentials', message: 'invalid user name or password' });
      expect(e.status).toBe(401);
    }
    // ...while the audit trail learns the real reason
    expect(f.events.filter((e) => e.type === 'login_failed').map((e) => e.reason).sort()).toEqual(['bad_password', 'disabled', 'unknown_user']);
  });

  it('runs a password check of the same algorithm for unknown users too', async () => {
    f = makeAuth();
    await seeded(f);
    const dummy = vi.spyOn(f.auth.hasher, 'verifyDummy');
    const real = vi.spyOn(f.auth.hasher, 'verify');
    await fail(f.auth.login({ username: 'ghost', password: STRONG }));
    expect(dummy).toHaveBeenCalledTimes(1);
    await fail(f.auth.login({ username: 'eng', password: 'wrong password 1' }));
    expect(real).toHaveBeenCalledTimes(1);
    expect(dummy).toHaveBeenCalledTimes(1);
  });

  it('refuses password logins of service accounts', async () => {
    f = makeAuth();
    const actor = await seeded(f);
    const { generatedPassword } = await f.auth.resetPassword(actor, 'svc', { mustChange: false });
    const e = await fail(f.auth.login({ username: 'svc', password: generatedPassword! }));
    expect(e.code).toBe('service_account');
    expect(e.status).toBe(403);
  });

  it('validates the body fields', async () => {
    f = makeAuth();
    await expect(f.auth.login({ username: '', password: 'x' })).rejects.toMatchObject({ code: 'validation', details: { field: 'username' } });
    await expect(f.auth.login({ username: 'a', password: undefined as unknown as string })).rejects.toMatchObject({ details: { field: 'password' } });
  });
});

describe('lockout', () => {
  it('locks an account after 5 failures within 15 minutes, even for the right password, then unlocks', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 5; i++) {
      f.clock.advance(MIN);
      expect((await fail(f.auth.login({ username: 'eng', password: `wrong password ${i}` }))).code).toBe('invalid_credentials');
    }
    expect(f.events.filter((e) => e.type === 'account_locked')).toHaveLength(1);
    const locked = await fail(f.auth.login({ username: 'eng', password: STRONG }));
    expect(locked.code).toBe('locked');
    expect(locked.status).toBe(429);
    expect(locked.details.retryAfterSec).toBe(15 * 60);
    f.clock.advance(15 * MIN - 1000);
    expect((await fail(f.auth.login({ username: 'eng', password: STRONG }))).code).toBe('locked');
    f.clock.advance(1000);
    expect((await f.auth.login({ username: 'eng', password: STRONG })).user.username).toBe('eng');
  });

  it('does not lock when the failures are spread over more than the window', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 8; i++) {
      f.clock.advance(4 * MIN); // at most 4 failures inside any 15-minute window
      expect((await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }))).code).toBe('invalid_credentials');
    }
    expect((await f.auth.login({ username: 'eng', password: STRONG })).user.username).toBe('eng');
  });

  it('resets the count after a successful login', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 4; i++) await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    await f.auth.login({ username: 'eng', password: STRONG });
    for (let i = 0; i < 4; i++) await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    expect((await f.auth.login({ username: 'eng', password: STRONG })).user.username).toBe('eng');
  });

  it('locks unknown user names the same way, so a lockout reveals nothing', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'ghost', password: 'wrong password x' }));
    const e = await fail(f.auth.login({ username: 'ghost', password: 'wrong password x' }));
    expect(e.code).toBe('locked');
    expect(f.events.filter((x) => x.type === 'account_locked').map((x) => x.subject?.username)).toEqual(['ghost']);
  });

  it('follows a configured policy', async () => {
    f = makeAuth({ lockout: { maxFailures: 2, windowMs: MIN, lockMs: 10 * MIN } });
    await seeded(f);
    await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    expect((await fail(f.auth.login({ username: 'eng', password: STRONG }))).details.retryAfterSec).toBe(600);
  });

  it('limits failures per client address across accounts', async () => {
    f = makeAuth({ lockout: { addressMaxFailures: 6 } });
    await seeded(f);
    for (const u of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      await fail(f.auth.login({ username: u, password: 'wrong password x', address: '192.0.2.9' }));
    }
    const blocked = await fail(f.auth.login({ username: 'eng', password: STRONG, address: '192.0.2.9' }));
    expect(blocked.code).toBe('rate_limited');
    expect(blocked.status).toBe(429);
    expect(f.events.some((e) => e.type === 'address_blocked' && e.address === '192.0.2.9')).toBe(true);
    // another address is not affected
    expect((await f.auth.login({ username: 'eng', password: STRONG, address: '192.0.2.10' })).user.username).toBe('eng');
  });

  it('survives a restart (state is in the database)', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    f.auth.close();
    const again = makeAuth({ dataDir: f.dir });
    again.clock.now = f.clock.now;
    expect((await fail(again.auth.login({ username: 'eng', password: STRONG }))).code).toBe('locked');
    again.close();
  });

  it('can be lifted by an administrator', async () => {
    f = makeAuth();
    const actor = await seeded(f);
    for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'eng', password: 'wrong password x' }));
    f.auth.unlockUser(actor, 'eng');
    expect((await f.auth.login({ username: 'eng', password: STRONG })).user.username).toBe('eng');
    expect(f.events.some((e) => e.type === 'account_unlocked')).toBe(true);
  });
});

describe('first start and first login', () => {
  it('creates admin with HISTORIAN_ADMIN_PASSWORD usable as given, once', async () => {
    f = makeAuth();
    const first = await f.auth.ensureAdmin({ adminPassword: ADMIN_PW });
    expect(first).toMatchObject({ created: true, user: { username: 'admin', role: 'ADMIN', mustChangePassword: false } });
    expect(first.generatedPassword).toBeUndefined();
    expect((await f.auth.ensureAdmin({ adminPassword: 'another strong passphrase' })).created).toBe(false);
    const out = await f.auth.login({ username: 'admin', password: ADMIN_PW });
    expect(out.mustChangePassword).toBe(false);
    expect(f.auth.authenticateToken(out.token).permissions.has('users.manage')).toBe(true);
  });

  it('generates a password that must be changed before anything else works', async () => {
    f = makeAuth();
    const first = await f.auth.ensureAdmin();
    expect(first.created).toBe(true);
    const pw = first.generatedPassword!;
    expect(pw.length).toBeGreaterThanOrEqual(20);
    expect(f.events[0]).toMatchObject({ type: 'user_created', actor: { kind: 'system' }, detail: { firstStart: true, generatedPassword: true } });
    expect(JSON.stringify(f.events)).not.toContain(pw);

    const out = await f.auth.login({ username: 'admin', password: pw });
    expect(out.mustChangePassword).toBe(true);
    const p = f.auth.authenticateToken(out.token);
    expect(p.mustChangePassword).toBe(true);
    expect(p.permissions.size).toBe(0);

    await expect(f.auth.changePassword(p, pw, 'admin password 2026')).rejects.toMatchObject({ code: 'password_policy' });
    await f.auth.changePassword(p, pw, 'Chief engineer 2026 pass');
    const after = f.auth.authenticateToken(out.token);
    expect(after.mustChangePassword).toBe(false);
    expect(after.permissions.has('users.manage')).toBe(true);
    expect((await f.auth.login({ username: 'admin', password: 'Chief engineer 2026 pass' })).mustChangePassword).toBe(false);
  });

  it('still creates admin when only non-administrators exist, and not when an administrator does', async () => {
    f = makeAuth();
    const cli = { kind: 'cli' as const, username: 'cli:root' };
    await f.auth.createUser(cli, { username: 'op', name: 'Op', role: 'OPERATOR', password: STRONG });
    expect((await f.auth.ensureAdmin()).created).toBe(true);
    f.close();
    f = makeAuth();
    await f.auth.createUser(cli, { username: 'boss', name: 'Boss', role: 'ADMIN', password: STRONG });
    expect(await f.auth.ensureAdmin()).toEqual({ created: false, user: null });
  });

  it('forces a change once an aged password expires', async () => {
    f = makeAuth({ passwordPolicy: { maxAgeDays: 90 } });
    await seeded(f);
    f.clock.advance(91 * 86_400_000);
    const out = await f.auth.login({ username: 'eng', password: STRONG });
    expect(out.mustChangePassword).toBe(true);
    expect(out.user.passwordExpiresAt).toBe(new Date(T0 + 90 * 86_400_000).toISOString());
  });
});

describe('reauthenticate (e-signature components)', () => {
  it('checks user id or name plus password, and the session user when given', async () => {
    f = makeAuth();
    await seeded(f);
    const eng = f.auth.getUser('eng');
    expect((await f.auth.reauthenticate(eng.id, STRONG)).username).toBe('eng');
    expect((await f.auth.reauthenticate('eng', STRONG, { sessionUserId: eng.id })).id).toBe(eng.id);
    await expect(f.auth.reauthenticate('eng', 'wrong password x')).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(f.auth.reauthenticate('ghost', STRONG)).rejects.toMatchObject({ code: 'invalid_credentials' });
    const op = f.auth.getUser('op');
    await expect(f.auth.reauthenticate('eng', STRONG, { sessionUserId: op.id })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(f.auth.reauthenticate('svc', 'anything at all')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(f.events.filter((e) => e.type === 'reauth')).toHaveLength(2);
    expect(f.events.filter((e) => e.type === 'reauth_failed').length).toBe(4);
  });

  it('counts failed signatures toward the lockout', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 5; i++) await fail(f.auth.reauthenticate('eng', 'wrong password x'));
    expect((await fail(f.auth.reauthenticate('eng', STRONG))).code).toBe('locked');
  });
});
