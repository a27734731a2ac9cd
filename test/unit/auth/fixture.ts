// A throw-away AuthService for tests: temp data directory, cheap password hashing
// (Argon2id at 64 KiB × 1, bcrypt cost 4 for the fallback), a clock the
// test moves by hand, events collected in order. RSA keys are generated once per test
// file and reused through keys.privateKeyFile, to keep each test fast.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthService, type AuthServiceOptions } from '../../../runtime/auth/auth-service';
import type { AuthEvent } from '../../../runtime/auth/events';

export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
export const STRONG = 'correct horse battery staple';
export const ADMIN_PW = 'Plant-floor chief 2026!';

/** Far below OWASP's minimum on purpose: tests only check behaviour, not strength. */
export const CHEAP_HASHING = { argon2MemoryKiB: 64, argon2Passes: 1 } as const;

let sharedKeyFile: string | null = null;
const dirs: string[] = [];

export function sharedKeys(): { privateKeyFile: string } {
  if (!sharedKeyFile) {
    const dir = mkdtempSync(join(tmpdir(), 'hist-auth-keys-'));
    dirs.push(dir);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    sharedKeyFile = join(dir, 'key.pem');
    writeFileSync(sharedKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  }
  return { privateKeyFile: sharedKeyFile };
}

export interface Fixture {
  auth: AuthService;
  dir: string;
  clock: { now: number; advance(ms: number): void };
  events: AuthEvent[];
  close(): void;
}

export function makeAuth(opts: Partial<AuthServiceOptions> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'hist-auth-'));
  dirs.push(dir);
  const clock = { now: T0, advance(ms: number) { this.now += ms; } };
  const events: AuthEvent[] = [];
  const auth = AuthService.open({
    dataDir: dir, bcryptCost: 4, passwordHashing: CHEAP_HASHING, clock: () => clock.now, keys: sharedKeys(), onEvent: (e) => events.push(e), ...opts,
  });
  return { auth, dir, clock, events, close: () => auth.close() };
}

/** An admin (usable password) plus a user of the given role, with known passwords. */
export async function seeded(f: Fixture) {
  await f.auth.ensureAdmin({ adminPassword: ADMIN_PW });
  const actor = { kind: 'system' as const, username: 'test' };
  for (const [username, role] of [['eng', 'ENGINEER'], ['op', 'OPERATOR'], ['aud', 'AUDITOR']] as const) {
    await f.auth.createUser(actor, { username, name: `${username} Person`, role, password: STRONG, mustChangePassword: false });
  }
  await f.auth.createUser(actor, { username: 'svc', name: 'Line 1 gateway', role: 'SERVICE' });
  return actor;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  sharedKeyFile = null;
}
