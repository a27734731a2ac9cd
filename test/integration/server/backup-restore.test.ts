// README "Backup and restore": a copy of the data directory taken after a clean stop is the
// whole installation. Started from the copy (another directory, as on a replacement
// machine), the server has every acknowledged sample, the accounts and their passwords, the
// API tokens, the flows, and an audit chain that verifies; the
// original goes on as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const TAG = 'acme.izmir.line2.pump1.flow';
const T0 = Date.now() - 3_600_000;
let dist: Distribution | null = null;
let dataDir: string;
let copyDir: string;
let token: string;
let flowFile: string;
/** only a store, as a gateway's flow would have one */
const FLOW = [
  { id: 'tab', type: 'tab', label: 'Gateway' },
  { id: 'store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 200, outOfOrderMinutes: 60 },
];

beforeAll(async () => {
  dataDir = await makeTempDir('historian-backup-');
  copyDir = await makeTempDir('historian-restore-');
  flowFile = join(dataDir, '..', `backup-flow-${process.pid}.json`);
  writeFileSync(flowFile, JSON.stringify(FLOW));
  dist = await startDistribution({ dataDir, env: { HISTORIAN_DEMO_FLOW: flowFile } });
  const admin = await dist.login();
  await createUser(dist, admin, { username: 'gw2', name: 'Line 2 gateway', role: 'SERVICE' });
  const t = await dist.request('/api/v1/tokens', {
    method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'gw2', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.line2.>' }),
  });
  token = ((await t.json()) as { token: string }).token;
  const body = JSON.stringify({ tag: TAG, timestamps: Array.from({ length: 3600 }, (_, i) => T0 + i * 1000), values: Array.from({ length: 3600 }, (_, i) => i / 10) });
  const r = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body });
  expect(await r.json()).toMatchObject({ accepted: 3600, rejected: 0 });
  // the backup: stop (every store flushed), copy the directory
  await dist.stop();
  cpSync(dataDir, copyDir, { recursive: true });
  dist = null;
}, 120_000);

afterAll(async () => {
  await dist?.stop();
  await removeTempDir(dataDir);
  await removeTempDir(copyDir);
  rmSync(flowFile, { force: true });
});

describe('a data directory copied after a clean stop', () => {
  it('holds the secrets and stores it needs (nothing lives outside it)', () => {
    for (const p of ['secrets/credential-secret', 'secrets/jwt-private.pem', 'auth.db', 'audit.db', 'flows.json', 'tsdb']) expect(existsSync(join(copyDir, p)), p).toBe(true);
  });

  it('starts elsewhere with every sample, the same accounts and tokens, and an audit chain that verifies', async () => {
    // the demo flow is installed only into an empty directory: the copy keeps its own flows
    dist = await startDistribution({ dataDir: copyDir, env: { HISTORIAN_DEMO_FLOW: 'none' } });
    // the administrator's password and the gateway's token still work
    const admin = await dist.login();
    const q = new URLSearchParams({ kind: 'raw', tag: TAG, from: String(T0), to: String(T0 + 3_600_000) });
    const res = await dist.request(`/api/v1/query?${q}`, { token });
    expect(res.status).toBe(200);
    const samples = ((await res.json()) as { samples: Array<{ ts: number; value: number }> }).samples;
    expect(samples.length).toBe(3600);
    expect(samples[1234]).toMatchObject({ ts: T0 + 1_234_000, value: 123.4 });
    const users = ((await (await dist.request('/api/v1/users', { token: admin })).json()) as { users: Array<{ username: string }> }).users;
    expect(users.map((u) => u.username)).toContain('gw2');
    const v = await dist.request('/api/v1/audit/verify', { token: admin });
    expect(await v.json()).toMatchObject({ ok: true });
  });
});
