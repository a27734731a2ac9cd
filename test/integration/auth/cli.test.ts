// The `historian` CLI as a child process on a data directory that an in-process
// AuthService (standing in for the running server) keeps open at the same time.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PW, STRONG, cleanupDirs, makeAuth, type Fixture } from '../../unit/auth/fixture';

const ROOT = resolve(__dirname, '../../..');
let f: Fixture;

beforeAll(async () => {
  f = makeAuth();
  await f.auth.ensureAdmin({ adminPassword: ADMIN_PW });
});
afterAll(() => { f.close(); cleanupDirs(); });

interface Result { code: number | null; stdout: string; stderr: string }

function historian(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; dataDir?: boolean } = {}): Promise<Result> {
  const argv = ['--import', 'tsx', 'runtime/cli/main.ts', ...(opts.dataDir === false ? [] : ['--data-dir', f.dir]), ...args];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, HISTORIAN_DATA_DIR: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

describe('historian user', () => {
  it('adds a user with a generated password that must be changed at first login', async () => {
    const r = await historian(['user', 'add', 'alice', '--role', 'OPERATOR', '--name', 'Alice Öztürk']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created OPERATOR user "alice" \(Alice Öztürk\), id [0-9a-f-]{36}\n/);
    const pw = /generated password \(shown once; must be changed at first login\): (\S+)/.exec(r.stdout)![1];
    const login = await f.auth.login({ username: 'alice', password: pw });
    expect(login.mustChangePassword).toBe(true);
    expect(login.user.name).toBe('Alice Öztürk');
  });

  it('adds a user with --password-stdin and applies the policy to passwd', async () => {
    const add = await historian(['user', 'add', 'bob', '--role', 'engineer', '--name', 'Bob Builder', '--password-stdin'], { stdin: `${STRONG}\n` });
    expect(add.code).toBe(0);
    expect(add.stdout).not.toMatch(/generated/);
    expect((await f.auth.login({ username: 'bob', password: STRONG })).mustChangePassword).toBe(false);

    const pw = await historian(['user', 'passwd', 'bob', '--password-stdin'], { stdin: 'bob has a new passphrase?\n' });
    expect(pw.code).toBe(1);
    expect(pw.stderr).toBe('historian: password rejected: password must not contain the user name\n');
  });

  it('refuses passwords breaking the policy with the reason, and accepts a good one', async () => {
    const weak = await historian(['user', 'passwd', 'bob', '--password-stdin'], { stdin: 'short\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toBe('historian: password rejected: password must be at least 12 characters long\n');
    const ok = await historian(['user', 'passwd', 'bob', '--password-stdin'], { stdin: 'a brand new passphrase\n' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('password of "bob" changed\n');
    await expect(f.auth.login({ username: 'bob', password: STRONG })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await f.auth.login({ username: 'bob', password: 'a brand new passphrase' })).user.username).toBe('bob');

    const dis = await historian(['user', 'disable', 'bob']);
    expect(dis).toMatchObject({ code: 0, stdout: 'user "bob" disabled\n' });
    await expect(f.auth.login({ username: 'bob', password: 'a brand new passphrase' })).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('lists users as a table and as JSON', async () => {
    const [text, json] = await Promise.all([historian(['user', 'list']), historian(['user', 'list', '--json'])]);
    expect(text.stdout.split('\n')[0]).toMatch(/^USERNAME\s+ROLE\s+NAME\s+STATUS\s+PASSWORD CHANGED$/);
    expect(text.stdout).toMatch(/bob\s+ENGINEER\s+Bob Builder\s+disabled/);
    const users = JSON.parse(json.stdout) as { username: string; role: string }[];
    expect(users.map((u) => u.username)).toEqual(['admin', 'alice', 'bob']);
    expect(json.stdout).not.toMatch(/\$2[aby]\$/);
  });
});

describe('historian token', () => {
  it('creates a scoped token shown once, lists it without the secret, and revokes it', async () => {
    expect((await historian(['user', 'add', 'gw1', '--role', 'SERVICE', '--name', 'Izmir gateway 1'])).code).toBe(0);
    const c = await historian(['token', 'create', '--user', 'gw1', '--scopes', 'ingest,query', '--tags', 'acme.izmir.>', '--expires', '90d']);
    expect(c.code).toBe(0);
    const secret = c.stdout.trim();
    expect(secret).toMatch(/^hst_[A-Za-z0-9_-]{43}$/);
    expect(c.stderr).toMatch(/scopes ingest,query, tags acme\.izmir\.>, expires \d{4}-.*shown only this once/);

    const p = f.auth.authenticateBearer(`Bearer ${secret}`);
    expect(p).toMatchObject({ kind: 'token', username: 'gw1', role: 'SERVICE', tagPattern: 'acme.izmir.>' });
    expect([...p.permissions].sort()).toEqual(['ingest', 'query']);
    expect(p.allowsTag('acme.bursa.x')).toBe(false);
    expect(p.expiresAt! - f.auth.now()).toBeGreaterThan(89 * 86_400_000);

    const list = await historian(['token', 'list', '--json', '--user', 'gw1']);
    expect(list.stdout).not.toContain(secret);
    const [t] = JSON.parse(list.stdout) as { id: string; lastUsedAt: string | null; status: string }[];
    expect(t.lastUsedAt).not.toBeNull();
    expect(t.status).toBe('active');

    const rev = await historian(['token', 'revoke', t.id]);
    expect(rev.code).toBe(0);
    expect(() => f.auth.authenticateToken(secret)).toThrow(/revoked/);
  });

  it('refuses scopes the account does not have', async () => {
    const r = await historian(['token', 'create', '--user', 'gw1', '--scopes', 'users.manage']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('historian: scope "users.manage" is not granted to role SERVICE of user "gw1"\n');
  });
});

describe('historian usage', () => {
  it('explains mistakes with exit code 2', async () => {
    const results = await Promise.all([
      historian([]),
      historian(['user', 'add', 'carol', '--name', 'Carol']),
      historian(['user', 'add', 'carol', '--role', 'BOSS', '--name', 'Carol']),
      historian(['token', 'create', '--user', 'gw1', '--scopes', 'ingest', '--expires', '5x']),
      historian(['user', 'passwd', 'alice']),
      historian(['frobnicate']),
      historian(['user', 'list', '--colour']),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(results[0].stderr).toMatch(/^Usage: historian/);
    expect(results[1].stderr).toMatch(/^historian: --role is required\n/);
    expect(results[2].stderr).toMatch(/role must be ADMIN, ENGINEER, OPERATOR, AUDITOR or SERVICE \(got "BOSS"\)/);
    expect(results[3].stderr).toMatch(/--expires must be a positive duration like 90d/);
    expect(results[4].stderr).toMatch(/no terminal to prompt for a password: use --password-stdin or --generate/);
    expect(results[5].stderr).toMatch(/unknown command "frobnicate"/);
    expect(results[6].stderr).toMatch(/unknown option --colour/);
    const help = await historian(['--help'], { dataDir: false });
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('token create --user USER --scopes');
  });

  it('takes the data directory from HISTORIAN_DATA_DIR', async () => {
    const r = await historian(['user', 'list', '--json'], { dataDir: false, env: { HISTORIAN_DATA_DIR: f.dir } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { username: string }[]).map((u) => u.username)).toContain('alice');
  });
});
