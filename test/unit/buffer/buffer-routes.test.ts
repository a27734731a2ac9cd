import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableQueue } from '../../../runtime/buffer';
import type { BufferComponent } from '../../../runtime/buffer/component';
import { ROLE_PERMISSIONS } from '../../../runtime/auth/permissions';
import { mountRoutes, type Principal } from '../../../runtime/server/api/route';
import { bufferRoutes } from '../../../runtime/server/routes/buffer-routes';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0)) await c(); });

async function app(role: 'OPERATOR' | 'ENGINEER') {
  const dir = await makeTempDir('historian-buffer-routes-');
  const q = DurableQueue.open({ dir, journal: 'always' });
  cleanup.push(async () => { q.close(); await removeTempDir(dir); });
  for (let i = 0; i < 3; i++) await q.push({ source: 'gw', subject: 'hist.a', count: 5, body: Buffer.from(`b${i}`) });
  const [a, b] = q.take(2);
  q.quarantine(a, 'too large');
  q.quarantine(b, 'not allowed');
  const comp: BufferComponent = {
    status: () => ({ ...q.stats(), connected: false, paused: false, oldestAgeMs: 1, sent: 0, sentSamples: 0, sentPerSecond: 0, retries: 3, lastError: null }) as never,
    quarantined: () => q.quarantined(), replayQuarantine: (ids) => q.replayQuarantine(ids), purgeQuarantine: (ids) => q.purgeQuarantine(ids),
  };
  const principal: Principal = { kind: 'user', userId: '1', username: 'u', name: 'U', role, permissions: ROLE_PERMISSIONS[role], expiresAt: null, mustChangePassword: false, allowsTag: () => true };
  const router = express.Router();
  router.use(express.json());
  mountRoutes(router, bufferRoutes({ buffers: () => [['uplink', comp], ['other', {}]] }), async () => principal);
  const server = express().use('/api/v1', router).listen(0);
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(base + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json() as any };
  };
  return { call, q, a, b };
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

  it('replays and purges quarantined entries', async () => {
    const { call, q, a, b } = await app('ENGINEER');
    expect((await call('POST', '/buffers/uplink/quarantine/replay', { ids: [a.id] })).body).toEqual({ replayed: 1 });
    expect(q.stats().pending).toBe(2);
    expect(q.take(5).map((e) => e.id)).toContain(a.id);
    expect((await call('POST', '/buffers/uplink/quarantine/purge', {})).body).toEqual({ purged: 1 });
    expect(q.quarantined().map((i) => i.id)).not.toContain(b.id);
    expect((await call('POST', '/buffers/uplink/quarantine/replay', { ids: [42] })).status).toBe(400);
  });
});
