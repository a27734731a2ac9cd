// scripts/start.js (`npm start`): the server runs with the launcher's V8 flags (README
// "Memory"), in-process when package.json's start line already passed them, otherwise in a
// child process that gets the flags of HISTORIAN_NODE_FLAGS and stops with the launcher.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER_NODE_FLAGS, REPO_ROOT, startDistribution, type Distribution } from '../../helpers/distribution';
import { waitFor } from '../../helpers/wait';

const START = join(REPO_ROOT, 'scripts', 'start.js');

function defaultFlags(): string[] {
  const m = /const DEFAULT_NODE_FLAGS = \[([^\]]*)\]/.exec(readFileSync(START, 'utf8'));
  if (!m) throw new Error('scripts/start.js: DEFAULT_NODE_FLAGS not found');
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
}

function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('npm start launcher', () => {
  let dist: Distribution | undefined;
  afterEach(async () => { await dist?.stop(); dist = undefined; });

  it('passes the same default flags from package.json and the Docker image', () => {
    const flags = defaultFlags();
    expect(flags).toContain('--max-semi-space-size=2');
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${flags.join(' ')} scripts/start.js`);
    const docker = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');
    expect(LAUNCHER_NODE_FLAGS, 'test/helpers/distribution.ts starts the server as npm start does').toEqual(flags);
    expect(docker).toContain(`CMD ["node", ${flags.map((f) => `"${f}"`).join(', ')}, "node_modules/historian/dist/runtime/server/main.js"]`);
  });

  it('refuses a HISTORIAN_NODE_FLAGS entry that is not an option, naming the variable', () => {
    const r = spawnSync(process.execPath, [START], { encoding: 'utf8', env: { ...process.env, HISTORIAN_NODE_FLAGS: '--max-semi-space-size=4 oops' }, timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('HISTORIAN_NODE_FLAGS: "oops"');
  });

  it('runs the server in a child with the flags asked for, which stops when the launcher is killed', async () => {
    dist = await startDistribution({ entry: START, env: { HISTORIAN_NODE_FLAGS: '--max-semi-space-size=3' }, readyTimeoutMs: 120_000 });
    const launcher = dist.proc.pid!;
    const [server] = childrenOf(launcher);
    expect(server).toBeGreaterThan(0);
    const cmdline = readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('--max-semi-space-size=3');
    expect((await dist.request('/health')).status).toBe(200);
    dist.proc.kill('SIGKILL');
    await waitFor(() => !alive(server), { what: 'the server child to stop after its launcher was killed', timeoutMs: 30_000 });
  });
});
