import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../../runtime/auth/errors';
import { DEFAULT_BCRYPT_COST, PasswordHasher, bcryptRounds } from '../../../runtime/auth/password-hasher';
import {
  DEFAULT_PASSWORD_POLICY, generatePassword, passwordExpired, passwordProblems,
} from '../../../runtime/auth/password-policy';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

const policy = DEFAULT_PASSWORD_POLICY;
let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

describe('password policy', () => {
  it('accepts a long passphrase', () => {
    expect(passwordProblems(policy, 'alice', STRONG)).toEqual([]);
  });

  it('names every broken rule', () => {
    expect(passwordProblems(policy, 'alice', 'short')).toEqual(['password must be at least 12 characters long']);
    expect(passwordProblems(policy, 'operator1', 'operator1')).toEqual([
      'password must be at least 12 characters long', 'password must not be the user name',
    ]);
    expect(passwordProblems(policy, 'operator1', 'my-Operator1-password')).toEqual(['password must not contain the user name']);
    expect(passwordProblems(policy, 'bob', 'a'.repeat(20))).toEqual(['password must not be one repeated character']);
    // Argon2id takes long passphrases whole; the bcrypt fallback's policy stops at its 72 bytes
    expect(passwordProblems(policy, 'bob', 'é'.repeat(10) + 'x'.repeat(60))).toEqual([]);
    expect(passwordProblems({ ...policy, maxBytes: 72 }, 'bob', 'é'.repeat(10) + 'x'.repeat(60))).toEqual(['password must be at most 72 bytes long']);
    expect(passwordProblems(policy, 'bob', 'long passphrase '.repeat(65))).toEqual(['password must be at most 1024 bytes long']);
    expect(passwordProblems(policy, 'bob', 42)).toEqual(['password must be a string']);
  });

  it('counts characters, not bytes, for the minimum', () => {
    expect(passwordProblems(policy, 'bob', 'ğüşiöçĞÜŞİÖx')).toEqual([]);
    expect(passwordProblems({ ...policy, minLength: 16 }, 'bob', STRONG.slice(0, 15))).toHaveLength(1);
  });

  it('generates passwords that pass the default policy', () => {
    for (let i = 0; i < 50; i++) expect(passwordProblems(policy, 'admin', generatePassword())).toEqual([]);
  });

  it('ages passwords by the user setting, else the policy, else never', () => {
    const day = 86_400_000;
    expect(passwordExpired(policy, 0, null, 1000 * day)).toBe(false);
    expect(passwordExpired({ ...policy, maxAgeDays: 90 }, 0, null, 91 * day)).toBe(true);
    expect(passwordExpired({ ...policy, maxAgeDays: 90 }, 0, null, 89 * day)).toBe(false);
    expect(passwordExpired({ ...policy, maxAgeDays: 90 }, 0, 30, 31 * day)).toBe(true);
  });
});

describe('hashing', () => {
  it('uses Argon2id at OWASP\'s minimum by default, bcrypt cost 12 as the fallback', async () => {
    expect(DEFAULT_BCRYPT_COST).toBeGreaterThanOrEqual(12);
    const h = new PasswordHasher();
    expect(h.algorithm).toBe('argon2id');
    const hash = await h.hash(STRONG);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await h.verify(STRONG, hash)).toBe(true);
    expect(await h.verify(STRONG + '!', hash)).toBe(false);
    const fallback = new PasswordHasher({ algorithm: 'bcrypt' });
    const b = await fallback.hash(STRONG);
    expect(bcryptRounds(b)).toBe(DEFAULT_BCRYPT_COST);
    expect(await fallback.verify(STRONG, b)).toBe(true);
  });

  it('refuses nonsense parameters and names a corrupt hash instead of calling it a mismatch', async () => {
    expect(() => new PasswordHasher(3)).toThrow(/bcryptCost/);
    expect(() => new PasswordHasher(12.5)).toThrow(/bcryptCost/);
    expect(() => new PasswordHasher({ argon2MemoryKiB: 4 })).toThrow(/argon2MemoryKiB/);
    expect(() => new PasswordHasher({ argon2Passes: 0 })).toThrow(/argon2Passes/);
    await expect(new PasswordHasher(4).verify(STRONG, 'not-a-hash')).rejects.toThrow(/neither argon2id nor bcrypt/);
  });

  it('stores hashes with the configured parameters, never the password', async () => {
    f = makeAuth();
    await seeded(f);
    const rows = f.auth.db.prepare('SELECT username, password_hash FROM users').all() as { username: string; password_hash: string }[];
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
      expect(r.password_hash).not.toContain(STRONG);
    }
  });
});

describe('password changes', () => {
  it('refuses reuse of the last N passwords and accepts an older one', async () => {
    f = makeAuth({ passwordPolicy: { historySize: 3 } });
    await seeded(f);
    const login = async (pw: string) => f.auth.authenticateToken((await f.auth.login({ username: 'eng', password: pw })).token);
    let p = await login(STRONG);
    const pws = ['second passphrase here', 'third passphrase here', 'fourth passphrase here'];
    let cur = STRONG;
    for (const next of pws) {
      await f.auth.changePassword(p, cur, next);
      cur = next;
      p = await login(cur);
    }
    // history of 3 = current + 2 previous: "second", "third", "fourth"
    const err = await f.auth.changePassword(p, cur, 'second passphrase here').catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('password_policy');
    expect(err.details.problems).toEqual(['password must not be one of the last 3 passwords']);
    await expect(f.auth.changePassword(p, cur, cur)).rejects.toMatchObject({ code: 'password_policy' });
    await f.auth.changePassword(p, cur, STRONG); // 4 changes ago: allowed again
    const history = f.auth.db.prepare('SELECT count(*) AS n FROM password_history WHERE user_id = ?').get(p.userId) as { n: number };
    expect(history.n).toBe(3);
  });

  it('requires the current password and counts a wrong one as a failure', async () => {
    f = makeAuth();
    await seeded(f);
    const p = f.auth.authenticateToken((await f.auth.login({ username: 'eng', password: STRONG })).token);
    await expect(f.auth.changePassword(p, 'wrong password!!', 'brand new passphrase')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(f.events.filter((e) => e.type === 'login_failed').at(-1)).toMatchObject({ reason: 'bad_password', detail: { source: 'password_change' } });
  });

  it('ends the other sessions of the user but keeps the current one', async () => {
    f = makeAuth();
    await seeded(f);
    const a = await f.auth.login({ username: 'eng', password: STRONG });
    const b = await f.auth.login({ username: 'eng', password: STRONG });
    const pa = f.auth.authenticateToken(a.token);
    await f.auth.changePassword(pa, STRONG, 'brand new passphrase');
    expect(f.auth.authenticateToken(a.token).username).toBe('eng');
    expect(() => f.auth.authenticateToken(b.token)).toThrow(expect.objectContaining({ details: { reason: 'revoked' } }));
  });

  it('rejects a weak HISTORIAN_ADMIN_PASSWORD loudly', async () => {
    f = makeAuth();
    await expect(f.auth.ensureAdmin({ adminPassword: 'admin12345678' })).rejects.toThrow(/HISTORIAN_ADMIN_PASSWORD is not acceptable: password must not contain the user name/);
    expect(f.auth.listUsers()).toEqual([]);
    await f.auth.ensureAdmin({ adminPassword: ADMIN_PW });
    expect(f.auth.listUsers().map((u) => u.username)).toEqual(['admin']);
  });
});
