// A store-and-forward buffer's quarantine on the Health page, in headless Chromium against
// the running distribution and a real Mosquitto whose ACL lets this gateway publish its own
// site only: samples of another site are refused by the broker (MQTT 5 "not authorized") and
// quarantined; an engineer purges them from the page with a reason and a signature (Cancel
// first keeps them), and the audit trail records what was deleted. axe-core and screenshots
// of the purge dialog at 1440x900, 1024x600 and 390x844.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDistribution, type Distribution } from '../helpers/distribution';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto';
import { createUser } from '../helpers/signing';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
const ENG = { username: 'eng-q', name: 'Engineer Q', password: 'quarantine engineer 2026' };
let broker: MosquittoServer;
let dist: Distribution;
let browser: Browser;
let admin: string;

beforeAll(async () => {
  const dir = await makeTempDir('quarantine-e2e-');
  const acl = join(dir, 'acl');
  writeFileSync(acl, 'topic write hist/acme.izmir\ntopic read hist/#\n');
  broker = await startMosquitto({ extraConfig: [`acl_file ${acl}`] });
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([
    { id: 'q-tab', type: 'tab', label: 'Quarantine e2e' },
    // samples posted to /http/e2e-samples go to the buffer as msg.payload
    { id: 'q-http', type: 'http in', z: 'q-tab', name: '', url: '/e2e-samples', method: 'post', upload: false, swaggerDoc: '', wires: [['q-sf', 'q-ok']] },
    { id: 'q-ok', type: 'http response', z: 'q-tab', name: '', statusCode: '204', headers: {}, wires: [] },
    { id: 'q-sf', type: 'store-forward', z: 'q-tab', name: 'uplink', uplink: 'mqtt', connection: 'node', url: broker.url, template: 'hist/{tag:2}',
      batchSize: 100, lingerMs: 20, ramLimitMb: 16, diskLimitMb: 64, journal: 'spill', policy: 'block', fsync: 'interval', wires: [] },
  ]));
  [dist, browser] = await Promise.all([
    startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_HEALTH_INTERVAL_MS: '500' } }),
    launchChromium(),
  ]);
  admin = await dist.login();
  await createUser(dist, admin, { ...ENG, role: 'ENGINEER' });
});

afterAll(async () => {
  await browser?.close();
  await dist?.stop();
  await broker?.dispose();
});

async function buffer(): Promise<{ quarantined: number; sentSamples: number; lastError: string | null }> {
  const r = await dist.request('/api/v1/buffers', { token: admin });
  return ((await r.json()) as { buffers: Array<{ name: string; quarantined: number; sentSamples: number; lastError: string | null }> }).buffers.find((b) => b.name === 'uplink')!;
}

async function post(samples: unknown[]): Promise<void> {
  const r = await fetch(`${dist.url}/http/e2e-samples`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(samples) });
  expect(r.status).toBe(204);
}

async function login(page: Page): Promise<void> {
  await page.goto(dist.url + '/#/health');
  await page.fill('input[name=username]', ENG.username);
  await page.fill('input[name=password]', ENG.password);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor({ state: 'attached' });
}

describe('quarantine on the Health page', () => {
  it('an envelope the broker refused is purged with a reason and a signature; Cancel keeps it; the trail lists what was deleted', async () => {
    const now = Date.now();
    await post([{ tag: 'acme.izmir.line1.pump1.flow', ts: now, value: 41.5 }]);
    await waitFor(async () => (await buffer()).sentSamples === 1, { timeoutMs: 15_000, what: 'the own site delivered' });
    await post([{ tag: 'acme.bursa.line1.pump1.flow', ts: now, value: 7 }, { tag: 'acme.bursa.line1.pump2.flow', ts: now, value: 8 }]);
    await waitFor(async () => (await buffer()).quarantined === 1, { timeoutMs: 15_000, what: 'the refused envelope quarantined' });
    expect((await buffer()).lastError).toMatch(/not authori[sz]ed/i);

    const ctx = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await ctx.newPage();
    await login(page);
    const purge = page.locator('historian-admin-health button[data-action=purge]');
    await purge.waitFor({ timeout: 15_000 });
    // the last error says when it happened, so an old one is not read as a current one
    expect(await page.locator('historian-admin-health [data-testid=buffer-error-at]').textContent()).toMatch(/^\(\w{3} \d{1,2}, \d{4}, /);
    // Cancel keeps the entries
    await purge.click();
    const ask = page.getByTestId('confirm-dialog');
    await ask.waitFor();
    expect(await ask.textContent()).toContain('Delete the quarantined entry?');
    await ask.locator('button[data-answer=no]').click();
    await ask.waitFor({ state: 'detached' });
    expect((await buffer()).quarantined).toBe(1);
    // the dialog at every size, with axe
    await purge.click();
    await ask.waitFor();
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await saveScreenshot(page, `health-quarantine-purge-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    const axe = await new AxeBuilder({ page }).include({ fromShadowDom: ['historian-app', 'historian-admin-health', 'historian-confirm-dialog'] }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
    // no reason: the dialog stays open and nothing is deleted
    await ask.locator('button[data-answer=yes]').click();
    expect(await ask.isVisible()).toBe(true);
    await ask.locator('textarea[name=reason]').fill('acme.bursa samples sent by a mis-set template; the line re-sends them from its own gateway');
    await ask.locator('button[data-answer=yes]').click();
    // the signature
    const sig = page.locator('[data-testid=signature-dialog]');
    await sig.waitFor();
    await sig.locator('input[name=password]').fill(ENG.password);
    await sig.locator('select[name=meaning]').selectOption('responsibility');
    await sig.locator('button[type=submit]').click();
    await waitFor(async () => (await buffer()).quarantined === 0, { timeoutMs: 10_000, what: 'the quarantine purged' });
    await page.getByText('1 entry of uplink deleted.').waitFor();
    await saveScreenshot(page, 'health-quarantine-purged-1440x900');

    const r = await dist.request('/api/v1/audit?action=buffers.quarantine.purge', { token: admin });
    const entries = ((await r.json()) as { entries: Array<Record<string, any>> }).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'buffers.quarantine.purge', target: 'buffer:uplink', username: ENG.username,
      reason: 'acme.bursa samples sent by a mis-set template; the line re-sends them from its own gateway',
      previousValue: { envelopes: 1, samples: 2, listed: [{ subject: 'hist/acme.bursa', count: 2 }] }, newValue: { purged: 1 },
      signature: { action: 'buffers.quarantine.purge', meaning: 'responsibility' },
    });
    await ctx.close();
  });
});
