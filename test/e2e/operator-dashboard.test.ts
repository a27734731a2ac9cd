// The operator dashboard as an operator meets it (issue 16), in headless Chromium against
// the running distribution with real alarms from isa-alarm nodes and real signatures:
// the alarm banner on every view, the grouped overview, the trend (pens, legend, units,
// honest read-out, no-data state, URL state, no panning past now, twin band/confidence),
// every ISA-18.2 command through the one signature dialog, journal and KPIs, a phone and a
// panel PC without horizontal scrolling, themes, one sign-in for all tabs and the editor,
// compressed delivery, axe-core on every view. Screenshots at 1440x900, 1024x600, 390x844.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDashboardServer, ADMIN_PASSWORD, PLANT_TAGS, type DashboardServer } from '../integration/dashboard/dashboard-server';
import { createUser } from '../helpers/signing';

let srv: DashboardServer;
let browser: Browser;
/** uncaught errors in any page (e.g. a widget choking on quality given as a number) */
const pageErrors: string[] = [];
const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
const EQUIPMENT = 'acme.izmir.plant1.line1.cell1.pump1';
const TWIN = 'acme.izmir.plant1.line9.cell1.tank1.level';
const HOUR = 3_600_000;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startDashboardServer(), launchChromium()]);
  // metadata an integrator sets: unit, description, span (precision comes from the span)
  await srv.call('PUT', `/api/v1/tags/${PLANT_TAGS[0]}`, { unit: 'm³/h', description: 'Discharge flow', spanLow: 0, spanHigh: 100, interpolation: 'step' });
  await srv.call('PUT', `/api/v1/tags/${PLANT_TAGS[1]}`, { unit: 'bar', description: 'Discharge pressure', spanLow: 0, spanHigh: 10, interpolation: 'linear' });
  await srv.call('PUT', `/api/v1/tags/${EQUIPMENT}.running`, { valueType: 'boolean', description: 'Pump running' });
  // a twin-predicted tag over the last hour: actual, prediction with band, an excursion
  // outside the band (anomaly) and the model's confidence
  const now = Date.now();
  const rows: Array<{ tag: string; timestamp: number; value: number }> = [];
  for (let i = 0; i <= 360; i++) {
    const ts = now - HOUR + i * 10_000;
    const pred = 50 + 5 * Math.sin(i / 20);
    const actual = pred + 0.3 + (i >= 200 && i <= 210 ? 6 : 0);
    rows.push({ tag: TWIN, timestamp: ts, value: actual }, { tag: `${TWIN}.predicted`, timestamp: ts, value: pred },
      { tag: `${TWIN}.predicted.lo`, timestamp: ts, value: pred - 1.5 }, { tag: `${TWIN}.predicted.hi`, timestamp: ts, value: pred + 1.5 });
  }
  rows.push({ tag: `${TWIN}.confidence`, timestamp: now - 1000, value: 0.87 });
  await srv.call('POST', '/api/v1/metrics', rows);
  await srv.call('PUT', `/api/v1/tags/${TWIN}`, { unit: '%', description: 'Tank 1 level', interpolation: 'linear' });
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function login(page: Page, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(srv.url + '/');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
}

const trendEl = `document.querySelector('historian-app').shadowRoot.querySelector('historian-trend-view').shadowRoot.querySelector('historian-trend')`;
function xRange(page: Page): Promise<[number, number]> {
  return page.evaluate(`(() => { const t = ${trendEl}; return [t.chart.scales.x.min * 1000, t.chart.scales.x.max * 1000]; })()`) as Promise<[number, number]>;
}
const hashParams = async (page: Page) => new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1] ?? '');
/** waits for a condition (vitest's default of one second is too short for a live page) */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
}

