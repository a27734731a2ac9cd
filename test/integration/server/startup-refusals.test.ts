// Start-up refusals that name what to change. One server per data directory: a second
// process started on a directory a live server uses is refused before it opens anything
// (it would append to the same audit chain and SQLite files from its own state); the first
// goes on, and a lock left by a killed server is taken over. A port another program holds
// is named with its variable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_PASSWORD, REPO_ROOT, startDistribution, type Distribution } from '../../helpers/distribution';
import { freePort } from '../../helpers/ports';
import { spawnManaged } from '../../helpers/process';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dataDir: string;
let first: Distribution | null = null;

beforeAll(async () => { dataDir = await makeTempDir('historian-dirlock-'); });
afterAll(async () => {
  await first?.stop();
  await removeTempDir(dataDir);
});

async function second(dir = dataDir, port?: number): Promise<{ code: number | null; logs: string }> {
  const proc = spawnManaged('historian-2', process.execPath, [join(REPO_ROOT, 'dist', 'runtime', 'server', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, HISTORIAN_PORT: String(port ?? (await freePort())), HISTORIAN_HOST: '127.0.0.1', HISTORIAN_DATA_DIR: dir, HISTORIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, HISTORIAN_DEMO_FLOW: 'none' },
  });
  const exit = await proc.exited;
  return { code: exit.code, logs: proc.logs() };
}

describe('start-up refusals', () => {
  it('refuses a second server on a directory in use, naming the process, and leaves the first running', async () => {
    first = await startDistribution({ dataDir, env: { HISTORIAN_DEMO_FLOW: 'none' } });
    const pid = first.proc.pid!;
    expect(readFileSync(join(dataDir, 'historian.pid'), 'utf8')).toBe(String(pid));
    const r = await second();
    expect(r.code).toBe(1);
    expect(r.logs).toContain(`data directory ${dataDir} is in use by process ${pid}, another Historian server`);
    expect(r.logs).toContain('HISTORIAN_DATA_DIR');
    // it stopped before opening anything: no listener, and the first still answers and owns the lock
    expect(r.logs).not.toContain('[historian] ready');
    expect((await first.request('/ready')).status).toBe(200);
    expect(readFileSync(join(dataDir, 'historian.pid'), 'utf8')).toBe(String(pid));
  });

  it('is given back on a clean stop, and taken over from a killed server', async () => {
    await first!.stop();
    first = null;
    expect(existsSync(join(dataDir, 'historian.pid'))).toBe(false);
    const again = await startDistribution({ dataDir, env: { HISTORIAN_DEMO_FLOW: 'none' } });
    again.proc.kill('SIGKILL');
    await again.proc.exited;
    // the lock still names the dead process
    expect(readFileSync(join(dataDir, 'historian.pid'), 'utf8')).toBe(String(again.proc.pid));
    first = await startDistribution({ dataDir, env: { HISTORIAN_DEMO_FLOW: 'none' } });
    expect((await first.request('/ready')).status).toBe(200);
  });

  it('names HISTORIAN_PORT when another program holds the port', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const dir = await makeTempDir('historian-port-');
    try {
      const r = await second(dir, port);
      expect(r.code).toBe(1);
      expect(r.logs).toContain(`HISTORIAN_PORT: port ${port} on 127.0.0.1 is in use by another program`);
    } finally {
      holder.close();
      await removeTempDir(dir);
    }
  });
});
