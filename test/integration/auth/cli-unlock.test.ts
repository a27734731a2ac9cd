// `historian user unlock` on the data directory lifts an account-wide lock (every
// address's throttle of the account too) while the server's AuthService holds the files.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthError } from '../../../runtime/auth/errors';
import { ADMIN_PW, cleanupDirs, makeAuth, type Fixture } from '../../unit/auth/fixture';

const ROOT = resolve(__dirname, '../../..');
let f: Fixture;
beforeAll(async () => {
  f = makeAuth({ lockout: { accountMaxFailures: 10 } });
  await f.auth.ensureAdmin({ adminPassword: ADMIN_PW });
});
afterAll(() => { f.close(); cleanupDirs(); });

function historian(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', '--data-dir', f.dir, ...args], { cwd: ROOT, env: { ...process.env, HISTORIAN_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end('');
  });
}

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as AuthError);

describe('historian user unlock', () => {
  it('unlocks an account locked from many addresses', async () => {
    for (let a = 0; a < 2; a++) for (let i = 0; i < 5; i++) await fail(f.auth.login({ username: 'admin', password: 'wrong password x', address: `203.0.113.${a}` }));
    expect((await fail(f.auth.login({ username: 'admin', password: ADMIN_PW, address: '10.0.0.5' }))).code).toBe('locked');
    const r = await historian(['user', 'unlock', 'admin']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('user "admin" unlocked\n');
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: '10.0.0.5' })).user.username).toBe('admin');
    expect((await f.auth.login({ username: 'admin', password: ADMIN_PW, address: '203.0.113.0' })).user.username).toBe('admin');
  });
});
