import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);
const admin = { kind: 'user' as const, username: 'admin' };

describe('user administration', () => {
  it('creates users with a printed name and role, and refuses duplicates case-insensitively', async () => {
    f = makeAuth();
    await seeded(f);
    const { user, generatedPassword } = await f.auth.createUser(admin, { username: 'ayse', name: 'Ayşe Yılmaz', role: 'OPERATOR', password: STRONG });
    expect(generatedPassword).toBeUndefined();
    // a password set by someone else is temporary
    expect(user).toMatchObject({ username: 'ayse', name: 'Ayşe Yılmaz', role: 'OPERATOR', mustChangePassword: true });
    const first = await f.auth.login({ username: 'ayse', password: STRONG });
    expect(first.mustChangePassword).toBe(true);
    expect(f.auth.authenticateToken(first.token).permissions.size).toBe(0);
    // only the account's own operator at the command line may set a final one
    const own = await f.auth.createUser(admin, { username: 'self', name: 'Self Made', role: 'OPERATOR', password: STRONG, mustChangePassword: false });
    expect(own.user.mustChangePassword).toBe(false);
    // service accounts never sign in with a password: nothing to change
    expect((await f.auth.createUser(admin, { username: 'gw9', name: 'Gateway 9', role: 'SERVICE' })).user.mustChangePassword).toBe(false);
    await expect(f.auth.createUser(admin, { username: 'AYSE', name: 'x', role: 'OPERATOR', password: STRONG })).rejects.toMatchObject({ code: 'conflict', status: 409 });
    expect(f.events.findLast((e) => e.type === 'user_created' && e.subject?.username === 'ayse')).toMatchObject({ type: 'user_created', actor: { username: 'admin' }, subject: { username: 'ayse' }, after: { role: 'OPERATOR' } });
  });

  it('validates fields and the password policy with the field named', async () => {
    f = makeAuth();
    await seeded(f);
    await expect(f.auth.createUser(admin, { username: 'a b', name: 'x', role: 'OPERATOR' })).rejects.toMatchObject({ details: { field: 'username' } });
    await expect(f.auth.createUser(admin, { username: 'ab', name: ' ', role: 'OPERATOR' })).rejects.toMatchObject({ details: { field: 'name' } });
    await expect(f.auth.createUser(admin, { username: 'ab', name: 'x', role: 'ROOT' as never })).rejects.toMatchObject({ details: { field: 'role' } });
    await expect(f.auth.createUser(admin, { username: 'ab', name: 'x', role: 'OPERATOR', password: 'short' }))
      .rejects.toMatchObject({ code: 'password_policy', details: { field: 'password', problems: ['password must be at least 12 characters long'] } });
  });

  it('generates a must-change password when none is given (but not for service accounts)', async () => {
    f = makeAuth();
    await seeded(f);
    const out = await f.auth.createUser(admin, { username: 'mehmet', name: 'Mehmet Kaya', role: 'ENGINEER' });
    expect(out.user.mustChangePassword).toBe(true);
    const login = await f.auth.login({ username: 'mehmet', password: out.generatedPassword! });
    expect(login.mustChangePassword).toBe(true);
    expect(f.auth.getUser('svc').mustChangePassword).toBe(false);
  });

  it('changes roles, names and disables, with before/after in the events', async () => {
    f = makeAuth();
    await seeded(f);
    const s = await f.auth.login({ username: 'eng', password: STRONG });
    const u = f.auth.updateUser(admin, 'eng', { role: 'AUDITOR', name: 'Eng Renamed' });
    expect(u).toMatchObject({ role: 'AUDITOR', name: 'Eng Renamed' });
    expect(f.events.find((e) => e.type === 'user_role_changed')).toMatchObject({ before: { role: 'ENGINEER' }, after: { role: 'AUDITOR' } });
    expect(f.events.find((e) => e.type === 'user_updated')).toMatchObject({ before: { name: 'eng Person' }, after: { name: 'Eng Renamed' } });
    // the role change ended the session
    expect(() => f.auth.authenticateToken(s.token)).toThrow(/revoked/);
    f.auth.updateUser(admin, 'eng', { maxAgeDays: 90 });
    expect(f.events.at(-1)).toMatchObject({ type: 'user_updated', before: { maxAgeDays: null }, after: { maxAgeDays: 90 } });
    f.auth.updateUser(admin, u.id, { disabled: true });
    expect(() => f.auth.authenticateToken(s.token)).toThrow();
    await expect(f.auth.login({ username: 'eng', password: STRONG })).rejects.toMatchObject({ code: 'invalid_credentials' });
    f.auth.updateUser(admin, 'eng', { disabled: false });
    expect((await f.auth.login({ username: 'eng', password: STRONG })).user.role).toBe('AUDITOR');
    expect(f.events.map((e) => e.type)).toEqual(expect.arrayContaining(['user_disabled', 'user_enabled']));
  });

  it('never demotes or disables the last enabled administrator', async () => {
    f = makeAuth();
    await seeded(f);
    expect(() => f.auth.updateUser(admin, 'admin', { role: 'ENGINEER' })).toThrow(/last enabled administrator/);
    expect(() => f.auth.updateUser(admin, 'admin', { disabled: true })).toThrow(/last enabled administrator/);
    f.auth.updateUser(admin, 'eng', { role: 'ADMIN' });
    f.auth.updateUser(admin, 'admin', { disabled: true });
    expect(() => f.auth.updateUser(admin, 'eng', { role: 'OPERATOR' })).toThrow(/last enabled administrator/);
    expect(f.auth.getUser('eng').role).toBe('ADMIN');
  });

  it('resets a password: sessions end, lockout lifts, change required next login', async () => {
    f = makeAuth();
    await seeded(f);
    const s = await f.auth.login({ username: 'op', password: STRONG });
    for (let i = 0; i < 5; i++) await f.auth.login({ username: 'op', password: 'wrong password x' }).catch(() => {});
    const { generatedPassword, user } = await f.auth.resetPassword(admin, 'op');
    expect(user.mustChangePassword).toBe(true);
    expect(() => f.auth.authenticateToken(s.token)).toThrow(/revoked/);
    const login = await f.auth.login({ username: 'op', password: generatedPassword! });
    expect(login.mustChangePassword).toBe(true);
    await expect(f.auth.resetPassword(admin, 'op', { password: generatedPassword! })).rejects.toMatchObject({ code: 'password_policy' });
    const given = await f.auth.resetPassword(admin, 'op', { password: 'given by the admin!', mustChange: false });
    expect(given.generatedPassword).toBeUndefined();
    expect(given.user.mustChangePassword).toBe(false);
  });

  it('lists users without hashes and finds them by id or name', async () => {
    f = makeAuth();
    await seeded(f);
    const list = f.auth.listUsers();
    expect(list.map((u) => u.username)).toEqual(['admin', 'aud', 'eng', 'op', 'svc']);
    expect(JSON.stringify(list)).not.toMatch(/\$2[aby]\$/);
    expect(f.auth.getUser(list[2].id).username).toBe('eng');
    expect(() => f.auth.getUser('zz')).toThrow(/no user "zz"/);
  });

  it('keeps working when an event subscriber throws, and stops calling unsubscribed ones', async () => {
    f = makeAuth();
    await seeded(f);
    const seen: string[] = [];
    const off = f.auth.onEvent((e) => seen.push(e.type));
    const offBad = f.auth.onEvent(() => { throw new Error('sink down'); });
    const err = console.error;
    console.error = () => {};
    try {
      await f.auth.login({ username: 'eng', password: STRONG });
    } finally {
      console.error = err;
    }
    off(); offBad();
    await f.auth.login({ username: 'eng', password: STRONG });
    expect(seen).toEqual(['login']);
  });
});
