// Node folders follow the Node-RED palette conventions: help and labels come from
// nodes/<type>/locales/en-US/<type>.html and .json, icons from nodes/<type>/icons. Checked in
// the real editor: palette label, dialog labels and help from the catalogs, the node's own icon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';

let dist: Distribution;
let browser: Browser;

beforeAll(async () => {
  [dist, browser] = await Promise.all([startDistribution(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

describe('node locales and icons in the editor', () => {
  it.each([[1440, 900], [1024, 600], [390, 844]])('labels, help and icons come from the node folders at %ix%i', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => (window as any).RED?.nodes?.getType?.('historian-query'), undefined, { timeout: 30_000 });
    // palette label from locales/en-US/historian-query.json
    const palette = page.locator('.red-ui-palette-node[data-palette-type="historian-query"] .red-ui-palette-label');
    await palette.waitFor({ state: 'attached', timeout: 10_000 });
    expect((await palette.textContent())?.replace(/\s+/g, ' ').trim()).toBe('historian query');
    // help from locales/en-US/historian-query.html
    const help = await page.evaluate(() => document.querySelector('script[data-help-name="historian-query"]')?.textContent ?? '');
    expect(help).toMatch(/Queries a historian store/);
    // the node's own icon, served from nodes/historian-write/icons
    const icon = await page.evaluate(async () => {
      const r = await fetch('icons/historian/historian-write.svg');
      return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
    });
    expect(icon.status).toBe(200);
    expect(icon.body).toMatch(/^<svg/);
    // dialog labels from the catalog (data-i18n filled in when the dialog opens)
    await page.evaluate(() => {
      const RED = (window as any).RED;
      const n = RED.nodes.getType('historian-query');
      const node = { id: 'loc-q1', type: 'historian-query', z: RED.workspaces.active(), x: 200, y: 120, _def: n, name: '', wires: [], changed: true, dirty: true };
      for (const [k, d] of Object.entries(n.defaults) as Array<[string, { value: unknown }]>) (node as any)[k] ??= d.value;
      RED.nodes.add(node);
      RED.view.redraw(true);
      RED.editor.edit(node);
    });
    const label = page.locator('label[for=node-input-points]');
    await label.waitFor({ timeout: 10_000 });
    expect((await label.textContent())?.trim()).toBe('Points');
    expect((await page.locator('label[for=node-input-from]').textContent())?.trim()).toBe('From');
    await saveScreenshot(page, `node-locales-historian-query-${width}x${height}`);
    await page.close();
  }, 90_000);
});
