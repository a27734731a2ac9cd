// GET /tags/:tag/stats over a real store registered like a flow's store (express on
// loopback): stored samples, the recent rate, the last value and the bytes estimate once
// blocks exist; and the health report's store figures (samples/s between two looks).
import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../../runtime/auth/permissions';
import { SystemHealth } from '../../../runtime/health/system-health';
import { services } from '../../../runtime/registry';
import { mountRoutes, type Principal } from '../../../runtime/server/api/route';
import { tagStatsRoutes } from '../../../runtime/server/routes/tag-stats-routes';
import { StoreHandle } from '../../../runtime/tsdb/store-handle';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

const TAG = 'acme.izmir.plant1.line1.pump1.flow';
const MIN = 60_000;

async function setup(now: number) {
  const dir = await makeTempDir('historian-tag-stats-');
  cleanup.push(() => removeTempDir(dir));
  const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, outOfOrderWindowMs: 365 * 24 * 60 * MIN, clock: () => now });
  cleanup.push(() => store.close());
  const handle = new StoreHandle('stats-test', Promise.resolve(store));
  await handle.ready;
  cleanup.push(services().components.stores.register('stats-test', handle));
  const principal: Principal = { kind: 'user', userId: '1', username: 'u', name: 'U', role: 'OPERATOR', permissions: ROLE_PERMISSIONS.OPERATOR, expiresAt: null, mustChangePassword: false, allowsTag: (t) => t.startsWith('acme.') };
  const router = express.Router();
  mountRoutes(router, tagStatsRoutes(() => now), async () => principal);
  const server = express().use('/api/v1', router).listen(0);
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const get = async (p: string) => { const r = await fetch(base + p); return { status: r.status, body: await r.json() as any }; };
  return { store, get, handle };
}

describe('tag stats', () => {
  it('counts stored samples, the last-hour rate and the last value; estimates bytes once samples are in blocks', async () => {
    const now = Date.UTC(2026, 11, 5, 12, 0, 0);
    const { store, get } = await setup(now);
    // two hours of history at one sample per 10 s, then the last hour at one per second
    const samples = [];
    for (let t = now - 3 * 60 * MIN; t < now - 60 * MIN; t += 10_000) samples.push({ tag: TAG, ts: t, value: 1, quality: 0 });
    for (let t = now - 60 * MIN; t < now; t += 1000) samples.push({ tag: TAG, ts: t, value: (t / 1000) % 100, quality: 0 });
    await store.write(samples);
    let r = await get(`/tags/${TAG}/stats?store=stats-test`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tag: TAG, samples: samples.length, headSamples: samples.length, approxBytes: 0, bytesPerSample: null });
    // chunks straddling the hour boundary count by time share: an estimate within 10 %
    expect(r.body.samplesPerSecond).toBeGreaterThan(0.9);
    expect(r.body.samplesPerSecond).toBeLessThan(1.1);
    expect(r.body.latest).toMatchObject({ ts: now - 1000, value: ((now - 1000) / 1000) % 100 });
    await store.flush();
    r = await get(`/tags/${TAG}/stats?store=stats-test`);
    expect(r.body.headSamples).toBe(0);
    expect(r.body.bytesPerSample).toBeGreaterThan(0);
    expect(r.body.approxBytes).toBe(Math.round(samples.length * r.body.bytesPerSample));
  });

  it("404 for an unknown tag, 403 outside the caller's tag pattern", async () => {
    const { get } = await setup(Date.now());
    expect((await get(`/tags/${TAG}/stats?store=stats-test`)).status).toBe(404);
    expect((await get('/tags/other.site.x/stats?store=stats-test')).status).toBe(403);
  });
});

describe('health report: stores', () => {
  it('reports samples/s between two looks at least a second apart, series, head samples and disk use', async () => {
    let now = Date.UTC(2026, 11, 5, 12, 0, 0);
    const { store, handle } = await setup(now);
    const health = new SystemHealth({
      stores: () => [['stats-test', handle]], buffers: () => [], tiers: () => [], devices: () => [], audit: () => null, links: () => [],
      dataDir: store.dir, version: 't', clock: () => now,
    });
    expect(health.collect().stores[0]).toMatchObject({ name: 'stats-test', open: true, samplesPerSecond: null, series: 0 });
    await store.write(Array.from({ length: 500 }, (_, i) => ({ tag: `acme.a.b${i % 5}`, ts: now + i, value: i, quality: 0 })));
    now += 2000;
    const s = health.collect().stores[0];
    expect(s).toMatchObject({ samplesPerSecond: 250, series: 5, headSamples: 500 });
    expect(s.diskBytes).toBeGreaterThan(0);
  });
});
