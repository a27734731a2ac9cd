// Electronic signatures against a real AuthService (cheap Argon2id from the auth fixture) and a real trail:
// wrong password, expired, reused, another user's, another action or target — all
// refused; a valid signature shows name, time and meaning in the entry it is bound to.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attachAuthEvents } from '../../../runtime/audit/auth-events';
import { requiresSignature } from '../../../runtime/audit/critical-actions';
import { SignatureError, SignatureService, type Signer } from '../../../runtime/audit/signature-service';
import type { Principal } from '../../../runtime/auth/principal';
import { STRONG, cleanupDirs, makeAuth, seeded, type Fixture } from '../auth/fixture';
import { cleanup, makeTrail, type TrailFixture } from './fixture';

let a: Fixture;
let t: TrailFixture;
let sig: SignatureService;
let eng: Principal;
let op: Principal;

beforeAll(async () => {
  a = makeAuth();
  await seeded(a);
  t = makeTrail();
  attachAuthEvents(t.trail, a.auth);
  eng = a.auth.authenticateToken((await a.auth.login({ username: 'eng', password: STRONG })).token);
  op = a.auth.authenticateToken((await a.auth.login({ username: 'op', password: STRONG })).token);
});
beforeEach(() => {
  sig = new SignatureService({ auth: a.auth, trail: t.trail, clock: () => t.clock.now });
});
afterAll(() => {
  t.trail.close();
  a.close();
  cleanupDirs();
  cleanup();
});

const req = (over: Partial<Parameters<SignatureService['reauth']>[0]> = {}) => ({
  username: 'eng', password: STRONG, meaning: 'approval' as const, action: 'alarms.shelve', target: 'acme.p1.temp', ...over,
});

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<SignatureError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureError);
    return e as SignatureError;
  }
  throw new Error('expected a refusal');
}

describe('SignatureService', () => {
  it('a valid signature appears in the audit entry with printed name, UTC time and meaning, bound to its hash', async () => {
    const ticket = await sig.reauth(req({ meaning: 'responsibility' }), eng, '10.1.1.1');
    expect(ticket.token).toMatch(/^hsig_/);
    expect(ticket.expiresInMs).toBe(60_000);
    const m = sig.consume(ticket.token, 'alarms.shelve', 'acme.p1.temp', eng);
    expect(m).toMatchObject({ printedName: 'eng Person', meaning: 'responsibility', userId: eng.userId, action: 'alarms.shelve', target: 'acme.p1.temp' });
    expect(m.signedAt).toBe(new Date(t.clock.now).toISOString());
    const entry = t.trail.append({ userId: eng.userId, username: eng.username, userName: eng.name, role: eng.role, action: 'alarms.shelve', target: 'acme.p1.temp', reason: 'sensor maintenance', signature: m });
    const stored = t.trail.get(entry.seq)!;
    expect(stored.signature).toEqual(m);
    const rec = t.trail.db.prepare('SELECT * FROM signatures WHERE id = ?').get(m.signatureId) as Record<string, unknown>;
    expect(rec.entry_hash).toBe(entry.hash);
    expect(rec.seq).toBe(entry.seq);
    expect((await t.trail.verify()).ok).toBe(true);
    // The same manifestation cannot be copied onto another record.
    expect(() => t.trail.append({ action: 'alarms.shelve', target: 'acme.p1.temp', signature: m })).toThrow(/already bound/);
    expect(() => t.trail.append({ action: 'alarms.out_of_service', target: 'acme.p1.temp', signature: { ...m, signatureId: 'x' } })).toThrow(/signature: given for alarms.shelve/);
  });

  it('refuses a wrong password and records the failure', async () => {
    const e = await refusal(sig.reauth(req({ password: 'not the password' }), eng));
    expect(e.code).toBe('invalid_credentials');
    expect(e.status).toBe(403);
    const last = t.trail.query({ action: 'auth.reauth.failed' }).entries[0];
    expect(last).toMatchObject({ username: 'eng', reason: 'bad_password' });
  });

  it('refuses an expired token', async () => {
    const { token } = await sig.reauth(req(), eng);
    t.clock.advance(60_000);
    expect((await refusal(() => sig.consume(token, 'alarms.shelve', 'acme.p1.temp', eng))).code).toBe('expired');
  });

  it('accepts a token just before it expires', async () => {
    const { token } = await sig.reauth(req(), eng);
    t.clock.advance(59_999);
    expect(sig.consume(token, 'alarms.shelve', 'acme.p1.temp', eng).meaning).toBe('approval');
  });

  it('refuses a reused token', async () => {
    const { token } = await sig.reauth(req(), eng);
    sig.consume(token, 'alarms.shelve', 'acme.p1.temp', eng);
    const e = await refusal(() => sig.consume(token, 'alarms.shelve', 'acme.p1.temp', eng));
    expect(e.code).toBe('reused');
    expect(e.status).toBe(428);
  });

  it("refuses another user's token", async () => {
    const { token } = await sig.reauth(req(), eng);
    expect((await refusal(() => sig.consume(token, 'alarms.shelve', 'acme.p1.temp', op))).code).toBe('other_user');
    const refused = t.trail.query({ action: 'signature.refused' }).entries[0];
    expect(refused).toMatchObject({ username: 'op', reason: 'other_user', target: 'alarms.shelve acme.p1.temp' });
  });

  it('refuses a token for another action or another target', async () => {
    const one = await sig.reauth(req(), eng);
    expect((await refusal(() => sig.consume(one.token, 'alarms.out_of_service', 'acme.p1.temp', eng))).code).toBe('other_action');
    const two = await sig.reauth(req(), eng);
    expect((await refusal(() => sig.consume(two.token, 'alarms.shelve', 'acme.p2.temp', eng))).code).toBe('other_target');
  });

  it('refuses missing and unknown tokens with 428', async () => {
    expect((await refusal(() => sig.consume(undefined, 'alarms.shelve', null, eng))).status).toBe(428);
    expect((await refusal(() => sig.consume('hsig_nope', 'alarms.shelve', null, eng))).code).toBe('unknown_token');
  });

  it('requires the signer to be the logged-in user, a person, and both components', async () => {
    expect((await refusal(sig.reauth(req({ username: 'op' }), eng))).code).toBe('not_session_user');
    const svc: Signer = { kind: 'token', userId: eng.userId, username: 'eng', name: 'x' };
    expect((await refusal(sig.reauth(req(), svc))).code).toBe('not_a_person');
    expect((await refusal(sig.reauth(req({ username: undefined }), eng))).field).toBe('username');
    expect((await refusal(sig.reauth(req({ meaning: 'because' as never }), eng))).field).toBe('meaning');
  });

  it('keeps a configurable critical-action list', () => {
    expect(requiresSignature('alarms.shelve')).toBe(true);
    expect(requiresSignature('users.role.change')).toBe(true);
    expect(requiresSignature('flows.deploy')).toBe(false);
    expect(requiresSignature('alarms.ack')).toBe(false);
    const s = new SignatureService({ auth: a.auth, signedDeploys: true, criticalActions: ['tags.*'] });
    expect(s.requiresSignature('flows.deploy')).toBe(true);
    expect(s.requiresSignature('tags.write')).toBe(true);
    expect(s.requiresSignature('alarms.shelve')).toBe(false);
  });
});
