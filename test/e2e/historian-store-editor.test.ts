// The historian-store edit dialog in the Node-RED editor: the late-data limit replaces the
// old per-tag window, and the help states the durability contract per fsync policy
// (issue 18, defects 1 and 7). Screenshots at the three reference viewports.
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

describe('historian-store editor', () => {
  it.each([[1440, 900], [1024, 600], [390, 844]])('shows the late-data limit and the durability help at %ix%i', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('demo-store'), undefined, { timeout: 30_000 });
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'historian-store', 'demo-store'));
    const field = page.locator('#node-config-input-lateLimitDays');
    await field.waitFor({ timeout: 10_000 });
    // the demo flow predates the field: empty means the default, no limit
    expect(['', '0']).toContain(await field.inputValue());
    expect(await page.locator('label[for=node-config-input-lateLimitDays]').textContent()).toContain('Late data limit (days)');
    expect(await page.locator('#node-config-input-outOfOrderMinutes').count()).toBe(0);
    await saveScreenshot(page, `historian-store-dialog-${width}x${height}`);
    const help = await page.evaluate(() => (window as any).RED.nodes.getType('historian-store') && document.querySelector('script[data-help-name="historian-store"]')?.textContent);
    expect(help).toMatch(/process is killed/);
    expect(help).toMatch(/power loss/);
    await page.close();
  }, 60_000);
});
