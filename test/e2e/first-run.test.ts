// The product as a new user meets it: `npm start` (scripts/start.js) on a fresh data
// directory with default settings, then the dashboard in Chromium. Within three minutes
// of starting it shows live values with units, a calculated tag updating, a process alarm
// raised by the simulator that an operator acknowledges, the twin's predicted band on its
// trend, a 7-day trend with backfilled history, the Plant overview as home page, and no
// system alarm. Checks go through the API where they can (the operator views are being
// redesigned) plus a few stable DOM checks and a screenshot of the overview
// (test/artifacts/screenshots; with UPDATE_SCREENSHOTS=1 also docs/img/plant-overview.png
// and docs/img/frames-trips.png, the README's pictures).
import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDistribution, ADMIN_PASSWORD, REPO_ROOT, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { waitFor } from '../helpers/wait';
import { createUser } from '../helpers/signing';

const P = 'acme.izmir.plant1';
const PUMP1 = `${P}.line1.cell1.pump1`;
const OPERATOR = { username: 'olga', password: 'Control-Room-2026!', name: 'Olga Operator' };
const DAY = 86_400_000;

let dist: Distribution;
let browser: Browser;
let admin: string;
let startedAt = 0;
let readyAfterMs = 0;

interface AlarmView { id: string; tag: string; state: string; priority: string; acknowledged: boolean; message: string }

async function json<T = any>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const r = await dist.request(path, { token: admin, ...init });
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

/** Every <historian-trend> in the page, through the shadow roots, as its chart sees it. */
function trends(page: Page): Promise<Array<{ series: string[]; bands: number; data: Array<Array<number | null | undefined>>; grid: string }>> {
  return page.evaluate(() => {
    const found: any[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        if (el.tagName === 'HISTORIAN-TREND') found.push(el);
        if ((el as Element).shadowRoot) walk((el as Element).shadowRoot!);
      }
    };
    walk(document);
    return found.filter((t) => t.chart).map((t) => ({
      series: t.chart.series.map((s: any) => String(s.label ?? '')),
      bands: (t.chart.bands ?? []).length,
      // null: a gap (the historian stopped); undefined: a row of another pen
      data: t.chart.data.map((col: any) => Array.from(col as ArrayLike<number | null | undefined>)),
      grid: ((g: any) => (typeof g === 'function' ? g(t.chart, 0) : g))(t.chart.axes[0].grid.stroke),
    }));
  });
}

/** A README picture (docs/img), refreshed on request only, so a test run leaves the work tree clean. */
function publish(shot: string, name: string): void {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(join(REPO_ROOT, 'docs', 'img'), { recursive: true });
  copyFileSync(shot, join(REPO_ROOT, 'docs', 'img', name));
}

/** A page where the operator has logged in at `hash` (the login form shows there first). */
async function operatorPage(viewport: { width: number; height: number }, hash = ''): Promise<Page> {
  // a page of its own context (axe opens a page beside it), closed with it
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.once('close', () => { ctx.close().catch(() => undefined); }); // the browser may be closing too (afterAll)
  await page.goto(dist.url + '/' + hash);
  await page.fill('input[name=username]', OPERATOR.username);
  await page.fill('input[name=password]', OPERATOR.password);
  await page.click('button[type=submit]');
  return page;
}

beforeAll(async () => {
  startedAt = Date.now();
  // `npm start` runs scripts/start.js: build when stale, then the server; default settings
  // apart from port, data directory and a chosen admin password
  [dist, browser] = await Promise.all([
    startDistribution({ entry: join(REPO_ROOT, 'scripts', 'start.js'), readyTimeoutMs: 60_000 }),
    launchChromium(),
  ]);
  readyAfterMs = Date.now() - startedAt;
  admin = await dist.login();
  // signed, as an administrator creates accounts; the operator's own password is in place
  await createUser(dist, admin, { ...OPERATOR, role: 'OPERATOR' });
});

afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

