import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuthError } from '../../../runtime/auth/errors';
import { STRONG, T0, cleanupDirs, makeAuth, seeded, sharedKeys, type Fixture } from './fixture';

let f: Fixture;
afterEach(() => f?.close());
afterAll(cleanupDirs);

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (token: string) => {
  const [h, p, s] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), sig: s };
};

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect((e as AuthError).status).toBe(401);
    return (e as AuthError).details.reason;
  }
  throw new Error('expected a 401');
}

async function session(opts = {}) {
  f = makeAuth(opts);
  await seeded(f);
  return f.auth.login({ username: 'eng', password: STRONG });
}

describe('session JWT', () => {
  it('is RS256 with sub, role, name, exp and jti', async () => {
    const out = await session();
    const { header, payload } = parts(out.token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    const eng = f.auth.getUser('eng');
    expect(payload).toMatchObject({ sub: eng.id, role: 'ENGINEER', name: 'eng Person', username: 'eng', iss: 'historian' });
    expect(payload.exp).toBe(Math.floor((T0 + 8 * 3_600_000) / 1000));
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const p = f.auth.authenticateBearer(`Bearer ${out.token}`);
    expect(p).toMatchObject({ kind: 'user', userId: eng.id, role: 'ENGINEER', jti: payload.jti, mustChangePassword: false });
    expect(p.permissions.has('flows.write')).toBe(true);
    expect(p.allowsTag('any.tag')).toBe(true);
  });

  it('refuses alg "none"', async () => {
    const out = await session();
    const { payload } = parts(out.token);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'ADMIN' })}.`;
    expect(reason(() => f.auth.authenticateBearer(`Bearer ${none}`))).toBe('bad_signature'); // unsigned
    const none2 = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'ADMIN' })}.x`;
    expect(reason(() => f.auth.authenticateToken(none2))).toBe('bad_signature');
  });

  it('refuses HS256 signed with the public key as the secret (key confusion)', async () => {
    const out = await session();
    const { payload } = parts(out.token);
    const publicPem = createPublicKey(readFileSync(sharedKeys().privateKeyFile, 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const head = `${b64({ alg, typ: 'JWT' })}.${b64({ ...payload, role: 'ADMIN' })}`;
      const hash = `sha${alg.slice(2)}`;
      const sig = createHmac(hash, publicPem).update(head).digest('base64url');
      expect(reason(() => f.auth.authenticateToken(`${head}.${sig}`))).toBe('bad_signature');
    }
    // the untampered payload, re-signed HS256 with the public key, fails as well
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${out.token.split('.')[1]}`;
    const sig = createHmac('sha256', publicPem).update(head).digest('base64url');
    expect(reason(() => f.auth.authenticateToken(`${head}.${sig}`))).toBe('bad_signature');
  });

  it('refuses a token signed by another key, a tampered payload and an expired token', async () => {
    const out = await session();
    const { payload } = parts(out.token);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = jwt.sign({ ...payload, role: 'ADMIN' }, other, { algorithm: 'RS256', noTimestamp: true });
    expect(reason(() => f.auth.authenticateToken(forged))).toBe('bad_signature');

    const [h, , s] = out.token.split('.');
    const tampered = `${h}.${b64({ ...payload, role: 'ADMIN' })}.${s}`;
    expect(reason(() => f.auth.authenticateToken(tampered))).toBe('bad_signature');

    f.clock.advance(8 * 3_600_000);
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('expired');
  });

  it('classifies missing and malformed credentials', async () => {
    await session();
    expect(reason(() => f.auth.authenticateBearer(undefined))).toBe('missing');
    expect(reason(() => f.auth.authenticateBearer(''))).toBe('missing');
    expect(reason(() => f.auth.authenticateBearer('Basic dXNlcjpwYXNz'))).toBe('malformed');
    expect(reason(() => f.auth.authenticateBearer('Bearer'))).toBe('malformed');
    expect(reason(() => f.auth.authenticateBearer('Bearer abc'))).toBe('malformed');
    expect(reason(() => f.auth.authenticateBearer('Bearer a.b.c'))).toBe('malformed');
  });

  it('stops working after logout', async () => {
    const out = await session();
    const p = f.auth.authenticateToken(out.token);
    f.auth.logout(p, '10.1.1.1');
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('revoked');
    expect(f.events.at(-1)).toMatchObject({ type: 'logout', actor: { username: 'eng' }, address: '10.1.1.1', detail: { jti: p.jti } });
  });

  it('ends after the idle timeout, and use keeps it alive', async () => {
    const out = await session({ session: { idleTimeoutMs: 10 * 60_000 } });
    for (let i = 0; i < 5; i++) {
      f.clock.advance(9 * 60_000);
      expect(f.auth.authenticateToken(out.token).username).toBe('eng');
    }
    f.clock.advance(10 * 60_000 + 1);
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('idle');
    f.clock.advance(-5 * 60_000); // an idle-ended session does not come back
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('revoked');
  });

  it('honours a configured absolute lifetime', async () => {
    const out = await session({ session: { ttlMs: 60_000, idleTimeoutMs: null } });
    f.clock.advance(59_000);
    expect(f.auth.authenticateToken(out.token).username).toBe('eng');
    f.clock.advance(1000);
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('expired');
  });

  it('ends the sessions at a role change and at disabling', async () => {
    const out = await session();
    const actor = { kind: 'system' as const, username: 'test' };
    // a renamed user keeps the session
    f.auth.updateUser(actor, 'eng', { name: 'Eng Renamed' });
    expect(f.auth.authenticateToken(out.token).name).toBe('Eng Renamed');
    f.auth.updateUser(actor, 'eng', { role: 'OPERATOR' });
    expect(reason(() => f.auth.authenticateToken(out.token))).toBe('revoked');
    const again = await f.auth.login({ username: 'eng', password: STRONG });
    const p = f.auth.authenticateToken(again.token);
    expect(p.role).toBe('OPERATOR');
    expect(p.permissions.has('flows.write')).toBe(false);
    f.auth.updateUser(actor, 'eng', { disabled: true });
    expect(reason(() => f.auth.authenticateToken(again.token))).toMatch(/revoked|disabled/);
  });

  it('is refused by another installation (different key)', async () => {
    const out = await session();
    const other = makeAuth({ keys: undefined });
    try {
      expect(reason(() => other.auth.authenticateToken(out.token))).toBe('bad_signature');
    } finally {
      other.close();
    }
  });
});

describe('key pair', () => {
  it('is generated into secrets/ with a private key readable by the owner only, and reused', async () => {
    const a = makeAuth({ keys: undefined });
    await seeded(a);
    const priv = join(a.dir, 'secrets', 'jwt-private.pem');
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    expect(statSync(join(a.dir, 'secrets')).mode & 0o077).toBe(0);
    expect(readFileSync(join(a.dir, 'secrets', 'jwt-public.pem'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    const out = await a.auth.login({ username: 'eng', password: STRONG });
    a.close();
    const b = makeAuth({ dataDir: a.dir, keys: undefined });
    b.clock.now = a.clock.now;
    try {
      expect(b.auth.authenticateToken(out.token).username).toBe('eng');
    } finally {
      b.close();
    }
  });

  it('loads named files and refuses a bad or mismatched key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    f = makeAuth();
    const pubFile = join(f.dir, 'other-pub.pem');
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const { privateKeyFile } = sharedKeys();
    expect(() => makeAuth({ keys: { privateKeyFile, publicKeyFile: pubFile } })).toThrow(/does not match/);
    expect(() => makeAuth({ keys: { privateKeyFile: pubFile } })).toThrow(/not a PEM private key/);
    expect(() => makeAuth({ keys: { privateKeyFile: join(f.dir, 'missing.pem') } })).toThrow(/cannot read JWT private key file/);
  });
});
