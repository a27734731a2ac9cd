// README "Backup and restore", online: POST /api/v1/system/backup while the server takes
// writes. The archive, restored by `historian backup restore` into a new directory on the
// side, starts as the whole installation: every sample acknowledged before the request (in blocks and still in the
// write-ahead log), the accounts, the API tokens, the flows and an audit chain that
// verifies. The backup is an administrator's, signed, and recorded; the running server
// goes on without a pause it could notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { extract } from 'tar';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser, signingToken } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const TAG = 'acme.izmir.line2.pump1.flow';
const LIVE = 'acme.izmir.line2.pump1.pressure';
const DAY = 86_400_000;
const T0 = Date.now() - 3_600_000;
const json = { 'Content-Type': 'application/json' };
let dist: Distribution;
let restored: Distribution | null = null;
let dir: string;
let token: string;
let admin: string;
let archive: string;
/** LIVE samples acknowledged before the backup was asked for */
let ackedBefore: number[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-online-backup-');
  dist = await startDistribution({
    dataDir: join(dir, 'data'),
    flow: [
      { id: 'tab', type: 'tab', label: 'Gateway' },
      { id: 'store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 200, outOfOrderMinutes: 60 },
    ],
  });
  admin = await dist.login();
  await createUser(dist, admin, { username: 'gw2', name: 'Line 2 gateway', role: 'SERVICE' });
  await createUser(dist, admin, { username: 'eng', name: 'Engineer', role: 'ENGINEER', password: 'Plant floor shift 2026' });
  const t = await dist.request('/api/v1/tokens', { method: 'POST', token: admin, headers: json, body: JSON.stringify({ user: 'gw2', scopes: ['ingest', 'query'], tagPattern: 'acme.izmir.line2.>' }) });
  token = ((await t.json()) as { token: string }).token;
  const put = async (tag: string, ts: number[], values: number[]) => {
    const r = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: json, body: JSON.stringify({ tag, timestamps: ts, values }) });
    expect(await r.json()).toMatchObject({ accepted: ts.length, rejected: 0 });
  };
  // a day of history two days back: cut into blocks by the store's maintenance
  await put(TAG, Array.from({ length: 1440 }, (_, i) => T0 - 2 * DAY + i * 60_000), Array.from({ length: 1440 }, (_, i) => i));
  await waitFor(async () => {
    const h = (await (await dist.request('/api/v1/system/health', { token: admin })).json()) as { stores: Array<{ blocks: number }> };
    return (h.stores[0]?.blocks ?? 0) > 0;
  }, { timeoutMs: 60_000, what: 'the history cut into blocks' });
  // the last hour: only in the head and the write-ahead log when the backup is made
  await put(TAG, Array.from({ length: 3600 }, (_, i) => T0 + i * 1000), Array.from({ length: 3600 }, (_, i) => i / 10));
}, 120_000);

afterAll(async () => {
  await restored?.stop();
  await dist?.stop();
  await removeTempDir(dir);
});

