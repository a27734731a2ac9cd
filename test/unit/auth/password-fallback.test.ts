// Node before 24.7 has no crypto.argon2 (package.json allows Node 22.9): the hasher falls
// back to bcrypt, says so once, and refuses (not crashes on) Argon2id hashes it cannot check.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PasswordHasher, argon2Available } from '../../../runtime/auth/password-hasher';
import { StoredHashError } from '../../../runtime/auth/password-phc';
import { STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

// (vi.mock is hoisted above the imports: the modules above see the mocked node:crypto)
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, default: { ...real, argon2: undefined }, argon2: undefined };
});

let f: Fixture | undefined;
afterEach(() => f?.close());
afterAll(cleanupDirs);

// made where crypto.argon2 exists (Node 24): $argon2id$v=19$m=64,t=1,p=1 of STRONG
const ARGON2_OF_STRONG = '$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$TUhCoV6YH8thtZpQqRp0JvQQ5ZYgiLA0LYApKDG6qtM';

describe('without crypto.argon2', () => {
  it('hashes with bcrypt at the configured cost and says so once per process', async () => {
    expect(argon2Available()).toBe(false);
    const lines: string[] = [];
    const h = new PasswordHasher({ bcryptCost: 4, log: (l) => lines.push(l) });
    new PasswordHasher({ bcryptCost: 4, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no crypto\.argon2 .*bcrypt cost 4/);
    expect(h.algorithm).toBe('bcrypt');
    expect(h.maxPasswordBytes).toBe(72);
    const hash = await h.hash(STRONG);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await h.verify(STRONG, hash)).toBe(true);
    expect(() => new PasswordHasher({ algorithm: 'argon2id' })).toThrow(/needs crypto\.argon2/);
  });

  it('refuses an Argon2id hash with a clear reason instead of crashing or matching', async () => {
    const h = new PasswordHasher({ bcryptCost: 4 });
    await expect(h.verify(STRONG, ARGON2_OF_STRONG)).rejects.toThrow(StoredHashError);
    await expect(h.verify(STRONG, ARGON2_OF_STRONG)).rejects.toThrow(/argon2id, which Node .* cannot check/);
    expect(h.needsRehash(ARGON2_OF_STRONG)).toBe(false);
  });

  it('keeps the policy at bcrypt\'s 72 bytes and refuses logins to Argon2id accounts', async () => {
    f = makeAuth();
    await seeded(f);
    expect(f.auth.policy.maxBytes).toBe(72);
    f.auth.db.prepare("UPDATE users SET password_hash = ? WHERE username = 'eng'").run(ARGON2_OF_STRONG);
    await expect(f.auth.login({ username: 'eng', password: STRONG })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(f.events.at(-1)).toMatchObject({ type: 'login_failed', reason: 'unusable_password_hash' });
    expect((await f.auth.login({ username: 'op', password: STRONG })).user.username).toBe('op');
  });
});
