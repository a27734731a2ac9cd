// The editor's adminAuth: a refusal is "not authenticated" (null), but a failing user
// database is an error Node-RED must see, never a "wrong password".
import { afterAll, describe, expect, it } from 'vitest';
import { adminAuthFor } from '../../../runtime/auth/http';
import { isAuthError } from '../../../runtime/auth/errors';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded } from './fixture';

afterAll(() => cleanupDirs());

describe('adminAuth', () => {
  it('answers null for a wrong password, an unknown user or a bad token', async () => {
    const f = makeAuth();
    await seeded(f);
    const a = adminAuthFor(f.auth);
    expect(await a.authenticate('eng', 'wrong password 1')).toBeNull();
    expect(await a.authenticate('nobody', STRONG)).toBeNull();
    expect(await a.users('nobody')).toBeNull();
    expect(await a.tokens('a.b.c')).toBeNull();
    expect(await a.authenticate('admin', ADMIN_PW)).toMatchObject({ username: 'admin' });
    f.close();
  });

  it('throws when the user database fails instead of answering "not authenticated"', async () => {
    const f = makeAuth();
    await seeded(f);
    const a = adminAuthFor(f.auth);
    const token = (await f.auth.login({ username: 'eng', password: STRONG })).token;
    f.close(); // the SQLite database behind the users is gone
    for (const attempt of [a.authenticate('eng', STRONG), a.users('eng'), a.tokens(token)]) {
      const err = await attempt.then(() => null, (e: unknown) => e);
      expect(err, 'a database failure must not look like a refusal').toBeInstanceOf(Error);
      expect(isAuthError(err)).toBe(false);
    }
  });
});
