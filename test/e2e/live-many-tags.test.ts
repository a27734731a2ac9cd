// The Live view of a plant with more tags than an address can list: 1,200 slow tags with
// ISA-95 paths, each logged once, half an hour ago, and not since (on-change tags of a quiet
// plant). No live sample arrives for them, so every value on the page comes from the view's
// own query of the latest stored values; asked in one address (~90 kB) the server refused it
// (431) and the page stayed empty. The page draws the first part of such a list until it is
// filtered or all rows are asked for.
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
  it('lists the latest stored value of every one of 1,200 tags that send nothing live, with its sparkline; draws a first part until filtered', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const refused: string[] = [];
    page.on('response', (res) => { if (res.url().includes('/api/v1/query') && res.status() >= 400) refused.push(`${res.status()} ${res.url().slice(0, 80)}`); });
    // the tags whose last hour (sparkline) the page reads
    const sparkTags = new Set<string>();
    page.on('request', (req) => {
      const body = req.method() === 'POST' && req.url().endsWith('/api/v1/query') ? JSON.parse(req.postData() ?? '{}') as { kind?: string; tags?: string[] } : null;
      if (body?.kind === 'aligned') for (const t of body.tags ?? []) sparkTags.add(t);
    });
    await page.goto(`${dist.url}/`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.goto(`${dist.url}/#/live`);
    await page.locator('[role=status]', { hasText: `${N} tags live` }).waitFor({ timeout: 30_000 });
    const value = (i: number) => page.locator(`[data-testid=live-table] tr[data-tag="${tagOf(i)}"] [data-testid=value]`).textContent();
    expect(await value(0)).toContain(valueOf(0).toFixed(1));
    // thousands of rows are not all drawn at once: the page says how many it shows and how to find the others
    const more = page.getByTestId('live-more');
    const drawn = Number(/Showing the first (\d+) of 1200 tags/.exec((await more.textContent()) ?? '')?.[1]);
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThan(N);
    expect(await page.locator('[data-testid=live-table] tr[data-tag]').count()).toBe(drawn);
    // sparklines are read for the drawn rows only, not for every tag of the plant
    await expect.poll(() => sparkTags.has(tagOf(0))).toBe(true);
    expect(sparkTags.size).toBeLessThanOrEqual(drawn);
    expect(sparkTags.has(tagOf(N - 1))).toBe(false);
    // the filter finds the last tag, with its stored value and the sparkline of its last hour
    await page.getByPlaceholder('Filter tags or descriptions').fill(`unit${String(N - 1).padStart(4, '0')}`);
    await page.locator('[role=status]', { hasText: `1 of ${N} tags in 1 equipment group ·` }).waitFor();
    expect(await value(N - 1)).toContain(valueOf(N - 1).toFixed(1));
    await expect.poll(() => page.locator(`tr[data-tag="${tagOf(N - 1)}"] historian-sparkline path`).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await more.count()).toBe(0);
    // asked for, every row is drawn
    await page.getByPlaceholder('Filter tags or descriptions').fill('');
    await more.getByRole('button', { name: `show all ${N}` }).click();
    await expect.poll(() => page.locator('[data-testid=live-table] tr[data-tag]').count()).toBe(N);
    expect(await value(N - 1)).toContain(valueOf(N - 1).toFixed(1));
    expect(refused).toEqual([]);
    await page.close();
  });
});
