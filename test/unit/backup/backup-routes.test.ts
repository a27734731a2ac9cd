// POST /system/backup on its own (runtime/server/routes/backup-routes.ts), with a real audit
// trail and a store whose snapshot the test holds: one backup at a time (409), none below
// the disk watermark or where its staging would go below it (507, nothing staged), and a
// download the client broke off recorded as not completed, its staging directory removed;
// a one-time link (POST /system/backup/links) serves its backup once, without a token.
import express from 'express';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../../runtime/auth/permissions';
import { SignatureService } from '../../../runtime/audit/signature-service';
import { DiskWatermark } from '../../../runtime/disk';
import { mountRoutes, type Principal } from '../../../runtime/server/api/route';
import { BackupRunner } from '../../../runtime/backup';
import { backupRoutes } from '../../../runtime/server/routes/backup-routes';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { cleanup as cleanupTrails, makeTrail } from '../audit/fixture';

const AUTH = { Authorization: 'Bearer test' };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); cleanupTrails(); });

/** The route over a data directory whose one store snapshots only when `release` is called. */
async function app(o: { freeBytes?: number; db?: number } = {}) {
  const data = await makeTempDir('historian-backup-routes-');
  cleanup.push(() => removeTempDir(data));
  fs.writeFileSync(path.join(data, 'flows.json'), '[]');
  if (o.db) fs.writeFileSync(path.join(data, 'frames.db'), Buffer.alloc(o.db));
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let snapshots = 0;
  const store = {
    dir: path.join(data, 'tsdb', 'default'),
    snapshotInto: async (dest: string) => { snapshots++; await gate; fs.mkdirSync(dest, { recursive: true }); return { blocks: 0, walSegments: 0, bytes: 0 }; },
  };
  const t = makeTrail();
  cleanup.push(() => t.trail.close());
  const disk = new DiskWatermark({ dir: data, minFreeBytes: 1000, minFreePercent: 0, probe: () => ({ totalBytes: 1e9, freeBytes: o.freeBytes ?? 1e8 }) });
  const principal: Principal = { kind: 'user', userId: '1', username: 'root', name: 'Root', role: 'ADMIN', permissions: ROLE_PERMISSIONS.ADMIN, expiresAt: null, mustChangePassword: false, allowsTag: () => true };
  const router = express.Router();
  router.use(express.json());
  const signatures = new SignatureService({ auth: null as never, trail: t.trail, criticalActions: [] });
  const runner = new BackupRunner({ dataDir: data, version: '1', host: 'test-host', stores: async () => [store], disk });
  // the link's GET is public: it must work with no credentials at all
  mountRoutes(router, backupRoutes({ dataDir: data, host: 'test-host', runner, trail: t.trail, signatures }), async (req) => (req.headers.authorization ? principal : null));
  const server = express().use('/api/v1', router).listen(0);
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/system/backup`;
  const staged = () => fs.readdirSync(data).filter((n) => n.startsWith('.backup-'));
  const entries = () => t.trail.query({ action: 'system.backup' }, { limit: 10 }).entries;
  return { url, release, staged, entries, snapshots: () => snapshots };
}

describe('POST /system/backup', () => {
  it('makes one backup at a time: a second request while one is being made gets 409', async () => {
    const a = await app();
    const first = fetch(a.url, { method: 'POST', headers: AUTH });
    await waitFor(() => a.snapshots() === 1, { what: 'the first backup snapshotting' });
    const second = await fetch(a.url, { method: 'POST', headers: AUTH });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ message: 'a backup is being made; try again once it is done' });
    a.release();
    const r = await first;
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(a.entries()).toEqual([expect.objectContaining({ action: 'system.backup', newValue: expect.objectContaining({ completed: true }) })]);
    await waitFor(() => a.staged().length === 0, { what: 'the staging directory removed' });
  });

  it('refuses when staging would take the disk below the watermark (507), naming the sizes, before staging anything', async () => {
    // 1000 bytes of watermark, and just enough free space for it but not for the staged copy of a 64 kB database
    const a = await app({ freeBytes: 1000 + 4096, db: 65_536 });
    const r = await fetch(a.url, { method: 'POST', headers: AUTH });
    expect(r.status).toBe(507);
    expect((await r.json() as { message: string }).message).toMatch(/^a backup stages up to 0\.1 MB .* and the data disk has 0\.0 MB free/);
    expect(a.snapshots()).toBe(0);
    expect(a.staged()).toEqual([]);
  });

  it('refuses below the disk watermark (507) before staging anything', async () => {
    const a = await app({ freeBytes: 10 });
    const r = await fetch(a.url, { method: 'POST', headers: AUTH });
    expect(r.status).toBe(507);
    expect(a.snapshots()).toBe(0);
    expect(a.staged()).toEqual([]);
    expect(a.entries()).toEqual([]);
  });

  it('records a download the client broke off as not completed, and removes its staging', async () => {
    const a = await app();
    const abort = new AbortController();
    const req = fetch(a.url, { method: 'POST', headers: AUTH, signal: abort.signal }).catch((e: Error) => e);
    await waitFor(() => a.snapshots() === 1, { what: 'the backup snapshotting' });
    abort.abort();
    expect(await req).toBeInstanceOf(Error);
    a.release();
    await waitFor(() => a.entries().length === 1, { what: 'the backup recorded' });
    expect(a.entries()[0].newValue).toMatchObject({ completed: false });
    await waitFor(() => a.staged().length === 0, { what: 'the staging directory removed' });
  });
});

describe('one-time backup links', () => {
  it('a link serves its backup once, with no credentials, and the trail records it as the caller\'s', async () => {
    const a = await app();
    expect((await fetch(`${a.url}/links`, { method: 'POST' })).status).toBe(401);
    const r = await fetch(`${a.url}/links`, { method: 'POST', headers: AUTH });
    expect(r.status).toBe(201);
    const link = await r.json() as { url: string; expiresAt: number };
    expect(link.url).toMatch(/^\/api\/v1\/system\/backup\/download\/[A-Za-z0-9_-]{43}$/);
    expect(link.expiresAt).toBeGreaterThan(Date.now());
    expect(a.snapshots()).toBe(0); // nothing is made until the link is used
    a.release();
    const origin = new URL(a.url).origin;
    const got = await fetch(origin + link.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="historian-backup-test-host-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz"$/);
    expect((await got.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(a.entries()).toEqual([expect.objectContaining({ action: 'system.backup', username: 'root', newValue: expect.objectContaining({ completed: true }) })]);
    const again = await fetch(origin + link.url);
    expect(again.status).toBe(404);
    expect((await again.json() as { message: string }).message).toMatch(/^this backup link is unknown, used or expired/);
    expect((await fetch(`${origin}/api/v1/system/backup/download/not-a-link`)).status).toBe(404);
    expect(a.entries()).toHaveLength(1);
  });

  it('is refused at once while a backup is being made (409), not when the link is used', async () => {
    const a = await app();
    const first = fetch(a.url, { method: 'POST', headers: AUTH });
    await waitFor(() => a.snapshots() === 1, { what: 'the first backup snapshotting' });
    expect((await fetch(`${a.url}/links`, { method: 'POST', headers: AUTH })).status).toBe(409);
    a.release();
    expect((await first).status).toBe(200);
  });
});
