// A damaged audit trail handled in the browser, as an administrator does it (no curl): the
// health page reports the damage and links to the Audit page, which verifies, offers the
// acknowledgement to ADMINs only (an AUDITOR sees the damage, not the form), and records it
// signed; the trail then verifies again. Real server, real restart, real Chromium.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { createUser } from '../helpers/signing';
import { makeTempDir, removeTempDir } from '../helpers/tmp';

const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
const AUDITOR_PASSWORD = 'auditor passphrase 2026';

let dir: string;
let dist: Distribution;
let browser: Browser;

beforeAll(async () => {
  dir = await makeTempDir('audit-damage-e2e-');
  const dataDir = join(dir, 'data');
  const env = { HISTORIAN_DEMO_FLOW: 'none', HISTORIAN_HEALTH_INTERVAL_MS: '500' };
  dist = await startDistribution({ dataDir, env });
  const token = await dist.login();
  await createUser(dist, token, { username: 'aud-e', name: 'Audrey Auditor', role: 'AUDITOR', password: AUDITOR_PASSWORD });
  await dist.stop();
  // as someone with write access to audit.db (not to the key beside it) would: edit an entry
  const db = new DatabaseSync(join(dataDir, 'audit.db'));
  db.exec('DROP TRIGGER IF EXISTS entries_no_update;');
  expect(db.prepare("UPDATE entries SET action = 'auth.logout' WHERE seq = 2").run().changes).toBe(1);
  db.close();
  [dist, browser] = await Promise.all([startDistribution({ dataDir, env }), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
  await removeTempDir(dir);
});

async function signIn(username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORTS[0] })).newPage();
  await page.goto(dist.url + '/');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
  return page;
}

async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).include({ fromShadowDom: ['historian-app', 'historian-audit-view'] }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

describe('a damaged audit trail, in the dashboard', () => {
  it('an AUDITOR sees the damage but is not offered the acknowledgement', async () => {
    const page = await signIn('aud-e', AUDITOR_PASSWORD);
    await page.goto(`${dist.url}/#/audit?verify=1`);
    await expect.poll(() => page.getByTestId('verify-result').textContent(), { timeout: 15_000 }).toMatch(/Chain damaged: altered at entry 2/);
    expect(await page.getByTestId('audit-acknowledge').count()).toBe(0);
    await page.close();
  });

  it('an ADMIN follows the health page to the Audit page and acknowledges, signed; the trail verifies again', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.goto(`${dist.url}/#/health`);
    const link = page.getByTestId('audit-investigate');
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    await expect.poll(() => page.getByTestId('verify-result').textContent(), { timeout: 15_000 }).toMatch(/Chain damaged: altered at entry 2/);
    const form = page.getByTestId('audit-acknowledge');
    await form.waitFor();
    for (const vp of VIEWPORTS) { await page.setViewportSize(vp); await saveScreenshot(page, `audit-acknowledge-${vp.width}x${vp.height}`); }
    await page.setViewportSize(VIEWPORTS[0]);
    await axe(page, 'audit page with the acknowledgement form');
    // a reason is required: the browser keeps the empty form from being sent
    await form.locator('button[type=submit]').click();
    expect(await page.locator('[data-testid=signature-dialog]').count()).toBe(0);
    const reason = 'Compared with the nightly backup with QA: entry 2 was edited by hand';
    await form.locator('textarea[name=reason]').fill(reason);
    await form.locator('button[type=submit]').click();
    const sig = page.locator('[data-testid=signature-dialog]');
    await sig.waitFor();
    expect(await sig.locator('select[name=meaning]').inputValue()).toBe('review');
    await sig.locator('input[name=password]').fill(ADMIN_PASSWORD);
    await sig.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('acknowledge-result').textContent()).toMatch(/Acknowledged, signed, as entry \d+/);
    expect(await page.getByTestId('verify-result').textContent()).toMatch(/Chain intact/);
    expect(await form.count()).toBe(0);
    // the acknowledgement is the trail's newest entry, with the reason and the signature
    const token = await dist.login();
    const newest = (await (await dist.request('/api/v1/audit?action=audit.damage.acknowledge&limit=1', { token })).json()) as { entries: Array<Record<string, any>> };
    expect(newest.entries[0]).toMatchObject({ username: 'admin', reason, signature: { meaning: 'review' } });
    expect((await (await dist.request('/api/v1/audit/verify', { token })).json()) as object).toMatchObject({ ok: true, acknowledgementRequired: false });
    // and the health page no longer sends anyone there
    await page.goto(`${dist.url}/#/health`);
    await page.locator('historian-admin-health dd', { hasText: /^intact: \d+ entries checked$/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('audit-investigate').count()).toBe(0);
    await page.close();
  });
});
