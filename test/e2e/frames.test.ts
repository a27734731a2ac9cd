// The Frames page, the trend's frame selector and the overlay in headless Chromium against
// the running distribution: search by text and attribute, a batch's window on the trend,
// an overlay of batches against a reference with its band, a signed manual close, several
// ticked frames exported as one XLSX/CSV, and frames opened and closed by a flow showing up
// without a reload; axe-core and screenshots at 1440x900, 1024x600 and 390x844 without
// horizontal scrolling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { makeTempDir } from '../helpers/tmp';

const TAG = 'acme.izmir.plant1.line1.reactor1.temperature';
const H = 3_600_000;
const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
let dist: Distribution;
let browser: Browser;
let admin: string;
const T0 = Math.floor(Date.now() / H) * H - 8 * H;
const frames: Array<{ id: string; name: string; start: number; end: number | null }> = [];
const pageErrors: string[] = [];

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const r = await dist.request(path, { method, token: admin, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const t = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${t}`);
  return t ? JSON.parse(t) : undefined;
}

beforeAll(async () => {
  const dir = await makeTempDir('frames-e2e-');
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([
    { id: 'fe-tab', type: 'tab', label: 'Frames e2e' },
    { id: 'fe-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 50 },
    // a batch recorder driven over HTTP: POST /http/e2e-batch {action, name} → msg.frame → event-frame
    { id: 'fe-http', type: 'http in', z: 'fe-tab', name: '', url: '/e2e-batch', method: 'post', upload: false, swaggerDoc: '', wires: [['fe-cmd', 'fe-ok']] },
    { id: 'fe-ok', type: 'http response', z: 'fe-tab', name: '', statusCode: '204', headers: {}, wires: [] },
    { id: 'fe-cmd', type: 'change', z: 'fe-tab', name: 'payload → frame', rules: [{ t: 'set', p: 'frame', pt: 'msg', to: 'payload', tot: 'msg' }], wires: [['fe-frames']] },
    { id: 'fe-frames', type: 'event-frame', z: 'fe-tab', name: 'Batches', store: '', wires: [[]],
      frames: [{ key: 'batch', template: 'batch', name: '', mode: 'message', start: '', end: '', tag: '', aliases: '', attributes: 'product = msg.payload.product @start', parent: '', minDurationS: '', tags: TAG }] },
  ]));
  [dist, browser] = await Promise.all([startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile } }), launchChromium()]);
  admin = await dist.login();
  // four batches of a reactor temperature profile (heat, hold, cool) at 10 s
  const rows = [];
  for (let b = 0; b < 4; b++) {
    const hold = 70 + b * 1.5;
    for (let s = 0; s < 3600; s += 10) {
      const v = s < 1200 ? 20 + (hold - 20) * (s / 1200) : s < 2700 ? hold + Math.sin(s / 200) : hold - (hold - 25) * ((s - 2700) / 900);
      rows.push({ tag: TAG, timestamp: T0 + b * 2 * H + s * 1000, value: Math.round(v * 100) / 100 });
    }
  }
  await call('POST', '/api/v1/metrics', rows);
  await call('PUT', `/api/v1/tags/${TAG}`, { unit: '°C', description: 'Reactor 1 temperature' });
  for (let b = 0; b < 4; b++) {
    const f = await call('POST', '/api/v1/frames', {
      template: 'batch', name: `Batch ${4711 + b}`, start: T0 + b * 2 * H, end: T0 + b * 2 * H + H, tags: [TAG],
      attributes: { product: b % 2 ? 'PX-200' : 'PX-100', operator: b < 2 ? 'Ayse Yilmaz' : 'Mehmet Kaya', lot: 9000 + b, peakTemp: 81.5 + b },
      units: { peakTemp: '°C' },
    });
    frames.push(f);
  }
  frames.push(await call('POST', '/api/v1/frames', { template: 'downtime', name: 'Cleaning reactor 1', start: T0 + 7 * H, tags: [TAG], attributes: { reason: 'CIP' } }));
});
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

async function login(page: Page): Promise<void> {
  await page.goto(dist.url + '/');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
}
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
}
const rows = (page: Page) => page.locator('[data-testid=frames-table] tbody tr');

describe('frames in the dashboard', () => {
  let page: Page;

  it('lists frames and finds them by text and attribute; fits every screen; accessible', async () => {
    const ctx = await browser.newContext({ viewport: VIEWPORTS[0] });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await login(page);
    await page.goto(`${dist.url}/#/frames`);
    await poll(() => rows(page).count()).toBe(5);
    // an attribute is shown with its unit; one without a unit (a lot number) without
    const first = page.locator(`tr[data-frame="${frames[0].id}"] td.attrs`);
    expect(await first.textContent()).toContain('peakTemp=81.5 °C');
    expect(await first.textContent()).toMatch(/lot=9000(,|$)/);
    await page.getByLabel('Text', { exact: true }).fill('Yilmaz');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(async () => (await rows(page).allTextContents()).map((t) => t.match(/Batch \d+/)?.[0]).sort()).toEqual(['Batch 4711', 'Batch 4712']);
    await page.getByLabel('Text', { exact: true }).fill('');
    await page.getByLabel('Attribute', { exact: true }).fill('product=PX-200');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(async () => (await rows(page).allTextContents()).map((t) => t.match(/Batch \d+/)?.[0]).sort()).toEqual(['Batch 4712', 'Batch 4714']);
    // the search is in the URL: opened again (a bookmark, a link someone sent), it shows the same list
    const hash = await page.evaluate(() => location.hash);
    expect(new URLSearchParams(hash.split('?')[1]).get('attr')).toBe('product=PX-200');
    await page.goto(`${dist.url}/#/frames`);
    await poll(() => rows(page).count()).toBe(5);
    await page.goto(`${dist.url}/${hash}`);
    await poll(async () => (await rows(page).allTextContents()).map((t) => t.match(/Batch \d+/)?.[0]).sort()).toEqual(['Batch 4712', 'Batch 4714']);
    expect(await page.getByLabel('Attribute', { exact: true }).inputValue()).toBe('product=PX-200');
    // a range chosen is kept with it, and Back returns to the search before
    await page.locator('historian-frames-view [data-preset="7d"]').click();
    await poll(() => page.evaluate(() => location.hash)).toContain('range=7d');
    await page.goBack();
    await poll(() => page.evaluate(() => location.hash)).toBe(hash);
    expect(await page.locator('historian-frames-view [data-preset="30d"]').getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('Attribute', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => rows(page).count()).toBe(5);
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `no horizontal scroll at ${vp.width}`).toBeLessThanOrEqual(vp.width);
      await saveScreenshot(page, `frames-list-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'frames');
  });

  it('overlays batches on time since start against a reference with its band', async () => {
    for (const f of frames.slice(1, 4)) await page.getByLabel(`tick ${f.name}`).check();
    await page.locator('#ov-ref').selectOption(frames[0].id);
    await page.locator('#band').fill('2');
    await page.getByTestId('overlay-run').click();
    const legend = page.getByTestId('overlay-legend');
    await poll(() => legend.textContent()).toContain('Batch 4711 (reference, band shaded)');
    for (const f of frames.slice(1, 4)) await poll(() => legend.textContent()).toContain(f.name);
    // the chart's x axis is minutes since start: 0 … 60 whatever the batches' clock times
    const xMax = await page.evaluate(`(() => { const v = document.querySelector('historian-app').shadowRoot.querySelector('historian-frames-view').shadowRoot;
      const o = v.querySelector('historian-frame-overlay'); return o.plot.data[0][o.plot.data[0].length - 1]; })()`);
    expect(xMax).toBeGreaterThan(59);
    expect(xMax).toBeLessThanOrEqual(60);
    // the value axis and the deviations carry the tag's unit
    const yLabel = await page.evaluate(`(() => { const v = document.querySelector('historian-app').shadowRoot.querySelector('historian-frames-view').shadowRoot;
      return v.querySelector('historian-frame-overlay').plot.axes[1].label; })()`);
    expect(yLabel).toBe('reactor1.temperature, °C');
    expect(await legend.textContent()).toMatch(/Batch 4712 max dev -?[\d.]+ °C/);
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      await page.getByTestId('overlay-legend').scrollIntoViewIfNeeded();
      await saveScreenshot(page, `frames-overlay-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'frames overlay');
  });

  it('closes an open frame by hand with a signature', async () => {
    const open = frames[4];
    await page.locator(`tr[data-frame="${open.id}"]`).getByRole('button', { name: 'Close…' }).click();
    // a dialog of its own (no browser prompt): the reason is required, the end is now unless given
    const dlg = page.getByTestId('frame-close-dialog');
    await dlg.waitFor();
    await axe(page, 'frame close dialog');
    await dlg.getByRole('button', { name: 'Close the frame' }).click();
    await dlg.getByRole('alert').filter({ hasText: 'Reason' }).waitFor();
    await dlg.getByLabel('Reason').fill('cleaning finished');
    await dlg.getByRole('button', { name: 'Close the frame' }).click();
    const sig = page.locator('[data-testid=signature-dialog]');
    await sig.waitFor();
    await sig.getByLabel('Password').fill(ADMIN_PASSWORD);
    await sig.locator('button[type=submit]').click();
    await sig.waitFor({ state: 'detached' });
    await poll(async () => (await call('GET', `/api/v1/frames/${open.id}`)).frame.closedBy).toBe('admin');
    const audit = await call('GET', '/api/v1/audit?action=frames.close&limit=1');
    expect(audit.entries[0]).toMatchObject({ target: `frame:${open.id}`, reason: 'cleaning finished', signature: { action: 'frames.close' } });
  });

  it('sets an attribute with a signature (QA release) and downloads the frame as XLSX', async () => {
    const f = frames[0];
    await page.locator(`tr[data-frame="${f.id}"]`).getByRole('button', { name: `set an attribute of ${f.name}` }).click();
    const dlg = page.getByTestId('frame-attribute-dialog');
    await dlg.waitFor();
    // an attribute of the frame shows the value it would replace, with its unit; another is new
    await dlg.getByLabel('Attribute').fill('peakTemp');
    await poll(() => dlg.getByTestId('attribute-now').textContent()).toBe('now peakTemp=81.5 °C');
    await dlg.getByLabel('Attribute').fill('released');
    await poll(() => dlg.getByTestId('attribute-now').textContent()).toBe('a new attribute');
    await dlg.getByLabel('Value').fill('true');
    await dlg.getByLabel('Reason').fill('QA release of batch 4711');
    for (const vp of VIEWPORTS) { await page.setViewportSize(vp); await saveScreenshot(page, `frames-attribute-dialog-${vp.width}x${vp.height}`); }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'frame attribute dialog');
    await dlg.getByRole('button', { name: 'Set attribute' }).click();
    const sig = page.locator('[data-testid=signature-dialog]');
    await sig.waitFor();
    expect(await sig.getByLabel('Meaning of this signature').inputValue()).toBe('approval');
    await sig.getByLabel('Password').fill(ADMIN_PASSWORD);
    await sig.locator('button[type=submit]').click();
    await sig.waitFor({ state: 'detached' });
    await poll(async () => (await call('GET', `/api/v1/frames/${f.id}`)).frame.attributes.released).toBe(true);
    await poll(() => page.locator(`tr[data-frame="${f.id}"]`).textContent()).toContain('released=true');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`tr[data-frame="${f.id}"]`).getByRole('button', { name: `export ${f.name} as XLSX` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('batch_Batch_4711.xlsx');
  });

  it('exports several ticked frames as one XLSX (a sheet each) and one CSV (a section each)', async () => {
    await page.getByRole('button', { name: 'Clear ticks' }).click();
    await poll(() => page.getByTestId('picked-count').textContent()).toContain('0 of 5');
    expect(await page.getByTestId('export-picked-xlsx').isDisabled()).toBe(true);
    const picked = [frames[3], frames[1]];
    for (const f of picked) await page.getByLabel(`tick ${f.name}`).check();
    await poll(() => page.getByTestId('picked-count').textContent()).toContain('2 of 5');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-picked-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toBe('frames_2.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(await xlsx.path()) as unknown as ArrayBuffer);
    // the list's order: newest first
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Batch 4714', 'Batch 4712']);
    for (const [i, f] of picked.entries()) {
      const ws = wb.worksheets[i];
      expect(ws.getRow(1).values).toEqual([undefined, 'frame', f.name]);
      const stored = (await call('GET', `/api/v1/query?kind=raw&tag=${TAG}&from=${f.start}&to=${f.end}`)).samples as Array<{ ts: number; value: number }>;
      expect(stored).toHaveLength(360);
      const titles = ws.rowCount - stored.length;
      expect(ws.getRow(titles).getCell(1).value).toBe('time');
      expect(ws.getRow(titles + 1).getCell(3).value).toBe(stored[0].value);
      expect(ws.getRow(ws.rowCount).getCell(3).value).toBe(stored[stored.length - 1].value);
    }
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-picked-csv').click()]);
    const sections = readFileSync(await csv.path(), 'utf8').split('\r\n\r\n');
    expect(sections.filter((x) => x.startsWith('frame,')).map((x) => x.split('\r\n')[0])).toEqual(['frame,Batch 4714', 'frame,Batch 4712']);
    await poll(() => page.getByRole('status').first().textContent()).toContain('2 frame(s) downloaded');
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `no horizontal scroll at ${vp.width}`).toBeLessThanOrEqual(vp.width);
      await page.evaluate('window.scrollTo(0, 0)');
      await saveScreenshot(page, `frames-export-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'frames with ticked frames');
  });

  it('a frame opened by a flow appears without a reload, and its close updates the row', async () => {
    const marker = await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; return 42; });
    const send = (body: unknown) => fetch(`${dist.url}/http/e2e-batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send({ action: 'start', key: 'batch', name: 'Batch 4800', product: 'PX-300' })).status).toBe(204);
    const row = rows(page).filter({ hasText: 'Batch 4800' });
    await poll(() => row.count()).toBe(1);
    await poll(() => row.textContent()).toContain('open');
    expect(await row.textContent()).toContain('product=PX-300');
    await poll(() => page.getByTestId('frames-live').textContent()).toBe('Batch 4800 opened');
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(300);
      await saveScreenshot(page, `frames-live-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    expect((await send({ action: 'end', key: 'batch' })).status).toBe(204);
    await poll(() => row.locator('td').nth(4).textContent()).not.toContain('open');
    await poll(() => page.getByTestId('frames-live').textContent()).toBe('Batch 4800 closed');
    const id = await row.getAttribute('data-frame');
    const stored = (await call('GET', `/api/v1/frames/${id}`)).frame;
    expect(stored).toMatchObject({ name: 'Batch 4800', attributes: { product: 'PX-300' } });
    expect(stored.end).not.toBeNull();
    // the same page all along: no reload happened
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(marker);
    await axe(page, 'frames after live updates');
  });

  it('the trend\'s frame selector shows a batch\'s window', async () => {
    await page.goto(`${dist.url}/#/trend`);
    const select = page.getByTestId('frame-select');
    await select.fill('4713');
    await page.getByRole('button', { name: /Batch 4713/ }).click();
    const f = frames[2];
    await poll(async () => new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1] ?? '').get('from')).toBe(String(f.start));
    const params = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
    expect(params.get('to')).toBe(String(f.end));
    expect(params.get('tags')).toBe(TAG);
    expect(params.get('live')).toBe('0');
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      await saveScreenshot(page, `frames-trend-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'trend with frame selector');
    expect(pageErrors).toEqual([]);
  });

  it('lists a range of more than 200 frames page by page: Show 200 older, each frame once, until the range is exhausted', async () => {
    // 451 shifts every 10 minutes, 10 days back and older (the batches above stay the newest
    // frames); two of them start in the same millisecond, exactly where the first page ends
    const start0 = T0 - 10 * 24 * H;
    const starts = Array.from({ length: 450 }, (_, i) => start0 - i * 600_000);
    starts.splice(200, 0, starts[199]);
    for (let i = 0; i < starts.length; i++) {
      await call('POST', '/api/v1/frames', { template: 'shift', name: `Shift ${i}`, start: starts[i], end: starts[i] + 480_000, tags: [TAG] });
    }
    await page.goto(`${dist.url}/#/frames?template=shift&range=30d`);
    const rows = page.locator('tr[data-frame]');
    await poll(() => rows.count()).toBe(200);
    expect(await page.getByTestId('frames-limit').textContent()).toContain('newest 200');
    await page.locator('.table-wrap').evaluate((e) => { e.scrollTop = e.scrollHeight; });
    await saveScreenshot(page, 'frames-older-button-1440x900');
    await axe(page, 'frames list with older ones to show');
    await page.getByTestId('frames-older').click();
    // the next 200 start with the tied frame listed already: it is kept once
    await poll(() => rows.count()).toBe(399);
    await page.getByTestId('frames-older').click();
    await poll(() => rows.count()).toBe(451);
    expect(await page.getByTestId('frames-older').count()).toBe(0);
    const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td:nth-child(2)')?.textContent?.trim()));
    expect(new Set(names).size).toBe(451);
    // newest first throughout
    const listed = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-frame')));
    const byId = new Map((await call('GET', `/api/v1/frames?template=shift&limit=1000&from=${start0 - 30 * 24 * H}`)).frames.map((f: { id: string; start: number }) => [f.id, f.start]));
    const listedStarts = listed.map((id) => byId.get(id!) as number);
    expect(listedStarts).toEqual([...listedStarts].sort((a, b) => b - a));
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await page.locator('.table-wrap').evaluate((e) => { e.scrollTop = e.scrollHeight; });
      await saveScreenshot(page, `frames-older-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    expect(pageErrors).toEqual([]);
  });
});