describe('operator dashboard', () => {
  let ctx: BrowserContext;
  let page: Page;

  it('alarm banner on every view: counts by priority, newest, click-through, title', async () => {
    ctx = await browser.newContext({ viewport: VIEWPORTS[0] });
    // the dashboard's pages (the Node-RED editor is not ours to judge here)
    ctx.on('page', (p) => p.on('pageerror', (e) => { if (!p.url().includes('/editor')) pageErrors.push(`${p.url()}: ${e.message}`); }));
    page = await ctx.newPage();
    await login(page);
    const banner = page.locator('[data-testid=alarm-banner]');
    // the three pump 1 alarms are active and unacknowledged from the start
    for (const p of ['urgent', 'high', 'low']) await expect.poll(() => banner.locator(`[data-priority=${p}]`).textContent(), { timeout: 20_000 }).toContain('1');
    // the title carries the number of active unacknowledged alarms the server reports
    const unacked = async () => (await srv.call('GET', '/api/v1/alarms?state=B')).alarms.length as number;
    await poll(async () => { const n = await unacked(); return (await page.title()).startsWith(`(${n}) Historian`); }).toBe(true);
    await poll(() => banner.locator('[data-testid=banner-newest]').textContent()).toMatch(/Pump \d/);
    for (const v of ['live', 'trend', 'layouts', 'audit']) {
      await page.goto(`${srv.url}/#/${v}`);
      await banner.locator('[data-priority=urgent]').waitFor();
    }
    await banner.locator('[data-testid=banner-counts]').click();
    await poll(() => page.evaluate(() => location.hash)).toBe('#/alarms');
    await page.locator('[data-testid=alarm-table]').waitFor();
    // audible annunciation is off by default and a per-user setting that survives a reload
    const sound = banner.locator('[data-action=audible]');
    expect(await sound.getAttribute('aria-pressed')).toBe('false');
    await sound.click();
    await page.reload();
    await poll(() => page.locator('[data-testid=alarm-banner] [data-action=audible]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-testid=alarm-banner] [data-action=audible]').click();
  });

  it('overview: grouped by equipment, description, unit, one precision per tag, states as words, alarm marks', async () => {
    await page.goto(`${srv.url}/#/live`);
    const group = page.locator(`[data-testid=live-table] tbody[data-group="${EQUIPMENT}"]`);
    const flow = group.locator(`tr[data-tag="${PLANT_TAGS[0]}"]`);
    await flow.waitFor({ timeout: 20_000 });
    await poll(() => flow.textContent()).toContain('Discharge flow');
    await poll(() => flow.locator('[data-testid=value]').textContent()).toMatch(/^-?\d+\.\d\s?m³\/h$/);
    await poll(() => group.locator(`tr[data-tag="${EQUIPMENT}.running"] [data-testid=value]`).textContent()).toMatch(/^(Running|Stopped)$/);
    // the active alarm is shown on its row with its priority; a normal row has no mark
    await poll(() => flow.locator('[data-testid=row-alarm]').count()).toBe(1);
    expect(await group.locator(`tr[data-tag="${EQUIPMENT}.flow_sp"] [data-testid=row-alarm]`).count()).toBe(0);
    // the sparkline draws the last hour (the twin tag has an hour of history)
    const spark = page.locator(`tr[data-tag="${TWIN}"] historian-sparkline path`);
    await poll(async () => ((await spark.getAttribute('d')) ?? '').split(/[LHV]/).length).toBeGreaterThan(30);
    // what the twin writes beside its tag (prediction, band, confidence) is drawn in that tag's trend, not listed as rows
    const listed = await page.locator('[data-testid=live-table] tr[data-tag]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tag')));
    expect(listed).toContain(TWIN);
    expect(listed.filter((t) => t!.startsWith(`${TWIN}.`))).toEqual([]);
    // the groups are the equipment of the plant (2 lines × 3 pumps)
    expect(await page.locator('[data-testid=live-table] tbody[data-group^="acme.izmir.plant1.line"]').count()).toBeGreaterThanOrEqual(6);
    await axe(page, 'live');
  });

  it('trend: URL state in both directions, pens, legend, units, honest read-out, no panning past now', async () => {
    await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[0]},${PLANT_TAGS[1]}&range=8h&live=1`);
    await page.locator('[data-testid=trend-plot] canvas').waitFor();
    await poll(async () => { const [a, b] = await xRange(page); return Math.round((b - a) / HOUR); }).toBe(8);
    // one legend row per pen, colour on chip, legend and axis the same and distinct
    const legend = page.locator('[data-testid=legend-table] tbody tr');
    await poll(() => legend.count()).toBe(2);
    const colours = await page.evaluate(`(() => { const t = ${trendEl}; const v = document.querySelector('historian-app').shadowRoot.querySelector('historian-trend-view').shadowRoot;
      return { series: t.penColors(), axes: t.chart.axes.slice(1).map((a, i) => typeof a.stroke === 'function' ? a.stroke(t.chart, i + 1) : a.stroke), labels: t.chart.axes.slice(1).map((a) => a.label),
        chips: [...v.querySelectorAll('.chip')].map((c) => c.dataset.color), legend: [...t.shadowRoot.querySelector('historian-trend-legend').shadowRoot.querySelectorAll('.sw')].map((s) => s.dataset.color) }; })()`) as any;
    expect(new Set(colours.series).size).toBe(2);
    expect(colours.chips).toEqual(colours.series);
    expect(colours.legend).toEqual(colours.series);
    expect(colours.axes).toEqual(colours.series);
    // one axis per unit, the unit in its label
    expect(colours.labels).toEqual(['m³/h', 'bar']);
    // flow was set to step interpolation, pressure to linear
    const paths = await page.evaluate(`(() => { const t = ${trendEl}; return t.chart.series.slice(1).map((s) => (s.paths && s.paths.interpolation) || 'linear'); })()`) as string[];
    expect(paths).toEqual(['step', 'linear']);
    await poll(() => legend.first().textContent()).toContain('Discharge flow');
    // the cursor's own time is read (not the nearest sample's); before the data it says so
    await page.click('[data-preset="1h"]');
    await poll(async () => { const [a, b] = await xRange(page); return Math.round((b - a) / 60_000); }).toBe(60);
    const box = (await page.locator('[data-testid=trend-plot] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
    await poll(() => page.locator('[data-testid=legend-at]').textContent()).toMatch(/^At /);
    // the plant started moments ago: 57 min back there is no pressure data
    await poll(() => legend.nth(1).locator('[data-testid=legend-value]').textContent()).toContain('no data');
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    await poll(() => legend.nth(1).locator('[data-testid=legend-value]').textContent()).toMatch(/\d\.\d\d/);
    // drag-zoom: paused, and the URL now holds the fixed window
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.99, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.locator('[data-testid=live-state]', { hasText: 'paused' }).waitFor();
    await poll(async () => (await hashParams(page)).get('live')).toBe('0');
    const zoomed = await xRange(page);
    const q = await hashParams(page);
    expect(Math.abs(Number(q.get('from')) - zoomed[0])).toBeLessThan(1000);
    expect(Math.abs(Number(q.get('to')) - zoomed[1])).toBeLessThan(1000);
    // a bookmark of that URL reproduces the view
    await page.reload();
    await page.locator('[data-testid=trend-plot] canvas').waitFor();
    await poll(async () => Math.abs((await xRange(page))[0] - zoomed[0])).toBeLessThan(1000);
    // panning forward never goes past now
    for (let i = 0; i < 3; i++) await page.click('[data-action=pan-right]');
    const [, max] = await xRange(page);
    expect(max).toBeLessThanOrEqual(Date.now());
    // Live resumes following now
    await page.click('[data-action=reset]');
    await poll(async () => (await hashParams(page)).get('live')).toBe('1');
  });

  it('trend: a range without data says so', async () => {
    const from = Date.now() - 400 * 86_400_000;
    await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[1]}&from=${from}&to=${from + HOUR}&live=0`);
    await page.locator('[data-testid=no-data]', { hasText: 'No data in this range' }).waitFor();
    await page.locator('[data-testid=legend-value]', { hasText: 'no data' }).waitFor();
    // no sample, so no quality either (not "Good")
    expect((await page.locator('[data-testid=legend-quality]').first().textContent())?.trim()).toBe('—');
  });

  it('trend: a link opened while a pan of the old window is pending shows the link, not the old window', async () => {
    // (before the twin test: the twin tag's metadata is not yet known to the chart, so reading it waits)
    const from = Date.now() - 400 * 86_400_000;
    await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[1]}&from=${from}&to=${from + HOUR}&live=0`);
    await page.locator('[data-testid=no-data]', { hasText: 'No data in this range' }).waitFor();
    // the new trend's tag metadata answers slowly, so the pan's refetch (150 ms) comes due
    // while the new trend is still being set up
    await page.route('**/api/v1/tags?*', async (route) => { await new Promise((r) => setTimeout(r, 600)); await route.continue(); });
    try {
      await page.evaluate(`(() => { const t = ${trendEl}; t.renderRoot.querySelector('[data-action=pan-left]').click(); location.hash = '#/trend?tags=${TWIN}&range=1h&live=1'; })()`);
      await poll(async () => (await page.evaluate(`${trendEl}.chart.data[0].length`)) as number).toBeGreaterThan(300);
      const q = await hashParams(page);
      expect([q.get('tags'), q.get('range'), q.get('live'), q.get('from')]).toEqual([TWIN, '1h', '1', null]);
      expect(await page.evaluate(`${trendEl}.paused`)).toBe(false);
    } finally {
      await page.unroute('**/api/v1/tags?*');
    }
  });

  it('trend: twin prediction dashed in a shaded band, anomaly markers, model confidence in the legend', async () => {
    await page.goto(`${srv.url}/#/trend?tags=${TWIN}&range=1h&live=1`);
    await page.locator('[data-testid=trend-plot] canvas').waitFor();
    await expect.poll(() => page.locator('[data-testid=confidence]').textContent(), { timeout: 10_000 }).toBe('87 %');
    const twin = () => page.evaluate(`(() => { const t = ${trendEl}; return { dashed: t.chart.series.filter((s) => s.dash && s.dash.length).length, bands: (t.chart.bands || []).length, anomalies: t.anomalies, error: t.error, loading: t.loading, points: t.chart.data[0].length }; })()`) as Promise<any>;
    // on failure the message shows what the chart held (an error, still loading, no points)
    await poll(async () => { const x = await twin(); return x.anomalies > 0 ? 'anomalies drawn' : JSON.stringify(x); }).toBe('anomalies drawn');
    expect((await twin()).dashed).toBe(1);
    expect((await twin()).bands).toBe(1);
    // the one excursion (11 samples outside the band) is one marker at its start and 11 points drawn red
    expect(await page.evaluate(`(() => { const t = ${trendEl}; return [t.anomalies, t.anomalyPoints]; })()`)).toEqual([1, 11]);
    // the chart holds the series it draws, not those of the tags shown before
    expect(await page.evaluate(`[...${trendEl}.data.keys()].sort()`)).toEqual([TWIN, `${TWIN}.predicted`, `${TWIN}.predicted.hi`, `${TWIN}.predicted.lo`]);
    for (const vp of VIEWPORTS) { await page.setViewportSize(vp); await page.waitForTimeout(300); await saveScreenshot(page, `operator-trend-twin-${vp.width}x${vp.height}`); }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'trend');
  });

  it('trend: a history read the server fails is tried again, and the chart fills once it answers', async () => {
    // the server answers 503 to the chart's first four history reads (a restart, an
    // overloaded gateway), for a tag with history and no live samples, so the chart has
    // nothing to show meanwhile
    const tag = 'acme.izmir.plant1.line9.cell1.tank2.level';
    const now = Date.now();
    await srv.call('POST', '/api/v1/metrics', Array.from({ length: 360 }, (_, i) => ({ tag, timestamp: now - 55 * 60_000 + i * 9_000, value: 40 + (i % 60) / 4 })));
    let failed = 0;
    await page.route('**/api/v1/query?*', async (route) => {
      if (failed < 4 && route.request().url().includes('kind=downsample')) { failed++; await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"unavailable","message":"server busy"}' }); }
      else await route.continue();
    });
    try {
      await page.goto(`${srv.url}/#/trend?tags=${tag}&range=1h&live=1`);
      await page.locator('[role=alert]', { hasText: 'server busy' }).first().waitFor();
      // the empty chart says the read failed and is retried, not that the range has no data
      await page.locator('[data-testid=read-failed]', { hasText: 'Trying again' }).waitFor();
      expect(await page.locator('[data-testid=no-data]').count()).toBe(0);
      // retried after 1, 2 and 4 s: time for the three viewports
      for (const vp of VIEWPORTS) { await page.setViewportSize(vp); await saveScreenshot(page, `operator-trend-retry-${vp.width}x${vp.height}`); }
      await page.setViewportSize(VIEWPORTS[0]);
      const shown = () => page.evaluate(`(() => { const t = ${trendEl}; return { error: t.error, points: t.chart ? t.chart.data[0].length : 0 }; })()`) as Promise<{ error: string; points: number }>;
      await poll(async () => (await shown()).points).toBe(360);
      expect(failed).toBe(4);
      expect((await shown()).error).toBe('');
      expect(await page.locator('[data-testid=read-failed]').count()).toBe(0);
    } finally {
      await page.unroute('**/api/v1/query?*');
    }
  });

  it('alarm console: every command through the one signature dialog, consequence shown', async () => {
    await page.goto(`${srv.url}/#/alarms`);
    const row = (id: string) => page.locator(`[data-testid=alarm-table] tr[data-alarm=${id}]`);
    await row('pump1-press-lo').waitFor();
    const state = async (id: string) => (await srv.alarm(id)).state;
    const sign = async () => {
      const sig = page.locator('[data-testid=signature-dialog]');
      await sig.waitFor();
      // labelled fields; the user name is the signed-in user's and cannot be changed
      const user = sig.getByLabel('User name');
      expect(await user.inputValue()).toContain('admin');
      expect(await user.getAttribute('readonly')).not.toBeNull();
      expect(await page.evaluate(`(() => { const c = document.querySelector('historian-app').shadowRoot.querySelector('historian-alarm-console').shadowRoot; return c.querySelector('historian-signature-dialog').shadowRoot.querySelector('dialog').matches(':modal'); })()`)).toBe(true);
      await sig.getByLabel('Password').fill(ADMIN_PASSWORD);
      await sig.getByLabel('Meaning of this signature').selectOption('responsibility');
      await sig.locator('button[type=submit]').click();
      await sig.waitFor({ state: 'detached' });
    };
    const signIfAsked = async () => {
      const sig = page.locator('[data-testid=signature-dialog]');
      const asked = await sig.waitFor({ timeout: 3000 }).then(() => true, () => false);
      if (asked) await sign();
    };
    // value and limit in the tag's unit, with its precision (span 0–10 bar: two decimals)
    const cells = row('pump1-press-lo').locator('td.num');
    expect(await cells.nth(1).textContent()).toBe('100.00 bar');
    expect(await cells.nth(0).textContent()).toMatch(/^\d+\.\d\d bar$/);
    // consequence and corrective action
    await row('pump1-flow-hi').locator('[data-action=details]').click();
    await page.locator('[data-testid=alarm-detail]').first().waitFor();
    // acknowledge
    await row('pump1-press-lo').locator('[data-action=ack]').click();
    await poll(() => state('pump1-press-lo')).toBe('C');
    // shelve (signature demanded by the server) with duration; the expiry is shown
    await row('pump1-press-lo').locator('[data-action=shelve]').click();
    const dlg = page.locator('[data-testid=shelve-dialog]');
    await dlg.waitFor().catch(async (e) => { await saveScreenshot(page, 'operator-alarms-failure'); throw e; });
    await dlg.getByLabel('Duration').selectOption(String(HOUR));
    await dlg.getByLabel('Reason').fill('transmitter calibration');
    await dlg.locator('button[type=submit]').click();
    await sign();
    await poll(() => state('pump1-press-lo')).toBe('E');
    await poll(() => row('pump1-press-lo').locator('[data-testid=shelve-expiry]').textContent()).toMatch(/until .* left\)/);
    for (const vp of VIEWPORTS) { await page.setViewportSize(vp); await page.waitForTimeout(300); await saveScreenshot(page, `operator-alarms-${vp.width}x${vp.height}`); }
    await page.setViewportSize(VIEWPORTS[0]);
    // with sound on, the alarm that comes back unacknowledged is annunciated
    const sound = page.locator('[data-testid=alarm-banner] [data-action=audible]');
    await sound.click();
    expect(await sound.getAttribute('aria-pressed')).toBe('true');
    const beeps = () => page.evaluate(() => (window as any).__historianBeeps ?? 0) as Promise<number>;
    const before = await beeps();
    // unshelve: the condition still holds, so the alarm is unacknowledged again
    await row('pump1-press-lo').locator('[data-action=unshelve]').click();
    await signIfAsked();
    await poll(() => state('pump1-press-lo')).toBe('B');
    await poll(beeps).toBeGreaterThan(before);
    await sound.click();
    // suppress and lift
    await row('pump1-press-lo').locator('[data-action=suppress]').click();
    await signIfAsked();
    await poll(() => state('pump1-press-lo')).toBe('F');
    await row('pump1-press-lo').locator('[data-action=unsuppress]').click();
    await signIfAsked();
    await poll(() => state('pump1-press-lo')).not.toBe('F');
    // out of service and back
    await row('pump1-press-lo').locator('[data-action=out-of-service]').click();
    await page.locator('[data-testid=oos-dialog]').getByLabel('Reason (optional)').fill('transmitter replaced');
    await page.locator('[data-testid=oos-dialog] button[type=submit]').click();
    await signIfAsked();
    await poll(() => state('pump1-press-lo')).toBe('G');
    await row('pump1-press-lo').locator('[data-action=return-to-service]').click();
    await signIfAsked();
    await poll(() => state('pump1-press-lo')).not.toBe('G');
    // reset of a latched alarm: acknowledge it, and once its condition has cleared, Reset
    await poll(() => state('pump2-flow-latch')).toBe('B');
    await row('pump2-flow-latch').locator('[data-action=ack]').click();
    await poll(() => state('pump2-flow-latch')).not.toBe('B');
    const resets = async () => (await srv.call('GET', '/api/v1/alarms/journal?alarmId=pump2-flow-latch&event=reset')).entries.length as number;
    // the condition comes and goes; Reset is offered only while it is cleared
    for (let i = 0; i < 10 && (await resets()) === 0; i++) {
      const a = await srv.alarm('pump2-flow-latch') as any;
      if (a.state === 'B') { await row('pump2-flow-latch').locator('[data-action=ack]').click(); continue; }
      const reset = row('pump2-flow-latch').locator('[data-action=reset]');
      if (!(await reset.waitFor({ timeout: 6000 }).then(() => true, () => false))) continue;
      await reset.click().catch(() => undefined);
      // refused when the condition came back in between: then the loop tries again
      await expect.poll(resets, { timeout: 3000 }).toBeGreaterThan(0).catch(() => undefined);
    }
    expect(await resets()).toBeGreaterThan(0);
    await axe(page, 'alarms');
  });

  it('alarm console: limits changed in a dialog, signed, deployed into the node that defines the alarm (it was an API call only)', async () => {
    await page.goto(`${srv.url}/#/alarms`);
    await page.locator('#alarm-show').selectOption('all');
    const row = page.locator('[data-testid=alarm-table] tr[data-alarm=pump1-press-lo]');
    await row.locator('[data-action=limits]').click();
    const dlg = page.locator('[data-testid=limits-dialog]');
    await dlg.waitFor();
    // the alarm's limits now, by name and in the tag's unit: a LO alarm has a setpoint and a deadband, every alarm delays
    expect(await dlg.getByLabel('Setpoint (bar)', { exact: true }).inputValue()).toBe('100');
    expect(await dlg.getByLabel('Deadband (bar)', { exact: true }).inputValue()).toBe('0');
    expect(await dlg.getByLabel('Off-delay (s)').inputValue()).toBe('0');
    expect(await dlg.getByLabel('Deviation limit').count()).toBe(0);
    await axe(page, 'alarm limits dialog');
    await saveScreenshot(page, 'operator-alarm-limits-1440x900');
    await dlg.getByLabel('Deadband').fill('0.5');
    await dlg.getByLabel('Off-delay (s)').fill('3');
    await dlg.locator('button[type=submit]').click();
    const sig = page.locator('[data-testid=signature-dialog]');
    await sig.waitFor();
    expect(await sig.getByLabel('Meaning of this signature').inputValue()).toBe('approval');
    await sig.getByLabel('Password').fill(ADMIN_PASSWORD);
    await sig.locator('button[type=submit]').click();
    await poll(() => page.getByTestId('alarm-info').textContent()).toMatch(/deadband 0 → 0\.5, off-delay \(s\) 0 → 3/);
    // the deployed flow holds the new limits, the running alarm uses them, the trail has the signed change
    await poll(async () => ((await srv.call('GET', '/api/v1/alarms?all=true')).alarms as Array<{ id: string; limits: Record<string, number> }>)
      .find((a) => a.id === 'pump1-press-lo')?.limits).toEqual({ setpoint: 100, deadband: 0.5, onDelayS: 0, offDelayS: 3 });
    const entry = (await srv.call('GET', '/api/v1/audit?action=alarms.limits.change&limit=1')).entries[0];
    expect(entry).toMatchObject({ target: 'pump1-press-lo', newValue: { limits: { deadband: 0.5, offDelayS: 3 } }, signature: { meaning: 'approval' } });
    await page.locator('#alarm-show').selectOption('attention');
  });

  it('alarm journal: readable states, filter by tag and priority, paging; KPIs with a range picker and a labelled chart', async () => {
    await page.click('[data-tab=journal]');
    const rows = page.locator('[data-testid=journal-table] tbody tr');
    await rows.first().waitFor();
    await page.locator('[data-testid=journal-states]', { hasText: 'Shelved' }).first().waitFor();
    // each entry names its alarm by the message operators know it by
    const configured = new Set(((await srv.call('GET', '/api/v1/alarms?all=true')).alarms as Array<{ message: string }>).map((a) => a.message));
    for (const name of await page.locator('[data-testid=journal-alarm]').allTextContents()) expect(configured.has(name.trim()), name).toBe(true);
    expect(await page.locator('[data-testid=journal-states]', { hasText: /^[A-G] → [A-G]$/ }).count()).toBe(0);
    await page.getByLabel('Tag or area').fill(PLANT_TAGS[1]);
    await page.locator('[data-testid=journal-filter] button[type=submit]').click();
    await poll(async () => new Set(await rows.locator('td:nth-child(3)').allTextContents())).toEqual(new Set([PLANT_TAGS[1]]));
    await page.getByLabel('Tag or area').fill('');
    await page.getByLabel('Priority').selectOption('urgent');
    await page.locator('[data-testid=journal-filter] button[type=submit]').click();
    await poll(async () => new Set(await rows.locator('td:nth-child(3)').allTextContents())).toEqual(new Set([PLANT_TAGS[2]]));
    expect(await page.locator('[data-action=prev-page]').isDisabled()).toBe(true);
    await axe(page, 'journal');
    // on a phone each entry is a card of labelled fields, inside the screen's width (it was a
    // table ten columns wide, its tag broken letter by letter and the rest cut off)
    await page.setViewportSize(VIEWPORTS[2]);
    await poll(() => page.locator('[data-testid=journal-table]').evaluate((t) => t.scrollWidth <= (t.parentElement as HTMLElement).clientWidth)).toBe(true);
    expect(await page.locator('[data-testid=journal-table] tbody tr').first().evaluate((tr) => getComputedStyle(tr).display)).toBe('block');
    await saveScreenshot(page, 'alarm-journal-390x844');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('[data-tab=kpi]');
    await page.locator('[data-testid=kpi-panel]').waitFor();
    await page.locator('historian-alarm-kpi [data-preset="1h"]').click();
    await page.locator('[data-testid=kpi-chart] figcaption', { hasText: 'Alarms per 10 minutes' }).waitFor();
    expect(await page.locator('[data-testid=kpi-chart] svg text', { hasText: 'alarms' }).count()).toBeGreaterThan(0);
    // drawn at the width it is shown: one unit of the drawing is one pixel, text is not stretched
    const drawnAt = () => page.locator('[data-testid=kpi-chart] svg').evaluate((el) => [(el as SVGSVGElement).viewBox.baseVal.width, Math.round(el.clientWidth)]);
    await poll(async () => { const [w, shown] = await drawnAt(); return Math.abs(w - shown) <= 2; }).toBe(true);
    // the top offenders are named by the alarm's message, the id below it
    const alarms = (await srv.call('GET', '/api/v1/alarms?all=true')).alarms as Array<{ id: string; message: string }>;
    const first = page.locator('[data-testid=kpi-top] tbody tr').first().locator('td').first();
    const text = await first.textContent();
    const named = alarms.find((a) => text?.includes(a.id));
    expect(named, `top offender "${text}" is a configured alarm`).toBeTruthy();
    expect(text!.startsWith(named!.message)).toBe(true);
    // the tab is in the URL: it can be bookmarked, and opening the URL shows it
    expect(await page.evaluate(() => location.hash)).toBe('#/alarms?tab=kpi');
    await page.goto(`${srv.url}/#/alarms?tab=journal`);
    await page.locator('[data-testid=journal-table]').waitFor();
    expect(await page.locator('[data-tab=journal]').getAttribute('aria-selected')).toBe('true');
    await page.goBack();
    await page.locator('[data-testid=kpi-panel]').waitFor();
    await page.setViewportSize(VIEWPORTS[2]);
    await poll(async () => { const [w, shown] = await drawnAt(); return shown < 400 && Math.abs(w - shown) <= 2; }).toBe(true);
    await saveScreenshot(page, 'alarm-kpi-390x844');
    await page.setViewportSize({ width: 1440, height: 900 });
    await axe(page, 'kpi');
  });

  it('phone (390x844) and panel PC (1024x600): no horizontal scrolling; live values, alarm ack and a trend usable on the phone', async () => {
    const views = ['live', `trend?tags=${PLANT_TAGS[0]}&range=1h&live=1`, 'alarms', 'layouts', 'audit'];
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      for (const v of views) {
        await page.goto(`${srv.url}/#/${v}`);
        await page.locator('[data-testid=alarm-banner]').waitFor();
        await page.waitForTimeout(500);
        expect(`${v} at ${vp.width}: ${await scrollWidth(page)}`).toBe(`${v} at ${vp.width}: ${vp.width}`);
      }
    }
    await page.setViewportSize(VIEWPORTS[2]);
    await page.goto(`${srv.url}/#/live`);
    await poll(() => page.locator(`tr[data-tag="${PLANT_TAGS[0]}"] [data-testid=value]`).isVisible()).toBe(true);
    await saveScreenshot(page, 'operator-overview-390x844');
    await page.goto(`${srv.url}/#/alarms`);
    const ack = page.locator('[data-testid=alarm-table] tr[data-alarm=pump1-flow-hi] [data-action=ack]');
    await ack.scrollIntoViewIfNeeded();
    const b = (await ack.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(390);
    await ack.click();
    await poll(async () => (await srv.alarm('pump1-flow-hi')).acknowledged).toBe(true);
    await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[0]}&range=1h&live=1`);
    await page.locator('[data-testid=trend-plot] canvas').waitFor();
    const plot = (await page.locator('[data-testid=trend-plot]').boundingBox())!;
    expect(plot.width).toBeGreaterThan(300);
    await axe(page, 'trend on a phone');
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.goto(`${srv.url}/#/live`);
      await page.locator(`tr[data-tag="${PLANT_TAGS[0]}"]`).waitFor();
      await page.waitForTimeout(300);
      await saveScreenshot(page, `operator-overview-${vp.width}x${vp.height}`);
      await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[0]},${PLANT_TAGS[1]},${EQUIPMENT}.running&range=1h&live=1`);
      await page.locator('[data-testid=trend-plot] canvas').waitFor();
      await page.waitForTimeout(800);
      await saveScreenshot(page, `operator-trend-${vp.width}x${vp.height}`);
      // a pen's name in the legend wraps between its parts, never inside one ("temperatur|e"), also
      // beside a twin's prediction and confidence columns
      await page.goto(`${srv.url}/#/trend?tags=${TWIN},${EQUIPMENT}.temperature&range=1h&live=1`);
      await page.locator('[data-testid=confidence]').first().waitFor();
      const split = await page.locator('[data-testid=legend-table] td.name').evaluateAll((tds) => tds.flatMap((td) => [...td.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '')
        .map((n) => { const r = document.createRange(); r.selectNodeContents(n); return r.getClientRects().length > 1 ? n.textContent : null; })
        .filter((t) => t !== null)));
      expect(split, `${vp.width}x${vp.height}`).toEqual([]);
    }
    await page.setViewportSize(VIEWPORTS[0]);
  });

  it('themes: light by default, dark per user, both pass axe (contrast included)', async () => {
    await page.goto(`${srv.url}/#/live`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.click('[data-action=theme]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.reload();
    await page.locator('[data-testid=who]').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.locator(`tr[data-tag="${PLANT_TAGS[0]}"]`).waitFor();
    await axe(page, 'live (dark)');
    await page.goto(`${srv.url}/#/alarms`);
    await page.locator('[data-testid=alarm-table]').waitFor();
    await axe(page, 'alarms (dark)');
    await saveScreenshot(page, 'operator-alarms-dark-1440x900');
    await page.click('[data-action=theme]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('layouts: free placement, tag picker tree, typed fields, unique names, set as home', async () => {
    await page.goto(`${srv.url}/#/layouts`);
    const grid = page.locator('[data-testid=layout-grid]');
    const mk = async (name: string) => {
      await page.click('[data-action=new-layout]');
      await page.fill('input[aria-label="layout name"]', name);
    };
    await mk('Pump 1 panel');
    await page.locator('label', { hasText: 'shared' }).locator('input').check();
    const cfg = page.locator('[data-testid=widget-config]');
    await page.click('[data-add=value]');
    await cfg.locator(`[data-tag="${PLANT_TAGS[0]}"]`).click();
    await page.click('[data-add=gauge]');
    // the second widget goes beside the first, not under it
    const pos = await grid.locator('.w').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top)]; }));
    expect(pos[1][1]).toBe(pos[0][1]);
    expect(pos[1][0]).toBeGreaterThan(pos[0][0]);
    await cfg.locator(`[data-tag="${PLANT_TAGS[1]}"]`).click();
    await cfg.getByLabel('Style').selectOption('gauge');
    await cfg.getByLabel('Max').fill('10');
    await cfg.getByLabel('Max').press('Tab');
    await page.click('[data-add=alarms]');
    await page.click('[data-action=save-layout]');
    await page.locator('[data-action=edit][aria-pressed=false]').waitFor();
    await page.locator('[data-testid=gauge]').waitFor();
    await poll(() => page.locator('[data-testid=gauge] text').allTextContents()).toContain('10');
    // the alarm list leads with each alarm's message, links to the console, and wraps its
    // long tag names inside the tile instead of hiding the state past its edge
    const alarmRows = page.locator('historian-alarm-list li');
    await poll(() => alarmRows.count()).toBeGreaterThan(0);
    expect(await alarmRows.first().locator('b').textContent()).toMatch(/^Pump \d/);
    expect(await alarmRows.first().locator('a').getAttribute('href')).toBe('#/alarms');
    expect(await page.locator('historian-alarm-list').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    // a second layout with the same name is refused, naming the field
    await mk('pump 1 PANEL');
    await page.click('[data-add=text]');
    await page.click('[data-action=save-layout]');
    await page.locator('[role=alert]', { hasText: 'name: a layout named' }).waitFor();
    await page.fill('input[aria-label="layout name"]', 'Pump 1 notes');
    await page.click('[data-action=save-layout]');
    await page.locator('[data-action=edit][aria-pressed=false]').waitFor();
    // set as home (the server's home-layout route answers, or the page says it is missing)
    await page.locator('select[aria-label=layout]').selectOption({ label: 'Pump 1 panel (shared)' });
    await page.click('[data-action=edit]');
    await page.click('[data-action=set-home]');
    await page.locator('[role=status], [role=alert]', { hasText: /home/ }).first().waitFor();
    await page.click('[data-action=edit]');
    await axe(page, 'layouts (with widgets)');
  });

  it('layouts and audit pass axe; in the dark theme every page does (a layout, the health summary and the password rules were light-only)', async () => {
    for (const v of ['layouts', 'audit']) {
      await page.goto(`${srv.url}/#/${v}`);
      await page.locator('[data-testid=alarm-banner]').waitFor();
      await page.waitForTimeout(800);
      await axe(page, v);
    }
    await page.click('[data-action=theme]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    for (const v of ['layouts', 'audit', 'health', 'fleet', 'users', 'tokens', 'tags', 'account', 'alarms?tab=journal', 'alarms?tab=kpi', 'frames']) {
      await page.goto(`${srv.url}/#/${v}`);
      await page.locator('[data-testid=alarm-banner]').waitFor();
      await page.waitForTimeout(800);
      await axe(page, `${v} (dark)`);
    }
    await page.click('[data-action=theme]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('session: one sign-in serves every tab and the flow editor; sign-out ends it everywhere', async () => {
    const second = await ctx.newPage();
    await second.goto(`${srv.url}/#/live`);
    await second.locator('[data-testid=who]', { hasText: 'ADMIN' }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem('historian.token'));
    expect(token).toBeTruthy();
    // the editor link opens the editor without a second login
    await page.goto(`${srv.url}/#/live`);
    const [editor] = await Promise.all([ctx.waitForEvent('page'), page.click('[data-testid=editor-link]')]);
    await editor.locator('#red-ui-header').waitFor({ timeout: 30_000 });
    await editor.locator('#red-ui-palette').waitFor({ timeout: 30_000 });
    expect(await editor.locator('#node-dialog-login-fields').count()).toBe(0);
    await editor.close();
    // and so does the editor typed into the address bar (or bookmarked) while signed in on the
    // dashboard, the link never clicked: the editor's session is dropped, the dashboard reloaded
    await page.evaluate(() => localStorage.removeItem('auth-tokens-editor'));
    await page.reload();
    await page.locator('[data-testid=who]', { hasText: 'ADMIN' }).waitFor();
    const typed = await ctx.newPage();
    await typed.goto(`${srv.url}/editor/`);
    await typed.locator('#red-ui-palette').waitFor({ timeout: 30_000 });
    expect(await typed.locator('#node-dialog-login-fields').count()).toBe(0);
    await typed.close();
    // sign out in one tab: the other returns to the login, and the token is revoked
    await page.click('[data-action=logout]');
    await second.locator('form.login').waitFor();
    const r = await srv.dist.request('/api/v1/me', { token: token! });
    expect(r.status).toBe(401);
    await second.close();
    await ctx.close();
  });

  it('delivery: compressed, hashed assets immutable, no source maps, first load small', async () => {
    const index = await srv.dist.request('/', { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      const r = await srv.dist.request(a, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('content-encoding')).toBe('br');
      const js = await r.text();
      expect(js).not.toMatch(/sourceMappingURL/);
    }
    expect((await srv.dist.request('/assets/index.js.map')).status).toBe(404);
  });

  it('trend notes: one added at a clicked time is listed with its tag and author; only its author removes it (asked first); both in the audit trail', async () => {
    const adminToken = await srv.dist.login();
    await createUser(srv.dist, adminToken, { username: 'op-notes', name: 'Olga Notes', role: 'OPERATOR', password: 'operator notes 2026 pw' });
    const other = await srv.dist.login('op-notes', 'operator notes 2026 pw');
    const r = await srv.dist.request('/api/v1/annotations', { method: 'POST', token: other, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ts: Date.now() - 20 * 60_000, text: 'seal flush started', tag: PLANT_TAGS[0] }) });
    expect(r.status).toBe(201);
    // a page of its own: the session test above signed the shared one out
    const ctx = await browser.newContext({ viewport: VIEWPORTS[0] });
    ctx.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
    const page = await ctx.newPage();
    await login(page);
    await page.goto(`${srv.url}/#/trend?tags=${PLANT_TAGS[0]},${PLANT_TAGS[1]}&range=1h&live=1`);
    const notes = page.locator('historian-trend-notes');
    await notes.locator('li', { hasText: 'seal flush started' }).waitFor({ timeout: 15_000 });
    // another user's note: no Remove
    expect(await notes.locator('li', { hasText: 'seal flush started' }).locator('[data-action=remove-note]').count()).toBe(0);
    expect(await notes.locator('li', { hasText: 'seal flush started' }).textContent()).toContain('Olga Notes');
    // pin a time by clicking the chart, then write the note there
    const plot = page.locator('historian-trend [data-testid=trend-plot] .u-over');
    const box = (await plot.boundingBox())!;
    await plot.click({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    await page.locator('historian-trend [data-action=note]').click();
    await page.locator('historian-trend input[name=text]').fill('pump 1 bearing greased, temperature to settle within 30 min');
    await page.locator('historian-trend select[name=tag]').selectOption(PLANT_TAGS[0]);
    await page.locator('historian-trend button[type=submit]', { hasText: 'Save note' }).click();
    const mine = notes.locator('li', { hasText: 'pump 1 bearing greased' });
    await mine.waitFor();
    expect(await mine.textContent()).toContain(PLANT_TAGS[0]);
    const [from, to] = await xRange(page);
    const saved = ((await srv.call('GET', `/api/v1/annotations?from=${Math.floor(from)}&to=${Math.ceil(to)}`)).annotations as Array<{ id: string; ts: number; text: string }>).find((a) => a.text.startsWith('pump 1 bearing greased'))!;
    // at the clicked time (the middle of the window), not at "now"
    expect(Math.abs(saved.ts - (from + to) / 2)).toBeLessThan((to - from) * 0.05);
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await saveScreenshot(page, `trend-notes-${vp.width}x${vp.height}`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(vp.width);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'trend with notes');
    // Remove asks first; Cancel keeps the note
    await mine.locator('[data-action=remove-note]').click();
    const ask = page.getByTestId('confirm-dialog');
    await ask.locator('button[data-answer=no]').click();
    await ask.waitFor({ state: 'detached' });
    expect(await mine.count()).toBe(1);
    await mine.locator('[data-action=remove-note]').click();
    await ask.locator('button[data-answer=yes]').click();
    await mine.waitFor({ state: 'detached' });
    const trail = (await srv.call('GET', `/api/v1/audit?target=${encodeURIComponent(`annotation:${saved.id}`)}`)).entries as Array<Record<string, any>>;
    expect(trail.map((e) => e.action).sort()).toEqual(['annotations.add', 'annotations.remove']);
    expect(trail.find((e) => e.action === 'annotations.remove')).toMatchObject({ username: 'admin', previousValue: { text: 'pump 1 bearing greased, temperature to settle within 30 min' } });
    await ctx.close();
  });

  it('no page threw an uncaught error during the whole walk-through', () => {
    expect(pageErrors).toEqual([]);
  });
});
