// The twin-predict edit dialog in the Node-RED editor: the re-baselining option (issue 22)
// and the node help on confidence, the training report and re-baselining. Screenshots at
// the three reference viewports.
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

describe('twin-predict editor', () => {
  it.each([[1440, 900], [1024, 600], [390, 844]])('offers re-baselining and documents confidence and the training report at %ix%i', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(dist.url + '/editor/', { timeout: 90_000 });
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('demo-twin'), undefined, { timeout: 30_000 });
    await page.evaluate(() => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node('demo-twin')); });
    const adapt = page.locator('#node-input-adapt');
    await adapt.waitFor({ timeout: 10_000 });
    // the demo flow predates the option: re-baselining is off
    expect(await adapt.inputValue()).toBe('off');
    expect(await page.locator('#node-input-adapt option').allTextContents()).toEqual(['off', 'when an operator confirms', 'automatic, slowly']);
    await page.locator('#node-input-adapt').scrollIntoViewIfNeeded();
    await saveScreenshot(page, `twin-predict-dialog-${width}x${height}`);
    const help = await page.evaluate(() => document.querySelector('script[data-help-name="twin-predict"]')?.textContent ?? '');
    expect(help).toMatch(/confidence/);
    expect(help).toMatch(/training report/);
    expect(help).toMatch(/rebaseline/);
    await page.close();
  }, 150_000);
});
