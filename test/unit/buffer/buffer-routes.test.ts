import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableQueue } from '../../../runtime/buffer';
import type { BufferComponent } from '../../../runtime/buffer/component';
import { ROLE_PERMISSIONS } from '../../../runtime/auth/permissions';
import { mountRoutes, type Principal } from '../../../runtime/server/api/route';
import { bufferRoutes } from '../../../runtime/server/routes/buffer-routes';
import { SignatureService } from '../../../runtime/audit/signature-service';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { cleanup as cleanupTrails, makeTrail } from '../audit/fixture';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); cleanupTrails(); });

/**
 * The routes with a real trail. `signed`: the default critical actions (a purge then needs
 * a signature); otherwise none, so the other behaviour is seen without signing (the signed
 * purge itself is driven from the Health page in test/e2e/buffer-quarantine.test.ts).
 */
async function app(role: 'OPERATOR' | 'ENGINEER', signed = false) {
  const dir = await makeTempDir('historian-buffer-routes-');
  const q = DurableQueue.open({ dir, journal: 'always' });
  cleanup.push(async () => { q.close(); await removeTempDir(dir); });
  for (let i = 0; i < 3; i++) await q.push({ source: 'gw', subject: 'hist.a', count: 5, body: Buffer.from(`b${i}`) });
  const [a, b] = q.take(2);
  q.quarantine(a, 'too large');
  q.quarantine(b, 'not allowed');
  let paused = false;
  const comp: BufferComponent = {
    pause: async () => { paused = true; }, resume: () => { paused = false; },
    status: () => ({ ...q.stats(), connected: false, paused, oldestAgeMs: 1, sent: 0, sentSamples: 0, sentPerSecond: 0, retries: 3, lastError: null }) as never,
    quarantined: () => q.quarantined(), replayQuarantine: (ids) => q.replayQuarantine(ids), purgeQuarantine: (ids) => q.purgeQuarantine(ids),
  };
  const principal: Principal = { kind: 'user', userId: '1', username: 'u', name: 'U', role, permissions: ROLE_PERMISSIONS[role], expiresAt: null, mustChangePassword: false, allowsTag: () => true };
  const router = express.Router();
  router.use(express.json());
  const t = makeTrail();
  cleanup.push(() => t.trail.close());
  const signatures = new SignatureService({ auth: null as never, trail: t.trail, ...(signed ? {} : { criticalActions: [] }) });
  mountRoutes(router, bufferRoutes({ buffers: () => [['uplink', comp], ['other', {}]], trail: t.trail, signatures }), async () => principal);
  const server = express().use('/api/v1', router).listen(0);
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(base + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json() as any };
  };
  return { call, q, a, b, trail: t.trail };
}

describe('buffer routes', () => {
  it('lists buffers and their quarantine for readers; manage routes need buffers.manage', async () => {
    const { call, a } = await app('OPERATOR');
    const list = await call('GET', '/buffers');
    expect(list.status).toBe(200);
    expect(list.body.buffers).toEqual([expect.objectContaining({ name: 'uplink', pending: 1, pendingSamples: 5, quarantined: 2, retries: 3 })]);
    const quarantine = await call('GET', '/buffers/uplink/quarantine');
    expect(quarantine.body.items[0]).toMatchObject({ id: a.id, reason: 'too large', count: 5, bytes: 2, subject: 'hist.a' });
    expect((await call('POST', '/buffers/uplink/quarantine/purge', {})).status).toBe(403);
    expect((await call('GET', '/buffers/nope/quarantine')).status).toBe(404);
    expect((await call('GET', '/buffers/bad name/quarantine')).body.message).toMatch(/^params\.name: /);
  });

  it('replays and purges quarantined entries, each recorded in the audit trail; a purge takes a reason', async () => {
    const { call, q, a, b, trail } = await app('ENGINEER');
    expect((await call('POST', '/buffers/uplink/quarantine/replay', { ids: [a.id] })).body).toEqual({ replayed: 1 });
    expect(q.stats().pending).toBe(2);
    expect(q.take(5).map((e) => e.id)).toContain(a.id);
    const noReason = await call('POST', '/buffers/uplink/quarantine/purge', {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toBe('body.reason: required: why they are deleted');
    expect(q.quarantined().map((i) => i.id)).toEqual([b.id]);
    expect((await call('POST', '/buffers/uplink/quarantine/purge', { reason: 'subject outside the ACL: resent by hand' })).body).toEqual({ purged: 1 });
    expect(q.quarantined().map((i) => i.id)).not.toContain(b.id);
    // nothing left: refused before any signature would be asked for
    expect((await call('POST', '/buffers/uplink/quarantine/purge', { reason: 'again' })).status).toBe(409);
    expect((await call('POST', '/buffers/uplink/quarantine/replay', { ids: [42] })).status).toBe(400);
    const entries = trail.query({ target: 'buffer:uplink' }).entries;
    expect(entries.map((e) => e.action).sort()).toEqual(['buffers.quarantine.purge', 'buffers.quarantine.replay']);
    const purge = entries.find((e) => e.action === 'buffers.quarantine.purge')!;
    expect(purge).toMatchObject({ reason: 'subject outside the ACL: resent by hand', newValue: { purged: 1 } });
    expect(purge.previousValue).toMatchObject({ envelopes: 1, samples: 5, listed: [{ id: b.id, subject: 'hist.a', count: 5, reason: 'not allowed' }] });
  });

  it('pause and resume are recorded in the audit trail', async () => {
    const { call, trail } = await app('ENGINEER');
    expect((await call('POST', '/buffers/uplink/pause')).body).toEqual({ paused: true });
    expect((await call('GET', '/buffers')).body.buffers[0].paused).toBe(true);
    expect((await call('POST', '/buffers/uplink/resume')).body).toEqual({ paused: false });
    const entries = trail.query({ target: 'buffer:uplink' }).entries;
    expect(entries.map((e) => [e.action, e.username, e.newValue]).sort()).toEqual([['buffers.pause', 'u', { paused: true }], ['buffers.resume', 'u', { paused: false }]]);
  });

  it('a purge is a critical action: without a signature it is refused with 428 and deletes nothing', async () => {
    const { call, q, b } = await app('ENGINEER', true);
    const r = await call('POST', '/buffers/uplink/quarantine/purge', { ids: [b.id], reason: 'not needed' });
    expect(r.status).toBe(428);
    expect(r.body).toMatchObject({ action: 'buffers.quarantine.purge', target: 'buffer:uplink' });
    expect(q.quarantined().map((i) => i.id)).toContain(b.id);
  });
});
