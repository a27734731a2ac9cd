// Argon2id hashing, the bcrypt hashes it migrates from, and what happens to a stored hash
// this process cannot use.
import bcrypt from 'bcrypt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../../runtime/auth/errors';
import {
  OWASP_ARGON2_MINIMUMS, PasswordHasher, argon2Available, owaspArgon2Problem,
} from '../../../runtime/auth/password-hasher';
import { StoredHashError, formatArgon2id, parseArgon2id } from '../../../runtime/auth/password-phc';
import { run } from '../../../runtime/cli/main';
import { CHEAP_HASHING, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

const cheap = () => new PasswordHasher(CHEAP_HASHING);
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as AuthError);
const storedHash = (username: string) =>
  (f.auth.db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string }).password_hash;
const setStoredHash = (username: string, hash: string) => {
  f.auth.db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(hash, username);
};

describe('Argon2id hashes (PHC strings)', () => {
  it('runs on this Node (crypto.argon2)', () => {
    expect(argon2Available()).toBe(true);
  });

  it('salts every hash and verifies with the parameters stored in the string', async () => {
    const h = cheap();
    const [a, b] = [await h.hash(STRONG), await h.hash(STRONG)];
    expect(a).not.toBe(b);
    const parsed = parseArgon2id(a);
    expect(parsed).toMatchObject({ memoryKiB: 64, passes: 1, parallelism: 1 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.tag).toHaveLength(32);
    expect(formatArgon2id(parsed)).toBe(a);
    // a hasher configured otherwise still checks it: the string carries its parameters
    const other = new PasswordHasher({ argon2MemoryKiB: 128, argon2Passes: 2 });
    expect(await other.verify(STRONG, a)).toBe(true);
    expect(await other.verify('correct horse battery stapler', a)).toBe(false);
  });

  it('verifies a string made by the reference implementation (phc-winner-argon2 README example)', async () => {
    // echo -n "password" | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32
    const reference = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(await cheap().verify('password', reference)).toBe(true);
    expect(await cheap().verify('Password', reference)).toBe(false);
    expect(formatArgon2id(parseArgon2id(reference))).toBe(reference);
  });

  it('names what is wrong with a corrupt string', async () => {
    const good = await cheap().hash(STRONG);
    const cases: [string, RegExp][] = [
      [good.replace('v=19', 'v=16'), /version 16/],
      [good.replace('m=64', 'm=4'), /m=4/],
      [good.replace('m=64', 'm=99999999'), /m=99999999/],
      [good.replace('t=1', 't=1000'), /t=1000/],
      [good.replace('p=1', 'p=0'), /p=0/],
      [good.slice(0, -10), /hash has a \d+-byte hash|invalid base64/],
      [good.replace(/\$[^$]+\$([^$]+)$/, '$QUJD$$1'), /3-byte salt|invalid base64/],
      [good.replace('$argon2id$v=19$', '$argon2id$'), /not a well-formed/],
      ['$2b$12$tooShort', /not a well-formed bcrypt/],
      ['plaintext password', /neither argon2id nor bcrypt/],
    ];
    for (const [stored, message] of cases) {
      await expect(cheap().verify(STRONG, stored), stored).rejects.toThrow(StoredHashError);
      await expect(cheap().verify(STRONG, stored), stored).rejects.toThrow(message);
    }
  });
});

describe('bcrypt hashes (the format before Argon2id)', () => {
  it('verifies $2a$ and $2b$ hashes', async () => {
    const h = cheap();
    const b = await bcrypt.hash(STRONG, 4);
    expect(b.startsWith('$2b$04$')).toBe(true);
    expect(await h.verify(STRONG, b)).toBe(true);
    expect(await h.verify(STRONG, b.replace('$2b$', '$2a$'))).toBe(true);
    expect(await h.verify('wrong password 12', b)).toBe(false);
  });

  it('does not let a longer password match on its first 72 bytes', async () => {
    const pw72 = 'x'.repeat(71) + 'y';
    const b = await bcrypt.hash(pw72, 4);
    expect(await bcrypt.compare(pw72 + 'anything', b)).toBe(true); // what bcrypt itself does
    expect(await cheap().verify(pw72 + 'anything', b)).toBe(false);
    expect(await cheap().verify(pw72, b)).toBe(true);
  });

  it('is what the fallback hashes with, and then argon2id strings are rehash-free but bcrypt below the cost is not', async () => {
    const fallback = new PasswordHasher({ algorithm: 'bcrypt', bcryptCost: 5 });
    expect(fallback.maxPasswordBytes).toBe(72);
    const b = await fallback.hash(STRONG);
    expect(b.startsWith('$2b$05$')).toBe(true);
    expect(fallback.needsRehash(b)).toBe(false);
    expect(fallback.needsRehash(await bcrypt.hash(STRONG, 4))).toBe(true);
    expect(fallback.needsRehash(await cheap().hash(STRONG))).toBe(false);
  });
});

describe('needsRehash', () => {
  it('asks for a rehash of bcrypt and of weaker Argon2id, not of equal or stronger', async () => {
    const h = new PasswordHasher({ argon2MemoryKiB: 128, argon2Passes: 2 });
    expect(h.needsRehash(await bcrypt.hash(STRONG, 12 - 8))).toBe(true);
    expect(h.needsRehash(await new PasswordHasher({ argon2MemoryKiB: 64, argon2Passes: 2 }).hash(STRONG))).toBe(true);
    expect(h.needsRehash(await new PasswordHasher({ argon2MemoryKiB: 128, argon2Passes: 1 }).hash(STRONG))).toBe(true);
    expect(h.needsRehash(await h.hash(STRONG))).toBe(false);
    expect(h.needsRehash(await new PasswordHasher({ argon2MemoryKiB: 256, argon2Passes: 3 }).hash(STRONG))).toBe(false);
  });
});

describe('configured parameters', () => {
  it('refuses pairs below every OWASP configuration and accepts each of them', () => {
    for (const [m, t] of OWASP_ARGON2_MINIMUMS) {
      expect(owaspArgon2Problem(m, t)).toBeNull();
      expect(owaspArgon2Problem(m - 1, t)).toMatch(/below OWASP's minimum/);
    }
    expect(owaspArgon2Problem(19_456, 1)).toMatch(/19456 KiB and 1 passes/);
    expect(owaspArgon2Problem(65_536, 3)).toBeNull();
  });

  it('the command line names the variable it refuses', async () => {
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } } as never;
    const dataDir = ['--data-dir', '/nonexistent-historian-test'];
    expect(await run([...dataDir, 'user', 'list'], io, { HISTORIAN_ARGON2_MEMORY_KIB: '1024' })).toBe(2);
    expect(out.join('')).toMatch(/HISTORIAN_ARGON2_MEMORY_KIB must be an integer from 7168/);
    out.length = 0;
    expect(await run([...dataDir, 'user', 'list'], io, { HISTORIAN_ARGON2_MEMORY_KIB: '19456', HISTORIAN_ARGON2_PASSES: '1' })).toBe(2);
    expect(out.join('')).toMatch(/HISTORIAN_ARGON2_MEMORY_KIB \/ HISTORIAN_ARGON2_PASSES: .*below OWASP's minimum/);
    out.length = 0;
    expect(await run([...dataDir, 'user', 'list'], io, { HISTORIAN_ARGON2_PASSES: 'two' })).toBe(2);
    expect(out.join('')).toMatch(/HISTORIAN_ARGON2_PASSES must be an integer/);
  });
});

describe('rehash on login', () => {
  it('replaces a bcrypt hash with argon2id on a successful login, keeping the password and its age', async () => {
    f = makeAuth();
    await seeded(f);
    setStoredHash('eng', await bcrypt.hash(STRONG, 4));
    const changedAt = (f.auth.db.prepare("SELECT password_changed_at AS t FROM users WHERE username = 'eng'").get() as { t: number }).t;

    // a wrong password changes nothing
    await fail(f.auth.login({ username: 'eng', password: 'wrong password 12' }));
    expect(storedHash('eng')).toMatch(/^\$2b\$04\$/);

    await f.auth.login({ username: 'eng', password: STRONG });
    expect(storedHash('eng')).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect(f.events.at(-1)).toMatchObject({ type: 'login', detail: { passwordRehashed: { from: 'bcrypt cost 4', to: 'argon2id m=64,t=1,p=1' } } });
    expect((f.auth.db.prepare("SELECT password_changed_at AS t FROM users WHERE username = 'eng'").get() as { t: number }).t).toBe(changedAt);

    // the password still works, against the new hash, and is not rehashed again
    await f.auth.login({ username: 'eng', password: STRONG });
    expect(f.events.at(-1)!.detail).not.toHaveProperty('passwordRehashed');
    expect(storedHash('eng')).toMatch(/^\$argon2id\$/);
    await fail(f.auth.login({ username: 'eng', password: 'wrong password 12' }));
  });

  it('raises weaker Argon2id parameters when the configuration grows, also on a signature', async () => {
    f = makeAuth();
    await seeded(f);
    const weaker = storedHash('op');
    f.close();
    f = { ...f, ...makeAuth({ dataDir: f.dir, passwordHashing: { argon2MemoryKiB: 128, argon2Passes: 2 } }) };
    expect(storedHash('op')).toBe(weaker);
    await f.auth.reauthenticate('op', STRONG);
    expect(storedHash('op')).toMatch(/^\$argon2id\$v=19\$m=128,t=2,p=1\$/);
    expect(f.events.at(-1)).toMatchObject({ type: 'reauth', detail: { passwordRehashed: { from: 'argon2id m=64,t=1,p=1' } } });
  });

  it('keeps the rehashed password in the history: reusing it is still refused', async () => {
    f = makeAuth();
    await seeded(f);
    setStoredHash('eng', await bcrypt.hash(STRONG, 4));
    f.auth.db.prepare("UPDATE password_history SET hash = (SELECT password_hash FROM users WHERE username = 'eng') WHERE user_id = (SELECT id FROM users WHERE username = 'eng')").run();
    const { token } = await f.auth.login({ username: 'eng', password: STRONG });
    const p = f.auth.authenticateToken(token);
    const err = await fail(f.auth.changePassword(p, STRONG, STRONG));
    expect(err.message).toMatch(/policy|password/);
    expect(JSON.stringify(err.toJSON())).toMatch(/last 5 passwords/);
  });
});

describe('a stored hash that cannot be used', () => {
  it('refuses the login with the usual answer, names the problem in the audit event, and keeps running', async () => {
    f = makeAuth();
    await seeded(f);
    setStoredHash('eng', '$argon2id$v=19$m=64,t=1,p=1$garbage');
    const dummy = vi.spyOn(f.auth.hasher, 'verifyDummy');
    const err = await fail(f.auth.login({ username: 'eng', password: STRONG }));
    expect(err).toBeInstanceOf(AuthError);
    expect(err.toJSON()).toEqual({ error: 'invalid_credentials', message: 'invalid user name or password' });
    // the same time as a wrong password: a dummy check ran
    expect(dummy).toHaveBeenCalledTimes(1);
    expect(f.events.at(-1)).toMatchObject({
      type: 'login_failed', reason: 'unusable_password_hash', detail: { problem: expect.stringMatching(/not a well-formed/) },
    });
    // a signature is refused the same way, and other accounts are unaffected
    await expect(f.auth.reauthenticate('eng', STRONG)).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await f.auth.login({ username: 'op', password: STRONG })).user.username).toBe('op');
  });
});
