// scripts/start.js (`npm start`): the server runs with the launcher's V8 flags (README
// "Memory"), in-process when package.json's start line already passed them, otherwise in a
// child process that gets the flags of HISTORIAN_NODE_FLAGS and stops with the launcher.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, LAUNCHER_NODE_FLAGS, REPO_ROOT, startDistribution, type Distribution } from '../../helpers/distribution';
import { freePort } from '../../helpers/ports';
import { spawnManaged, type ManagedProcess } from '../../helpers/process';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
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

  /**
   * A server started as its own process group (as a shell starts a job), with the demo flows:
   * their stores and nodes take long enough to stop for a second signal to land mid-stop.
   */
  async function job(args: string[], env: Record<string, string>): Promise<{ proc: ManagedProcess; dir: string }> {
    const dir = await makeTempDir('historian-signal-');
    const proc = spawnManaged('historian', process.execPath, args, {
      cwd: REPO_ROOT, detached: true,
      env: { ...process.env, HISTORIAN_PORT: String(await freePort()), HISTORIAN_HOST: '127.0.0.1', HISTORIAN_DATA_DIR: dir, HISTORIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
    });
    await proc.waitForOutput(/\[historian\] ready/, { timeoutMs: 120_000 });
    // the demo's history is written and its frames replayed: the stores hold data to flush
    await proc.waitForOutput(/replayed \d+ stored samples/, { timeoutMs: 120_000 });
    return { proc, dir };
  }

  /** Starts a job, signals it with `send`, and expects one clean stop (no forced exit). */
  async function stopsCleanly(args: string[], env: Record<string, string>, send: (proc: ManagedProcess) => Promise<void>): Promise<void> {
    const { proc, dir } = await job(args, env);
    try {
      await send(proc);
      const exit = await proc.exited;
      expect(proc.logs()).toContain('[historian] stopped');
      expect(proc.logs()).not.toContain('forcing exit');
      expect(exit.code).toBe(0);
    } finally {
      await proc.stop();
      await removeTempDir(dir);
    }
  }

  it('stops cleanly on a Ctrl-C to the whole job when the server runs in a child (one stop, not forced)', async () => {
    // the terminal signals every process of the foreground group: launcher and, before, its server child
    await stopsCleanly([START], { HISTORIAN_NODE_FLAGS: '--max-semi-space-size=3' }, async (proc) => { process.kill(-proc.pid!, 'SIGINT'); });
  });

  it('takes the same signal twice within a second as one stop request (a service manager and the launcher both sending it)', async () => {
    await stopsCleanly([...LAUNCHER_NODE_FLAGS, join(REPO_ROOT, 'dist', 'runtime', 'server', 'main.js')], {}, async (proc) => {
      proc.kill('SIGTERM');
      // the second one once the first is being handled (two sent at once merge into one)
      await proc.waitForOutput(/SIGTERM: shutting down/);
      proc.kill('SIGTERM');
    });
  });
});
