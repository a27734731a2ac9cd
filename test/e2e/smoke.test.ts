// The distribution as a user meets it: started as a child process, the dashboard shows
// live values from the demo flow over the WebSocket, and the editor shows the demo flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
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

describe('distribution smoke test', () => {
  it('serves health, readiness and the dashboard page without login', async () => {
    expect((await dist.request('/health')).status).toBe(200);
    expect((await dist.request('/ready')).status).toBe(200);
    const page = await dist.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<historian-app>');
  });

  it('dashboard: logs in, connects the WebSocket and shows live values of the demo plant', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(dist.url + '/');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=connection]', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
    const row = page.locator('[data-testid=live-table] td', { hasText: 'acme.izmir.plant1.line1.cell1.pump1.flow' }).first();
    await row.waitFor({ timeout: 15_000 });
    // values keep arriving: the shown timestamp of a tag changes
    const timeCell = page.locator('[data-testid=live-table] tr', { hasText: 'acme.izmir.plant1.line1.cell1.pump1.flow_sp' }).locator('td').nth(3);
    const first = await timeCell.textContent();
    await expect.poll(() => timeCell.textContent(), { timeout: 10_000 }).not.toBe(first);
    await saveScreenshot(page, 'smoke-dashboard');
    await page.close();
  });

  it('editor: logs in with the same account and shows the deployed demo flow', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => {
      const RED = (window as any).RED;
      return RED?.nodes?.filterNodes && RED.nodes.filterNodes({ type: 'plant-sim' }).length > 0;
    }, undefined, { timeout: 30_000 });
    const types = await page.evaluate(() => {
      const RED = (window as any).RED;
      return ['plant-sim', 'live-publish', 'debug'].map((t) => RED.nodes.filterNodes({ type: t }).length);
    });
    expect(types).toEqual([1, 1, 1]);
    await saveScreenshot(page, 'smoke-editor');
    await page.close();
  });

  it('refuses the live WebSocket and the API without a token', async () => {
    expect((await dist.request('/api/v1/openapi.json')).status).toBe(401);
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(dist.url.replace('http', 'ws') + '/api/v1/live');
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('unauthenticated WebSocket was accepted')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});
