// The distribution over HTTPS in headless Chromium, with a certificate it generated on
// first start: the browser trusts exactly that certificate through its public-key hash
// (--ignore-certificate-errors-spki-list, not a blanket --ignore-certificate-errors), the
// dashboard logs in and receives live samples over wss://, the Node-RED editor loads,
// opens a node's edit dialog and connects its comms socket, and neither reports a single
// Content-Security-Policy violation.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startDistribution, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';

let dist: Distribution;
let browser: Browser;

beforeAll(async () => {
  dist = await startDistribution({ https: {}, env: { HISTORIAN_TLS: 'self-signed' } });
  const cert = new X509Certificate(fs.readFileSync(path.join(dist.dataDir, 'tls', 'self-signed-cert.pem')));
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  browser = await launchChromium({ args: [`--ignore-certificate-errors-spki-list=${spki}`] });
});

afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

interface Watch { violations: string[]; sockets: string[] }

/** A page that records CSP violations (the DOM event and Chromium's console report) and WebSocket URLs. */
async function watchedPage(viewport = { width: 1440, height: 900 }): Promise<{ page: Page; watch: Watch }> {
  const watch: Watch = { violations: [], sockets: [] };
  const page = await browser.newPage({ viewport });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ((window as any).__csp ??= []).push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    }, true);
  });
  page.on('console', (m) => { if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|evaluate)/i.test(m.text())) watch.violations.push(m.text()); });
  page.on('websocket', (ws) => watch.sockets.push(ws.url()));
  return { page, watch };
}

async function violations(page: Page, watch: Watch): Promise<string[]> {
  const dom: string[] = await page.evaluate(() => (window as any).__csp ?? []);
  return [...watch.violations, ...dom];
}

describe('HTTPS in Chromium with a generated certificate', () => {
  it('dashboard: logs in, receives live samples over wss:// and reports no CSP violation', async () => {
    const { page, watch } = await watchedPage();
    // the live view by its route: the demo's home page after login is the Plant overview layout
    const res = await page.goto(dist.url + '/#/live');
    expect(res?.status()).toBe(200);
    expect(page.url()).toMatch(/^https:\/\//);
    expect(res?.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=connection]', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
    const timeCell = page.locator('[data-testid=live-table] tr[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow_sp"] td.time');
    await timeCell.waitFor({ timeout: 15_000 });
    const first = await timeCell.textContent();
    await expect.poll(() => timeCell.textContent(), { timeout: 10_000 }).not.toBe(first);
    expect(watch.sockets.some((u) => u.startsWith('wss://') && u.includes('/api/v1/live'))).toBe(true);
    expect(watch.sockets.filter((u) => u.startsWith('ws://'))).toEqual([]);
    for (const vp of [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(vp);
      await saveScreenshot(page, `https-dashboard-${vp.width}x${vp.height}`);
    }
    // the trend view (uPlot canvas, its styles) under the same policy
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${dist.url}/#/trend?tags=acme.izmir.plant1.line1.cell1.pump1.flow&range=15m`);
    await page.locator('[data-testid=trend-plot] canvas').waitFor({ timeout: 15_000 });
    // the history query answered and the chart has its series drawn
    await expect.poll(() => page.evaluate(() => {
      const app = document.querySelector('historian-app')!.shadowRoot!;
      const t = app.querySelector('historian-trend-view')!.shadowRoot!.querySelector('historian-trend') as any;
      return t?.chart?.data?.[0]?.length ?? 0;
    }), { timeout: 15_000 }).toBeGreaterThan(10);
    await saveScreenshot(page, 'https-trend-1440x900');
    // the other views, each rendered under the policy
    for (const view of ['alarms', 'layouts', 'audit']) {
      await page.evaluate((v) => { location.hash = `#/${v}`; }, view);
      await expect.poll(() => page.evaluate(() => document.querySelector('historian-app')!.shadowRoot!.innerHTML.length), { timeout: 10_000 }).toBeGreaterThan(500);
      await page.waitForLoadState('networkidle');
      await saveScreenshot(page, `https-${view}-1440x900`);
    }
    expect(await violations(page, watch)).toEqual([]);
    await page.close();
  });

  it('editor: logs in, shows the demo flow, opens a node editor and the comms socket over wss://, with no CSP violation', async () => {
    const { page, watch } = await watchedPage();
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(() => {
      const RED = (window as any).RED;
      return RED?.nodes?.filterNodes && RED.nodes.filterNodes({ type: 'plant-sim' }).length > 0;
    }, undefined, { timeout: 30_000 });
    // node definitions arrive as HTML with inline <script>: the palette holds ours
    await page.locator('.red-ui-palette-node[data-palette-type="historian-write"]').waitFor({ timeout: 10_000 });
    // an edit dialog runs the node's oneditprepare (inline script) and the code editor
    await page.evaluate(() => {
      const RED = (window as any).RED;
      RED.editor.edit(RED.nodes.filterNodes({ type: 'historian-write' })[0]);
    });
    await page.locator('.red-ui-tray').first().waitFor({ timeout: 10_000 });
    await page.evaluate(() => (window as any).RED.tray.close());
    await expect.poll(() => page.locator('.red-ui-tray').count(), { timeout: 10_000 }).toBe(0);
    // a function node's dialog loads the Monaco code editor; its lint worker marks the syntax error
    await page.evaluate(() => {
      const RED = (window as any).RED;
      RED.view.importNodes([{ id: 'https-fn', type: 'function', z: RED.workspaces.active(), name: 'csp probe', func: 'return msg;\nlet x = ;', outputs: 1, x: 200, y: 400, wires: [[]] }]);
      RED.editor.edit(RED.nodes.node('https-fn'));
    });
    await page.locator('.red-ui-tray .monaco-editor .view-lines', { hasText: 'return msg;' }).waitFor({ timeout: 20_000 });
    await page.locator('.red-ui-tray .monaco-editor .squiggly-error').first().waitFor({ timeout: 20_000 });
    await saveScreenshot(page, 'https-editor-function-1440x900');
    expect(watch.sockets.some((u) => u.startsWith('wss://') && u.includes('/editor/comms'))).toBe(true);
    await saveScreenshot(page, 'https-editor-1440x900');
    expect(await violations(page, watch)).toEqual([]);
    await page.close();
  });

  it('a page that tries inline script on the dashboard origin is blocked and reported (the policy is live)', async () => {
    const { page, watch } = await watchedPage();
    await page.goto(dist.url + '/health');
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = '(window).__ran = true';
      document.body.appendChild(s);
    });
    await expect.poll(async () => (await violations(page, watch)).length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as any).__ran ?? false)).toBe(false);
    await page.close();
  });
});
