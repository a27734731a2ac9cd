// The distribution as a user meets it: started as a child process, the dashboard shows
// live values from the demo flow over the WebSocket, and the editor shows the demo flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { waitFor } from '../helpers/wait';

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
    // the live view by its route: the demo's home page after login is the Plant overview layout
    await page.goto(dist.url + '/#/live');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=connection]', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
    const row = page.locator('[data-testid=live-table] tr[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow"]');
    await row.waitFor({ timeout: 15_000 });
    // values keep arriving: the shown timestamp of a tag changes
    const timeCell = page.locator('[data-testid=live-table] tr[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow_sp"] td.time');
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
      return [...['plant-sim', 'historian-write', 'calc-tag', 'isa-alarm', 'twin-predict', 'store-forward', 'tier-mover', 'audit-log'].map((t) => RED.nodes.filterNodes({ type: t }).length), RED.nodes.node('demo-store')?.type];
    });
    expect(types).toEqual([1, 3, 1, 1, 1, 2, 1, 2, 'historian-store']);
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

  it('the demo samples arrive on the WebSocket once durable, and the query API returns exactly them', async () => {
    const token = await dist.login();
    const ws = new WebSocket(dist.url.replace('http', 'ws') + '/api/v1/live', { headers: { Authorization: `Bearer ${token}` } });
    const received: Array<{ tag: string; ts: number; value: number; quality: string }> = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'hello') ws.send(JSON.stringify({ op: 'subscribe', patterns: ['acme.izmir.plant1.line1.>'] }));
      if (m.type === 'samples') received.push(...m.samples);
    });
    try {
      await waitFor(() => received.length >= 40, { what: '40 live samples', timeoutMs: 15_000 });
    } finally {
      ws.close();
    }
    expect(received.every((s) => s.tag.startsWith('acme.izmir.plant1.line1.'))).toBe(true);
    const s = received[0];
    const q = new URLSearchParams({ kind: 'raw', tag: s.tag, from: String(s.ts), to: String(s.ts + 1) });
    const res = await dist.request(`/api/v1/query?${q}`, { token });
    expect(res.status).toBe(200);
    const body = await res.json() as { samples: Array<{ ts: number; value: number; quality: string }> };
    expect(body.samples).toEqual([{ ts: s.ts, value: s.value, quality: s.quality }]);
    // every sample seen live for that tag is in the store
    const mine = received.filter((r) => r.tag === s.tag);
    const all = await dist.request(`/api/v1/query?${new URLSearchParams({ kind: 'raw', tag: s.tag, from: String(mine[0].ts), to: String(mine[mine.length - 1].ts + 1) })}`, { token });
    const stored = (await all.json() as { samples: Array<{ ts: number; value: number }> }).samples;
    expect(stored.map((x) => [x.ts, x.value])).toEqual(mine.map((x) => [x.ts, x.value]));
    // a bad query names the field
    const bad = await dist.request('/api/v1/query?kind=raw&tag=acme..x&from=now-1h&to=now', { token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^tag: /);
  });
});
