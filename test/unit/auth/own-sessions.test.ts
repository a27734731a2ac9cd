// "My sessions" and "sign out everywhere": a user sees only their own working sessions,
// can end the others (keeping this one) or all of them, and each bulk sign-out is an event.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

describe('own sessions', () => {
  it('lists my working sessions, newest first, marking the calling one', async () => {
    f = makeAuth();
    await seeded(f);
    const a = await f.auth.login({ username: 'eng', password: STRONG });
    f.clock.advance(1000);
    const b = await f.auth.login({ username: 'eng', password: STRONG });
    await f.auth.login({ username: 'op', password: STRONG });
    const pb = f.auth.authenticateBearer(`Bearer ${b.token}`);
    const list = f.auth.listOwnSessions(pb);
    expect(list).toHaveLength(2);
    expect(list.map((s) => s.current)).toEqual([true, false]);
    expect(list[0].issuedAt > list[1].issuedAt).toBe(true);
    // logging one out removes it from the list
    f.auth.logout(f.auth.authenticateBearer(`Bearer ${a.token}`));
    expect(f.auth.listOwnSessions(pb)).toHaveLength(1);
  });

  it('leaves out sessions past the idle limit', async () => {
    f = makeAuth({ session: { idleTimeoutMs: 60_000 } });
    await seeded(f);
    await f.auth.login({ username: 'eng', password: STRONG });
    f.clock.advance(120_000);
    const b = await f.auth.login({ username: 'eng', password: STRONG });
    expect(f.auth.listOwnSessions(f.auth.authenticateBearer(`Bearer ${b.token}`))).toHaveLength(1);
  });

  it('sign out everywhere ends the other sessions, and this one too when asked', async () => {
    f = makeAuth();
    await seeded(f);
    const a = await f.auth.login({ username: 'eng', password: STRONG });
    const b = await f.auth.login({ username: 'eng', password: STRONG });
    const other = await f.auth.login({ username: 'op', password: STRONG });
    const pb = f.auth.authenticateBearer(`Bearer ${b.token}`);
    expect(f.auth.logoutEverywhere(pb)).toBe(1);
    expect(() => f.auth.authenticateBearer(`Bearer ${a.token}`)).toThrow();
    expect(f.auth.authenticateBearer(`Bearer ${b.token}`).username).toBe('eng');
    expect(f.auth.logoutEverywhere(pb, { includeCurrent: true })).toBe(1);
    expect(() => f.auth.authenticateBearer(`Bearer ${b.token}`)).toThrow();
    // someone else's session is untouched
    expect(f.auth.authenticateBearer(`Bearer ${other.token}`).username).toBe('op');
    const ev = f.events.filter((e) => e.type === 'logout' && (e.detail as { everywhere?: boolean })?.everywhere);
    expect(ev.map((e) => (e.detail as { sessions: number }).sessions)).toEqual([1, 1]);
  });
});
