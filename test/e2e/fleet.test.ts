// The Fleet page against the running distribution as a central (HISTORIAN_FLEET_MONITOR)
// with a real nats-server and three gateways (store-forward instances publishing their
// heartbeat) on two sites: a stopped gateway turns offline within the configured time and
// raises its "offline" system alarm; started again it is online and the alarm clears. The
// page is filtered by site, screenshotted at 1440×900, 1024×600 and 390×844 and checked
// with axe-core (no serious or critical violations).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { startNats, type NatsServer } from '../helpers/nats';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { StoreForward } from '../../runtime/uplink/store-forward';
import { fleetAlarmId } from '../../runtime/fleet/fleet-alarms';

const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
const OFFLINE_SECONDS = 3;
const GATEWAYS = [{ id: 'gw-izmir-1', site: 'acme.izmir' }, { id: 'gw-izmir-2', site: 'acme.izmir' }, { id: 'gw-bursa-1', site: 'acme.bursa' }];

let nats: NatsServer;
let dist: Distribution;
let browser: Browser;
let token: string;
let dir: string;
const running = new Map<string, StoreForward>();

function startGateway(g: { id: string; site: string }): StoreForward {
  const sf = StoreForward.open({
    dir: join(dir, g.id), source: g.id, uplink: { type: 'nats', servers: nats.url },
    heartbeat: { site: g.site, intervalMs: 500, version: 'test-gw' },
  });
  running.set(g.id, sf);
  return sf;
}

async function api<T = any>(path: string): Promise<T> {
  const r = await dist.request(path, { token });
  const text = await r.text();
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}
const alarm = async (id: string) => (await api('/api/v1/alarms?all=true')).alarms.find((a: { id: string }) => a.id === id);

async function checkView(page: Page, name: string): Promise<void> {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    await saveScreenshot(page, `fleet-${name}-${vp.width}x${vp.height}`);
  }
  await page.setViewportSize(VIEWPORTS[0]);
  const result = await new AxeBuilder({ page }).include({ fromShadowDom: ['historian-app', 'historian-fleet'] }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  expect(bad, `axe on ${name}`).toEqual([]);
}

beforeAll(async () => {
  nats = await startNats();
  dir = await makeTempDir('fleet-e2e-');
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, '[]');
  [dist, browser] = await Promise.all([
    startDistribution({ dataDir: join(dir, 'data'), env: {
      HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_NATS_URL: nats.url, HISTORIAN_FLEET_MONITOR: 'true', HISTORIAN_FLEET_OFFLINE_SECONDS: String(OFFLINE_SECONDS),
    } }),
    launchChromium(),
  ]);
  token = await dist.login();
  for (const g of GATEWAYS) startGateway(g);
});
afterAll(async () => {
  for (const sf of running.values()) await sf.close();
  await browser?.close();
  await dist?.stop();
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('Fleet page', () => {
  it('shows the gateways by site; a stopped gateway turns offline and raises its alarm, restarted it clears both', async () => {
    const page = await (await browser.newContext({ viewport: VIEWPORTS[0] })).newPage();
    await page.goto(dist.url + '/');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.click('[data-nav=fleet]');
    const table = page.locator('[data-testid=fleet-gateways]');
    for (const g of GATEWAYS) await table.locator(`tr[data-gateway=${g.id}] [data-field=state]`, { hasText: 'online' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=fleet-summary]', { hasText: '3 of 3 gateways online' }).waitFor();
    await expect.poll(async () => (await alarm(fleetAlarmId('gw-izmir-2', 'offline')))?.conditionActive, { timeout: 10_000 }).toBe(false)
      .catch(async (e) => { throw new Error(`${e.message}\n${JSON.stringify((await api('/api/v1/alarms')).alarms.map((a: any) => a.id))}\n${dist.proc.logs().slice(-3000)}`); });
    await checkView(page, 'all-online');

    // site filter
    await page.locator('[data-testid=fleet-site]').selectOption('acme.bursa');
    await table.locator('tr[data-gateway=gw-izmir-1]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await table.locator('tbody tr').count()).toBe(1);
    const bursa = await api('/api/v1/fleet/gateways?site=acme.bursa');
    expect(bursa.gateways.map((g: { id: string }) => g.id)).toEqual(['gw-bursa-1']);
    await page.locator('[data-testid=fleet-site]').selectOption('');
    await table.locator('tr[data-gateway=gw-izmir-2]').waitFor({ timeout: 10_000 });

    // stop one gateway: offline within the configured time (plus one refresh), alarm raised
    await running.get('gw-izmir-2')!.close();
    running.delete('gw-izmir-2');
    const stoppedAt = Date.now();
    await table.locator('tr[data-gateway=gw-izmir-2] [data-field=state]', { hasText: 'offline' }).waitFor({ timeout: (OFFLINE_SECONDS + 5) * 1000 });
    const seenOfflineAfter = Date.now() - stoppedAt;
    expect(seenOfflineAfter).toBeGreaterThanOrEqual(OFFLINE_SECONDS * 1000 - 600);
    await expect.poll(async () => alarm(fleetAlarmId('gw-izmir-2', 'offline')), { timeout: 5_000 })
      .toMatchObject({ conditionActive: true, priority: 'high' });
    expect((await alarm(fleetAlarmId('gw-izmir-1', 'offline'))).conditionActive).toBe(false);
    await page.locator('[data-testid=fleet-summary]', { hasText: '2 of 3 gateways online, 1 offline' }).waitFor();
    await checkView(page, 'one-offline');
    await page.click('[data-nav=alarms]');
    await page.locator('text=Gateway gw-izmir-2 (acme.izmir) offline').first().waitFor({ timeout: 10_000 });
    await saveScreenshot(page, 'fleet-alarm-console-offline-1440x900');

    // start it again: online, alarm condition cleared
    startGateway(GATEWAYS[1]);
    await page.click('[data-nav=fleet]');
    await table.locator('tr[data-gateway=gw-izmir-2] [data-field=state]', { hasText: 'online' }).waitFor({ timeout: 15_000 });
    await expect.poll(async () => (await alarm(fleetAlarmId('gw-izmir-2', 'offline')))?.conditionActive, { timeout: 10_000 }).toBe(false);
    await page.locator('[data-testid=fleet-summary]', { hasText: '3 of 3 gateways online' }).waitFor();
    await page.context().close();
  });
});
