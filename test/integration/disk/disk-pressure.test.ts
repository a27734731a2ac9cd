// Disk pressure against the running distribution on a real small filesystem: the data
// directory is a 64 MB tmpfs mounted by the test (root needed; the test fails, never
// skips, without it). A filler file takes the free space below the watermark: writes get
// 507, reads, logins and /health still 200, /ready reports the disk, the system alarm is
// raised; removing the filler clears all of it, and every acknowledged sample is there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const MB = 1_048_576;
const WATERMARK_MB = 16;
const ALARM = 'sys.historian.health.disk_writes_refused:DISCRETE';
let dir: string;
let mnt: string;
let mounted = false;
let dist: Distribution | null = null;
let admin: string;
let token: string;

async function json(res: Response): Promise<any> {
  const t = await res.text();
  return t ? JSON.parse(t) : undefined;
}

beforeAll(async () => {
  dir = await makeTempDir('disk-pressure-');
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`this test mounts a 64 MB tmpfs and must run as root (sudo npx vitest run ${__filename}): ${(e as { stderr?: Buffer }).stderr ?? e}`);
  }
  mounted = true;
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([{ id: 'c-store', type: 'historian-store', name: 'default', directory: 'tsdb/default' }]));
  // watermark: the smaller of 50 % (32 MB) and 16 MB
  dist = await startDistribution({
    dataDir: join(mnt, 'data'),
    env: { HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_DISK_MIN_FREE_PERCENT: '50', HISTORIAN_DISK_MIN_FREE_MB: String(WATERMARK_MB), HISTORIAN_HEALTH_INTERVAL_MS: '200' },
  });
  admin = await dist.login();
  await createUser(dist, admin, { username: 'disk-gw', name: 'Disk gateway', role: 'SERVICE' });
  const t = await dist.request('/api/v1/tokens', { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: 'disk-gw', scopes: ['ingest', 'query'], tagPattern: 'acme.>' }) });
  token = (await json(t)).token;
}, 60_000);

afterAll(async () => {
  await dist?.stop();
  if (mounted) execFileSync('umount', [mnt]);
  if (dir) await removeTempDir(dir);
});

const TAG = 'acme.disk.line1.flow';
const post = (values: number[], t0: number) => dist!.request('/api/v1/metrics', {
  method: 'POST', token, headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(values.map((v, i) => ({ tag: TAG, value: v, timestamp: t0 + i }))),
});
const alarm = async () => (await json(await dist!.request('/api/v1/alarms', { token: admin }))).alarms.find((a: { id: string }) => a.id === ALARM);

describe('disk below the low-space watermark', () => {
  it('refuses writes with 507 while reads, logins, /health work; /ready and the alarm report it; all clears when space returns', async () => {
    const acked = new Map<number, number>();
    const t0 = Date.now() - 600_000;
    let next = 0;
    const send = async (n: number) => {
      const values = Array.from({ length: n }, (_, i) => next + i);
      const r = await post(values, t0 + next);
      const body = await json(r);
      if (r.status === 202) { expect(body.accepted).toBe(n); values.forEach((v) => acked.set(t0 + v, v)); }
      next += n;
      return { status: r.status, body };
    };
    expect((await send(1000)).status).toBe(202);
    expect(await json(await dist!.request('/ready'))).toMatchObject({ ready: true, writable: true, disk: { low: false, watermarkBytes: WATERMARK_MB * MB } });

    // take the free space below the watermark with a real file on the same filesystem
    const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
    const filler = join(mnt, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - (WATERMARK_MB / 2) * MB), 1));
    expect(free()).toBeLessThan(WATERMARK_MB * MB);

    await expect.poll(async () => (await send(100)).status, { timeout: 10_000 }).toBe(507);
    const refused = await send(100);
    expect(refused.status).toBe(507);
    expect(refused.body).toMatchObject({ error: 'insufficient_storage', accepted: 0 });
    expect(refused.body.message).toMatch(/data disk low: .* below the 16\.0 MB watermark/);
    // reads, logins, liveness keep working
    const q = await dist!.request(`/api/v1/query?${new URLSearchParams({ kind: 'raw', tag: TAG, from: '0', to: String(Date.now() + 60_000) })}`, { token });
    expect(q.status).toBe(200);
    expect((await json(q)).samples).toHaveLength(acked.size);
    expect(typeof (await dist!.login())).toBe('string');
    expect((await dist!.request('/health')).status).toBe(200);
    const ready = await dist!.request('/ready');
    expect(ready.status).toBe(503);
    expect(await json(ready)).toMatchObject({ ready: false, writable: false, disk: { low: true }, reason: expect.stringMatching(/^disk_low/) });
    await expect.poll(alarm, { timeout: 10_000 }).toMatchObject({ conditionActive: true, priority: 'urgent' });
    const health = await json(await dist!.request('/api/v1/system/health', { token: admin }));
    expect(health.disk).toMatchObject({ writesRefused: true, watermarkBytes: WATERMARK_MB * MB });
    expect(health.problems.map((p: { kind: string }) => p.kind)).toContain('disk-low');

    // space returns: writes resume, /ready is ready, the alarm clears
    rmSync(filler);
    await expect.poll(async () => (await send(100)).status, { timeout: 10_000 }).toBe(202);
    expect((await dist!.request('/ready')).status).toBe(200);
    await expect.poll(async () => (await alarm())?.conditionActive, { timeout: 10_000 }).toBe(false);

    // nothing acknowledged is lost, nothing refused was stored
    const after = await json(await dist!.request(`/api/v1/query?${new URLSearchParams({ kind: 'raw', tag: TAG, from: '0', to: String(Date.now() + 60_000) })}`, { token }));
    expect(new Map(after.samples.map((s: { ts: number; value: number }) => [s.ts, s.value]))).toEqual(acked);
  });
});
