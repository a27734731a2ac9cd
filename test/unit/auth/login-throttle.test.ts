// Lockout without denial of service: a guesser is throttled on its own address before the
// account is locked; only failures from many addresses lock the account; a signed-in
// administrator can still sign and unlock while the account is locked.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuthError } from '../../../runtime/auth/errors';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as AuthError);
const ATTACKER = '198.51.100.7';
const OFFICE = '10.0.0.5';

describe('login throttling per client address', () => {
  it('throttles the guessing address for that account while the account signs in from elsewhere', async () => {
    f = makeAuth();
    await seeded(f);
    for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'admin', password: 'wrong password x', address: ATTACKER }));
    // the attacker's address is held, even with the right password ...
    const held = await fail(f.auth.login({ username: 'admin', password: ADMIN_PW, address: ATTACKER }));
    expect(held.code).toBe('locked');
    expect(held.status).toBe(429);
    expect(held.details.retryAfterSec).toBe(15 * 60);
    // ... further tries from it do not count toward the account (they are refused before checking)
    for (let i = 0; i < 100; i++) expect((await fail(f.auth.login({ username: 'admin', password: 'wrong password x', address: ATTACKER }))).code).toBe('locked');
    // the administrator at the office is not locked out
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: OFFICE })).user.username).toBe('admin');
    // an administrator's view of the account says it is held from one address, and until when
    expect(f.auth.getUser('admin').locked).toEqual({ everywhere: false, addresses: 1, until: new Date(f.clock.now + 15 * 60_000).toISOString() });
    // and the throttle ends by itself
    f.clock.advance(15 * 60_000);
    expect(f.auth.getUser('admin').locked).toBeNull();
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: ATTACKER })).user.username).toBe('admin');
  });

  it('locks the account everywhere only after failures from many addresses; the signed-in admin still signs and unlocks', async () => {
    f = makeAuth({ lockout: { accountMaxFailures: 20 } });
    const actor = await seeded(f);
    const session = await f.auth.login({ username: 'admin', password: ADMIN_PW, address: OFFICE });
    // four addresses, five failures each: 20 across addresses
    for (let a = 1; a <= 4; a++) {
      for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'admin', password: 'wrong password x', address: `203.0.113.${a}` }));
    }
    expect(f.events.filter((e) => e.type === 'account_locked').length).toBeGreaterThanOrEqual(1);
    expect((await fail(f.auth.login({ username: 'admin', password: ADMIN_PW, address: OFFICE }))).code).toBe('locked');
    // a signature by the signed-in admin (the unlock needs users.manage, critical actions a signature)
    expect((await f.auth.reauthenticate('admin', ADMIN_PW, { address: OFFICE, sessionUserId: session.user.id })).username).toBe('admin');
    // someone without the admin's session is still held by the lock
    expect((await fail(f.auth.reauthenticate('admin', ADMIN_PW, { address: OFFICE }))).code).toBe('locked');
    expect(f.auth.getUser('admin').locked).toMatchObject({ everywhere: true, addresses: 4 });
    f.auth.unlockUser(actor, 'admin');
    expect(f.auth.getUser('admin').locked).toBeNull();
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: OFFICE })).user.username).toBe('admin');
    // the unlock also lifted every address's throttle of the account
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: '203.0.113.1' })).user.username).toBe('admin');
  });

  it('a successful login clears only the failures of its own address', async () => {
    f = makeAuth({ lockout: { maxFailures: 3 } });
    await seeded(f);
    for (let i = 0; i < 2; i++) await fail(f.auth.login({ username: 'eng', password: 'wrong password x', address: ATTACKER }));
    await f.auth.login({ username: 'eng', password: STRONG, address: OFFICE });
    await fail(f.auth.login({ username: 'eng', password: 'wrong password x', address: ATTACKER }));
    expect((await fail(f.auth.login({ username: 'eng', password: STRONG, address: ATTACKER }))).code).toBe('locked');
  });
});
