// Disk pressure in the browser: the data directory on a 64 MB tmpfs (mounted by the test;
// root needed) filled below the watermark. The administrator still signs in, the system
// health page shows the refused writes and the problem; once space returns it says so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { ADMIN_PASSWORD, startDistribution, type Distribution } from '../helpers/distribution';
import { makeTempDir, removeTempDir } from '../helpers/tmp';

const MB = 1_048_576;
const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1024, height: 600 }, { width: 390, height: 844 }];
let dir: string;
let mnt: string;
let mounted = false;
let dist: Distribution | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  dir = await makeTempDir('disk-ui-');
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`this test mounts a 64 MB tmpfs and must run as root: ${(e as { stderr?: Buffer }).stderr ?? e}`);
  }
  mounted = true;
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([{ id: 'c-store', type: 'historian-store', name: 'default', directory: 'tsdb/default' }]));
  [dist, browser] = await Promise.all([
    startDistribution({ dataDir: join(mnt, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_DISK_MIN_FREE_PERCENT: '50', HISTORIAN_DISK_MIN_FREE_MB: '16', HISTORIAN_HEALTH_INTERVAL_MS: '200' } }),
    launchChromium(),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dist?.stop();
  if (mounted) execFileSync('umount', [mnt]);
  if (dir) await removeTempDir(dir);
});

describe('system health under disk pressure', () => {
  it('signs in and shows writes refused below the watermark, accepted again once space returns', async () => {
    const filler = join(mnt, 'filler.bin');
    const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 8 * MB), 1));
    const page = await (await browser!.newContext({ viewport: VIEWPORTS[0] })).newPage();
    await page.goto(dist!.url + '/');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.click('[data-nav=health]');
    const writes = page.locator('[data-field=disk-writes]');
    await writes.filter({ hasText: 'refused below 16' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-problem=disk-low]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-problem=disk-low]').textContent()).toMatch(/below the 16\.0 MB watermark: new writes are refused/);
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      await saveScreenshot(page, `health-disk-low-${vp.width}x${vp.height}`);
    }
    await page.setViewportSize(VIEWPORTS[0]);
    const result = await new AxeBuilder({ page }).include({ fromShadowDom: ['historian-app', 'historian-admin-health'] }).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ') + ' ' + n.failureSummary).join('; ')}`)).toEqual([]);
    rmSync(filler);
    await writes.filter({ hasText: 'accepted' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-problem=disk-low]').count()).toBe(0);
    await saveScreenshot(page, 'health-disk-ok-1440x900');
  });
});
