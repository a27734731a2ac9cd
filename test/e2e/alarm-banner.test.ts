// The alarm banner with an alarm the test drives itself (samples through an http-in node
// into an isa-alarm): counted while active and unacknowledged; once it returns to normal
// unacknowledged (ISA-18.2 state D) it is no longer counted but said beside "No active
// unacknowledged alarms", a link to the console, where the operator acknowledges it and the
// banner says nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { makeTempDir } from '../helpers/tmp';

const TAG = 'acme.izmir.plant1.line1.cell1.pump1.temperature';
let dist: Distribution;
let browser: Browser;
let page: Page;

async function send(value: number): Promise<void> {
  const r = await fetch(`${dist.url}/http/banner-samples`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([{ tag: TAG, ts: Date.now(), value }]) });
  expect(r.status).toBe(204);
}

beforeAll(async () => {
  const dir = await makeTempDir('alarm-banner-');
  [dist, browser] = await Promise.all([
    startDistribution({
      dataDir: join(dir, 'data'),
      flow: [
        { id: 'b-tab', type: 'tab', label: 'Banner' },
        { id: 'b-http', type: 'http in', z: 'b-tab', name: '', url: '/banner-samples', method: 'post', upload: false, swaggerDoc: '', wires: [['b-alarms', 'b-ok']] },
        { id: 'b-ok', type: 'http response', z: 'b-tab', name: '', statusCode: '204', headers: {}, wires: [] },
        { id: 'b-alarms', type: 'isa-alarm', z: 'b-tab', name: 'bearing', wires: [[]], alarms: [
          { id: 'bearing-hi', type: 'HI', tag: TAG, priority: 'high', setpoint: 60, deadband: 0, message: 'Bearing temperature high' },
        ] },
      ],
    }),
    launchChromium(),
  ]);
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(dist.url + '/');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=who]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

describe('the alarm banner', () => {
  it('counts an active unacknowledged alarm, says one that returned unacknowledged, and says nothing once it is acknowledged', async () => {
    const banner = page.locator('[data-testid=alarm-banner]');
    await banner.locator('[data-testid=banner-ok]').waitFor();
    expect(await banner.locator('[data-testid=banner-returned]').count()).toBe(0);
    await send(70);
    await banner.locator('[data-testid=banner-newest]', { hasText: 'Bearing temperature high' }).waitFor({ timeout: 15_000 });
    expect(await banner.locator('[data-priority=high]').textContent()).toContain('1');
    // back to normal, not acknowledged: not counted, but said
    await send(50);
    const returned = banner.locator('[data-testid=banner-returned]');
    await returned.waitFor({ timeout: 15_000 });
    expect(await returned.textContent()).toBe('1 returned, unacknowledged');
    expect(await banner.locator('[data-testid=banner-ok]').textContent()).toMatch(/^No active unacknowledged alarms · 1 returned, unacknowledged$/);
    expect(await banner.locator('[data-priority=high]').textContent()).toContain('0');
    await saveScreenshot(page, 'alarm-banner-returned-1440x900');
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
    // the link opens the console, where it is acknowledged
    await returned.click();
    const row = page.locator('[data-testid=alarm-table] tr[data-alarm=bearing-hi]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('D');
    await row.locator('[data-action=ack]').click();
    await returned.waitFor({ state: 'detached', timeout: 15_000 });
    expect(await banner.locator('[data-testid=banner-ok]').textContent()).toBe('No active unacknowledged alarms');
  });
});