describe('an online backup', () => {
  it('is an administrator\'s: an engineer is refused (403), an unsigned request asks for the signature (428)', async () => {
    const eng = await dist.login('eng', 'Plant floor shift 2026');
    expect((await dist.request('/api/v1/system/backup', { method: 'POST', token: eng })).status).toBe(403);
    const r = await dist.request('/api/v1/system/backup', { method: 'POST', token: admin });
    expect(r.status).toBe(428);
    expect(await r.json()).toMatchObject({ action: 'system.backup', target: 'system' });
  });

  it('is made while a writer goes on, as a .tar.gz with what it holds in backup.json, and recorded in the trail', async () => {
    // a writer sends a sample every few milliseconds throughout
    let stop = false;
    let seq = 0;
    const acks: Array<{ ts: number; at: number }> = [];
    const writer = (async () => {
      while (!stop) {
        const ts = T0 + 3_600_000 + ++seq;
        const r = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: json, body: JSON.stringify([{ tag: LIVE, value: seq, timestamp: ts }]) });
        if (r.status === 202) acks.push({ ts, at: performance.now() });
      }
    })();
    await waitFor(() => acks.length >= 20, { what: 'the writer going' });
    const sig = await signingToken(dist, admin, 'system.backup', 'system');
    const asked = performance.now();
    ackedBefore = acks.filter((a) => a.at < asked).map((a) => a.ts);
    const r = await dist.request('/api/v1/system/backup', { method: 'POST', token: admin, headers: { 'X-Historian-Signature': sig } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/gzip');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="historian-backup-.+\.tar\.gz"$/);
    const body = Buffer.from(await r.arrayBuffer());
    const afterCount = acks.length;
    await waitFor(() => acks.length > afterCount + 5, { what: 'the writer still acknowledged after the backup' });
    stop = true;
    await writer;
    archive = join(dir, 'backup.tar.gz');
    writeFileSync(archive, body);
    // the trail: who, signed, complete, what it held
    const entry = ((await (await dist.request('/api/v1/audit?action=system.backup&limit=1', { token: admin })).json()) as { entries: Array<Record<string, any>> }).entries[0];
    expect(entry).toMatchObject({ action: 'system.backup', target: 'system', username: 'admin', signature: { action: 'system.backup' }, newValue: { completed: true, archiveBytes: body.length } });
    expect(entry.newValue.databases).toEqual(expect.arrayContaining(['audit.db', 'auth.db']));
    // nothing of the staging is left in the data directory (removed once the download ended)
    await waitFor(() => readdirSync(dist.dataDir).filter((n) => n.startsWith('.backup-')).length === 0, { what: 'the staging directory removed' });
  }, 120_000);

  it('extracts into a data directory without the running server\'s locks or SQLite side files', async () => {
    const to = join(dir, 'restored');
    await import('node:fs').then((fs) => fs.mkdirSync(to));
    await extract({ file: archive, cwd: to });
    const m = JSON.parse(readFileSync(join(to, 'backup.json'), 'utf8'));
    expect(m).toMatchObject({ format: 'historian-backup/1', stores: [{ dir: 'tsdb/default', open: true }] });
    expect(m.stores[0].blocks).toBeGreaterThan(0);
    expect(m.stores[0].walSegments).toBeGreaterThan(0);
    expect(m.phase1Ms).toBeGreaterThanOrEqual(0);
    for (const p of ['secrets/credential-secret', 'secrets/jwt-private.pem', 'secrets/audit-anchor.json', 'auth.db', 'audit.db', 'flows.json', 'tsdb/default/manifest.json']) expect(existsSync(join(to, p)), p).toBe(true);
    for (const p of ['historian.pid', 'tsdb/default/LOCK', 'audit.db-wal', 'auth.db-wal']) expect(existsSync(join(to, p)), p).toBe(false);
  });

  it('is tried by `historian backup verify`: databases intact, the chain verifies, every sample read back; a truncated archive fails', () => {
    const cli = (file: string) => spawnSync(process.execPath, [join(__dirname, '..', '..', '..', 'bin', 'historian.js'), 'backup', 'verify', file, '--json'], { encoding: 'utf8' });
    const r = cli(archive);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, problems: [], audit: { ok: true } });
    expect(report.databases.every((d: { ok: boolean }) => d.ok)).toBe(true);
    expect(report.stores).toHaveLength(1);
    // the day of history, the hour, and at least the writer's samples acknowledged before the backup
    expect(report.stores[0].samples).toBeGreaterThanOrEqual(1440 + 3600 + ackedBefore.length);
    const cut = join(dir, 'cut.tar.gz');
    writeFileSync(cut, readFileSync(archive).subarray(0, Math.floor(readFileSync(archive).length / 2)));
    const bad = cli(cut);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).problems[0]).toMatch(/^the archive could not be read whole/);
  });

  it('is restored by `historian backup restore` into a new directory (the one started below), and never into one that is not empty', () => {
    const restore = (file: string, to: string) => spawnSync(process.execPath, [join(__dirname, '..', '..', '..', 'bin', 'historian.js'), 'backup', 'restore', file, to], { encoding: 'utf8' });
    const r = restore(archive, join(dir, 'restored-cli'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`OK: restored into ${join(dir, 'restored-cli')}\nStart Historian on it: HISTORIAN_DATA_DIR=${join(dir, 'restored-cli')} npm start`);
    const again = restore(archive, join(dir, 'restored-cli'));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^FAILED: .*restored-cli is not empty/);
  });

  it('starts on the side with every sample acknowledged before it, the accounts, the tokens and an audit chain that verifies', async () => {
    restored = await startDistribution({ dataDir: join(dir, 'restored-cli'), env: { HISTORIAN_DEMO_FLOW: 'none' } });
    const a = await restored.login();
    const query = async (tag: string, from: number, to: number) => {
      const q = new URLSearchParams({ kind: 'raw', tag, from: String(from), to: String(to) });
      const res = await restored!.request(`/api/v1/query?${q}`, { token });
      expect(res.status).toBe(200);
      return ((await res.json()) as { samples: Array<{ ts: number; value: number }> }).samples;
    };
    const history = await query(TAG, T0 - 2 * DAY, T0 - DAY);
    expect(history.length).toBe(1440);
    const hour = await query(TAG, T0, T0 + 3_600_000 - 1);
    expect(hour.length).toBe(3600);
    expect(hour[1234]).toMatchObject({ ts: T0 + 1_234_000, value: 123.4 });
    const live = new Set((await query(LIVE, T0 + 3_600_000, T0 + 3_700_000)).map((s) => s.ts));
    expect(ackedBefore.length).toBeGreaterThan(0);
    expect(ackedBefore.filter((ts) => !live.has(ts))).toEqual([]);
    const users = ((await (await restored.request('/api/v1/users', { token: a })).json()) as { users: Array<{ username: string }> }).users;
    expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'gw2', 'eng']));
    const v = await restored.request('/api/v1/audit/verify', { token: a });
    expect(await v.json()).toMatchObject({ ok: true });
  }, 120_000);
});
