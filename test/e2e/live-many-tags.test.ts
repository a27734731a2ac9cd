// The Live view of a plant with more tags than an address can list: 1,200 slow tags with
// ISA-95 paths, each logged once, half an hour ago, and not since (on-change tags of a quiet
// plant). No live sample arrives for them, so every value on the page comes from the view's
// own query of the latest stored values; asked in one address (~90 kB) the server refused it
// (431) and the page stayed empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';

const N = 1200;
const tagOf = (i: number) => `acme.izmir.plant2.utilities.area${i % 4}.line${i % 9}.unit${String(i).padStart(4, '0')}.supply_temperature`;
const valueOf = (i: number) => 20 + (i % 50) / 10;

let dist: Distribution;
let browser: Browser;

beforeAll(async () => {
  const flow = [
    { id: 'm-tab', type: 'tab', label: 'Many tags' },
    { id: 'm-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 50 },
  ];
  [dist, browser] = await Promise.all([startDistribution({ flow }), launchChromium()]);
  const token = await dist.login();
  const ts = Date.now() - 30 * 60_000;
  const items = Array.from({ length: N }, (_, i) => ({ tag: tagOf(i), timestamp: ts, value: valueOf(i) }));
  const r = await dist.request('/api/v1/metrics', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(items) });
  expect(r.status).toBe(202);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

describe('Live view with many tags', () => {
  it('lists the latest stored value of every one of 1,200 tags that send nothing live, with its sparkline', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const refused: string[] = [];
    page.on('response', (res) => { if (res.url().includes('/api/v1/query') && res.status() >= 400) refused.push(`${res.status()} ${res.url().slice(0, 80)}`); });
    await page.goto(`${dist.url}/`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.goto(`${dist.url}/#/live`);
    await page.locator('[role=status]', { hasText: `${N} tags live` }).waitFor({ timeout: 30_000 });
    // the first and the last tag of the list: the value stored half an hour ago
    for (const i of [0, N - 1]) {
      const row = page.locator(`[data-testid=live-table] tr[data-tag="${tagOf(i)}"]`);
      expect(await row.locator('[data-testid=value]').textContent()).toContain(valueOf(i).toFixed(1));
    }
    // the sparklines of the last hour are read in lists too: the last tag's has its point
    await expect.poll(() => page.locator(`tr[data-tag="${tagOf(N - 1)}"] historian-sparkline path`).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(refused).toEqual([]);
    await page.close();
  });
});