describe('first run of the assembled product', () => {
  it('starts quietly: URLs, data directory, no deprecation banner or credentials warning', () => {
    const out = dist.proc.logs();
    console.log(`first start: /ready after ${readyAfterMs} ms (including the browser launch in parallel)`);
    expect(out).toContain('[historian] ready: dashboard http://127.0.0.1:');
    expect(out).toContain(`(data ${dist.dataDir})`);
    expect(out).toContain('installed the demo plant flows');
    expect(out).not.toMatch(/deprecated/i);
    expect(out).not.toContain('Encrypted credentials not found');
    expect(out).not.toMatch(/\[error\]/);
  });

  it('shows live values with units and a calculated tag that keeps updating', async () => {
    const temp = await waitFor(async () => {
      const m = await json(`/api/v1/tags/${PUMP1}.temperature`);
      return m.unit && m.latest && Date.now() - m.latest.ts < 10_000 ? m : null;
    }, { timeoutMs: 60_000, intervalMs: 500, what: 'a fresh pump 1 temperature with its unit' });
    expect(temp).toMatchObject({ unit: '°C', interpolation: 'linear', spanLow: 0, spanHigh: 100, description: 'Bearing temperature, line 1 pump 1' });
    expect(await json(`/api/v1/tags/${PUMP1}.trip`)).toMatchObject({ interpolation: 'step', states: ['healthy', 'tripped'] });
    const calc = `${P}.line1.flow_total`;
    expect(await json(`/api/v1/tags/${calc}`)).toMatchObject({ unit: 'm3/h', description: 'Line 1 total flow' });
    const latest = async () => (await json(`/api/v1/query?kind=latest&tags=${calc}`)).samples[0] as { ts: number; value: number } | undefined;
    const first = (await waitFor(latest, { timeoutMs: 20_000, what: `${calc} computed` }))!;
    const later = (await waitFor(async () => { const l = await latest(); return l && l.ts > first.ts ? l : null; }, { timeoutMs: 10_000, what: `${calc} updated` }))!;
    expect(later.ts).toBeGreaterThan(first.ts);
  });

  it('has a week of backfilled history behind the live values', async () => {
    const q = new URLSearchParams({ kind: 'downsample', tag: `${PUMP1}.flow`, from: 'now-7d', to: 'now', points: '500', mode: 'minmax' });
    const body = await json(`/api/v1/query?${q}`);
    const ts: number[] = body.ts ?? body.points?.map((p: { ts: number }) => p.ts) ?? body.samples?.map((p: { ts: number }) => p.ts);
    expect(ts.length).toBeGreaterThan(100);
    expect(Math.min(...ts)).toBeLessThan(Date.now() - 6.5 * DAY);
  });

  it('opens the Plant overview after login, with the twin\'s band and a 7-day trend drawn from history', async () => {
    // the twin predicts once live samples flow (after the history backfill)
    await waitFor(async () => (await json(`/api/v1/query?kind=latest&tags=${PUMP1}.temperature.predicted.lo`)).samples.length > 0,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the twin\'s first prediction' });
    // every tag the demo plant has written says what it is, the twin's own tags included
    const all = (await json('/api/v1/tags')).tags as Array<{ tag: string; description?: string }>;
    expect(all.some((t) => t.tag.endsWith('.temperature.confidence'))).toBe(true);
    expect(all.filter((t) => !t.description).map((t) => t.tag)).toEqual([]);
    const page = await operatorPage({ width: 1440, height: 900 });
    await page.waitForURL(/#\/layouts\?id=/, { timeout: 15_000 });
    await expect.poll(() => page.locator('select[aria-label=layout] option:checked').textContent(), { timeout: 10_000 }).toContain('Plant overview');
    await page.locator('[data-testid=value]', { hasText: '°C' }).first().waitFor({ timeout: 20_000 });
    // the temperature trend carries the prediction and its band, with values in them
    await expect.poll(async () => {
      const t = (await trends(page)).find((x) => x.series.includes(`${PUMP1}.temperature.predicted.hi`));
      if (!t || t.bands < 1) return 0;
      const lo = t.data[t.series.indexOf(`${PUMP1}.temperature.predicted.lo`)];
      return lo.filter((v) => v !== null && Number.isFinite(v)).length;
    }, { timeout: 30_000 }).toBeGreaterThan(5);
    // the weekly trend reaches back six days and more, from the backfill
    await expect.poll(async () => {
      const t = (await trends(page)).find((x) => x.series.includes(`${PUMP1}.flow`) && x.series.includes(`${P}.line2.cell1.pump1.flow`));
      return t ? t.data[0].filter((x) => x !== null && (x as number) * 1000 < Date.now() - 6 * DAY).length : 0;
    }, { timeout: 30_000 }).toBeGreaterThan(20);
    await saveScreenshot(page, 'first-run-plant-overview-1440x900');
    // the pressure bar's scale and value are text beside the stretched bar, not inside it
    const bar = page.locator('historian-gauge [data-testid=gauge] .scale');
    await expect.poll(() => bar.textContent()).toMatch(/^\s*0\s*[\d.]+ bar\s*10\s*$/);
    // the dark theme chosen with the charts on screen redraws them in its colours (charts
    // built before the switch kept the light grid), and the bar's track follows
    const themed = (name: string) => page.evaluate((n) => {
      const probe = document.createElement('i');
      probe.style.color = `var(${n})`;
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    }, name);
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    const lightGrid = await themed('--grid');
    await page.click('[data-action=theme]');
    const darkGrid = await themed('--grid');
    expect(darkGrid).not.toBe(lightGrid);
    await expect.poll(async () => (await trends(page)).map((t) => rgb(t.grid))).toEqual([darkGrid, darkGrid]);
    const track = page.locator('historian-gauge rect.track');
    expect(await track.evaluate((e) => getComputedStyle(e).fill)).toBe(await themed('--gauge-track'));
    await saveScreenshot(page, 'first-run-plant-overview-dark-1440x900');
    await page.click('[data-action=theme]');
    await expect.poll(async () => (await trends(page)).map((t) => rgb(t.grid))).toEqual([lightGrid, lightGrid]);
    await page.close();
  });

  it('the home page as a whole passes axe at 1440, 1024 and 390 px: its two trends\' legends are named apart, text that scrolls is reachable, one level-one heading', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }]) {
      const page = await operatorPage(viewport);
      await page.waitForURL(/#\/layouts\?id=/, { timeout: 15_000 });
      await page.locator('[data-testid=value]', { hasText: '°C' }).first().waitFor({ timeout: 20_000 });
      await expect.poll(() => page.locator('historian-trend-legend [role=region]').count(), { timeout: 20_000 }).toBe(2);
      const names = await page.locator('historian-trend-legend [role=region]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      expect(new Set(names).size, String(names)).toBe(2);
      expect(names.every((n) => n?.startsWith('legend of '))).toBe(true);
      // the page's heading stays for screen readers where the header has no room to show it
      expect(await page.locator('historian-app header h1').textContent()).toBe('Historian');
      const r = await new AxeBuilder({ page }).analyze();
      expect(r.violations.map((v) => `${viewport.width}: ${v.id} ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`)).toEqual([]);
      await saveScreenshot(page, `first-run-home-axe-${viewport.width}x${viewport.height}`);
      await page.close();
    }
  });

  it('lists the past month\'s pump trips as event frames, recorded from the history it wrote', async () => {
    // the simulator's "history written" message makes the event-frame node replay that history
    const trips = (await waitFor(async () => {
      const { frames } = await json<{ frames: Array<{ name: string; start: number; end: number | null; source: string; attributes: Record<string, number> }> }>('/api/v1/frames?template=trip&from=now-31d&limit=2000');
      const old = frames.filter((f) => f.start < startedAt - DAY);
      return old.length > 100 ? frames : null;
    }, { timeoutMs: 60_000, intervalMs: 500, what: 'trip frames from the backfilled history' }))!;
    // a trip every ~5 h per pump over 30 days, on each of the six pumps
    const pumps = new Set(trips.map((f) => f.source));
    expect(pumps.size).toBe(6);
    expect(Math.min(...trips.map((f) => f.start))).toBeLessThan(startedAt - 28 * DAY);
    for (const f of trips) {
      expect(f.end, f.name).not.toBeNull();
      expect(f.end! - f.start).toBeGreaterThanOrEqual(5_000);
      expect(typeof f.attributes.tempBefore).toBe('number');
    }
    // the flow before the trip (setpoints 40-80 m3/h), not the trip instant's already falling one
    const before = trips.map((f) => f.attributes.flowBefore).sort((a, b) => a - b);
    expect(before[Math.floor(before.length / 2)]).toBeGreaterThan(30);
    const page = await operatorPage({ width: 1440, height: 900 });
    await page.waitForURL(/#\/layouts\?id=/, { timeout: 15_000 });
    await page.goto(dist.url + '/#/frames');
    await page.locator('tbody tr', { hasText: 'trip' }).first().waitFor({ timeout: 15_000 });
    expect(await page.locator('tbody tr', { hasText: /Line \d pump \d trip/ }).count()).toBeGreaterThan(10);
    // a month of trips is more than one search lists: the view says it shows the newest
    await expect.poll(() => page.getByTestId('frames-limit').textContent()).toContain('the newest 200');
    // trips of different pumps overlay each pump's own flow by default
    const rows = page.locator('[data-testid=frames-table] tbody tr');
    const picked = new Set<string>();
    for (let i = 0; picked.size < 3; i++) {
      const name = (await rows.nth(i).locator('td').nth(1).textContent())!.trim();
      if (picked.has(name)) continue;
      picked.add(name);
      await rows.nth(i).locator('input[type=checkbox]').check();
    }
    expect(await page.locator('#ov-tag option:checked').textContent()).toBe("flow (each frame's own)");
    await page.getByTestId('overlay-run').click();
    const drawn = () => page.evaluate(`(() => { const o = document.querySelector('historian-app').shadowRoot.querySelector('historian-frames-view').shadowRoot.querySelector('historian-frame-overlay');
      return o.data ? o.data.frames.map((f) => [f.name, f.tag]) : null; })()`) as Promise<Array<[string, string]> | null>;
    await expect.poll(drawn).not.toBeNull();
    for (const [name, tag] of (await drawn())!) {
      const [, line, pump] = /Line (\d) pump (\d)/.exec(name)!;
      expect(tag).toBe(`${P}.line${line}.cell1.pump${pump}.flow`);
    }
    for (const [w, h] of [[1440, 900], [1024, 600], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      const shot = await saveScreenshot(page, `first-run-frames-${w}x${h}`);
      if (w === 1440) publish(shot, 'frames-trips.png');
    }
    await page.close();
  });

  it('raises a process alarm from the simulator that an operator acknowledges on the console', async () => {
    const raised = (await waitFor(async () => {
      const { alarms } = await json<{ alarms: AlarmView[] }>(`/api/v1/alarms?area=${P}.>`);
      return alarms.find((a) => !a.acknowledged) ?? null;
    }, { timeoutMs: Math.max(10_000, 180_000 - (Date.now() - startedAt)), intervalMs: 1000, what: 'a process alarm within 3 minutes of start' }))!;
    const page = await operatorPage({ width: 1440, height: 900 }, '#/alarms');
    const row = page.locator('[data-testid=alarm-table] tr', { hasText: raised.message });
    await row.locator('[data-action=ack]').click({ timeout: 20_000 });
    const after = (await waitFor(async () => {
      const { alarms } = await json<{ alarms: AlarmView[] }>(`/api/v1/alarms?all=true&area=${P}.>`);
      const a = alarms.find((x) => x.id === raised.id);
      return a?.acknowledged ? a : null;
    }, { timeoutMs: 10_000, what: `${raised.id} acknowledged` }))!;
    expect(['C', 'A']).toContain(after.state);
    const journal = await json<{ entries: Array<{ alarmId: string; event: string; user: string | null }> }>(`/api/v1/alarms/journal?limit=200`);
    expect(journal.entries.some((e) => e.alarmId === raised.id && e.event === 'ack' && e.user === OPERATOR.username)).toBe(true);
    await saveScreenshot(page, 'first-run-alarm-console-1440x900');
    await page.close();
  });

  it('editor: the Plant, Uplink, Archive and Audit tabs; unconfigured uplinks and archive say so and nothing errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('uplink-nats')?.status?.text, undefined, { timeout: 30_000 });
    const seen = await page.evaluate(() => {
      const RED = (window as any).RED;
      const tabs: string[] = [];
      RED.nodes.eachWorkspace((w: any) => { tabs.push(w.label); });
      const status = (id: string) => RED.nodes.node(id)?.status?.text;
      return { tabs, comments: RED.nodes.filterNodes({ type: 'comment' }).length, nats: status('uplink-nats'), mqtt: status('uplink-mqtt'), s3: status('archive-mover') };
    });
    expect(seen).toEqual({
      tabs: ['Plant', 'Uplink', 'Archive', 'Audit'], comments: 4,
      nats: 'not configured: set HISTORIAN_NATS_URL', mqtt: 'not configured: set HISTORIAN_MQTT_URL', s3: 'not configured: set HISTORIAN_S3_BUCKET',
    });
    await saveScreenshot(page, 'first-run-editor-plant-1440x900');
    await page.close();
  });

  it('shows no system alarm: the console lists only alarms that are not Normal', async () => {
    const { alarms } = await json<{ alarms: AlarmView[] }>('/api/v1/alarms');
    expect(alarms.filter((a) => a.tag.startsWith('sys.'))).toEqual([]);
    expect(alarms.every((a) => a.state !== 'A')).toBe(true);
    // the system alarms exist and rest in Normal: listed only on request
    const all = await json<{ alarms: AlarmView[] }>('/api/v1/alarms?all=true&area=sys.>');
    expect(all.alarms.map((a) => a.id)).toContain('sys.historian.audit:DISCRETE');
    expect(all.alarms.filter((a) => a.state !== 'A')).toEqual([]);
    const page = await operatorPage({ width: 1024, height: 600 }, '#/alarms');
    // the active list has loaded (rows or its empty text), and no system alarm is on it
    await page.locator('[data-testid=alarm-table], historian-alarm-console .empty').first().waitFor({ timeout: 15_000 });
    expect(await page.getByText('Audit trail verification failed').count()).toBe(0);
    expect(await page.locator('[data-testid=alarm-table] tr', { hasText: 'sys.historian' }).count()).toBe(0);
    await page.close();
  });

  it('tells its story: line 1 pump 1 overheats past HI within three minutes of start (README screenshot)', async () => {
    const id = `${PUMP1}.temperature:HI`;
    await waitFor(async () => {
      const { entries } = await json<{ entries: Array<{ alarmId: string; to: string }> }>('/api/v1/alarms/journal?limit=500');
      return entries.some((e) => e.alarmId === id && e.to === 'B');
    }, { timeoutMs: Math.max(10_000, 180_000 - (Date.now() - startedAt)), intervalMs: 1000, what: `${id} within 3 minutes of start` });
    const page = await operatorPage({ width: 1440, height: 900 });
    await page.waitForURL(/#\/layouts\?id=/, { timeout: 15_000 });
    // the overview's temperature trend shows the excursion and the twin's band
    await expect.poll(async () => {
      const t = (await trends(page)).find((x) => x.series.includes(`${PUMP1}.temperature.predicted.hi`) && x.bands > 0);
      return t ? Math.max(...t.data[t.series.indexOf(`${PUMP1}.temperature`)].filter((v): v is number => typeof v === 'number')) : 0;
    }, { timeout: 30_000 }).toBeGreaterThan(60);
    // every value widget shows a value (live samples or the latest stored one)
    await expect.poll(() => page.getByText('no value').count(), { timeout: 30_000 }).toBe(0);
    publish(await saveScreenshot(page, 'first-run-plant-overview-upset-1440x900'), 'plant-overview.png');
    await page.close();
  });
});
