// The integrator's editor against the running distribution (demo plant, signed deploys on):
// the Historian sidebar finds a demo tag and dragging it onto the workspace creates a
// pre-filled historian-query that deploys; an isa-alarm dialog's tag is picked through the
// picker; three deploys are compared (v1 against v3) and version 1 is restored with a
// signature, after which the running flows equal version 1. Screenshots at the reference
// viewports; axe-core on the sidebar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { waitFor } from '../helpers/wait';

let dist: Distribution;
let browser: Browser;
let token: string;
const TAG = 'acme.izmir.plant1.line1.cell1.pump1.temperature';
type Node = Record<string, unknown> & { id: string; type: string };

beforeAll(async () => {
  [dist, browser] = await Promise.all([startDistribution({ env: { HISTORIAN_SIGNED_DEPLOYS: 'true' } }), launchChromium()]);
  token = await dist.login();
});
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

async function openEditor(width = 1440, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  // the demo backfills a month of history at first start: the first page load may wait for it
  await page.goto(dist.url + '/editor/', { timeout: 120_000 });
  await page.fill('#node-dialog-login-username', 'admin');
  await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
  await page.click('#node-dialog-login-submit');
  await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('demo-store'), undefined, { timeout: 60_000 });
  return page;
}

async function openSidebar(page: Page, section: 'tags' | 'status' | 'versions'): Promise<void> {
  await page.evaluate(() => (window as any).RED.sidebar.show('historian'));
  await page.locator(`[data-testid=historian-sidebar] [data-section=${section}]`).click();
}

async function running(): Promise<Node[]> {
  const r = await dist.request('/editor/flows', { token, headers: { 'Node-RED-API-Version': 'v2' } });
  return ((await r.json()) as { flows: Node[] }).flows;
}

/** Deploys from the editor: the deploy-signing prompt asks for the signature. */
async function deployFromEditor(page: Page): Promise<void> {
  const before = (await (await dist.request('/api/v1/flows/versions', { token })).json() as { versions: unknown[] }).versions.length;
  await page.click('#red-ui-header-button-deploy');
  const dlg = page.locator('.historian-deploy-signing');
  await dlg.waitFor();
  await dlg.locator('.hds-user').fill('admin');
  await dlg.locator('.hds-password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign and deploy' }).click();
  await waitFor(async () => (await (await dist.request('/api/v1/flows/versions', { token })).json() as { versions: unknown[] }).versions.length === before + 1, { what: 'a new flow version', timeoutMs: 30_000 });
}

describe('Historian in the editor', () => {
  it('finds a demo tag in the sidebar and drags it onto the workspace to create a pre-filled historian-query, then deploys', async () => {
    const page = await openEditor();
    await openSidebar(page, 'tags');
    const search = page.locator('[data-testid=historian-sidebar] .hs-search');
    await search.fill('pump1.temp');
    const leaf = page.locator(`.hs-leaf[data-tag="${TAG}"]`);
    await leaf.waitFor({ timeout: 20_000 });
    // live value and quality arrive for the tags on screen
    await expect.poll(async () => leaf.locator('.hs-v').textContent(), { timeout: 20_000 }).toMatch(/\d/);
    await saveScreenshot(page, 'editor-sidebar-tags-1440x900');
    const before = await page.evaluate(() => { const out: string[] = []; (window as any).RED.nodes.eachNode((n: any) => { out.push(n.id); }); return out; });
    await leaf.dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 260, y: 680 } }); // clear of the demo's nodes
    const created = await page.evaluate((ids) => {
      let found: any = null;
      (window as any).RED.nodes.eachNode((n: any) => { if (!ids.includes(n.id)) found = { id: n.id, type: n.type, tag: n.tag, kind: n.kind, store: n.store, z: n.z }; });
      return found;
    }, before);
    expect(created).toMatchObject({ type: 'historian-query', tag: TAG, kind: 'latest', store: 'demo-store' });
    await saveScreenshot(page, 'editor-drag-created-query-1440x900');
    // the "alarm" chip makes an isa-alarm for the tag instead (removed again: this deploy is about the query)
    const known = await page.evaluate(() => { const out: string[] = []; (window as any).RED.nodes.eachNode((n: any) => { out.push(n.id); }); return out; });
    await leaf.locator('.hs-chip').dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 700, y: 650 } });
    const alarm = await page.evaluate((ids) => {
      const RED = (window as any).RED;
      let found: any = null;
      RED.nodes.eachNode((n: any) => { if (!ids.includes(n.id)) found = n; });
      const out = found && { type: found.type, row: found.alarms?.[0] };
      if (found) { RED.nodes.remove(found.id); RED.view.redraw(true); }
      return out;
    }, known);
    expect(alarm).toMatchObject({ type: 'isa-alarm', row: { type: 'HI', tag: TAG, priority: 'medium' } });
    await deployFromEditor(page);
    const deployed = (await running()).find((n) => n.id === created.id);
    expect(deployed).toMatchObject({ type: 'historian-query', tag: TAG, store: 'demo-store' });
    await page.context().close();
  }, 180_000);

  it('picks a tag through the picker of an isa-alarm dialog, validating as you type', async () => {
    const page = await openEditor();
    const id = await page.evaluate(() => {
      let found = '';
      (window as any).RED.nodes.eachNode((n: any) => { if (n.type === 'isa-alarm') found = n.id; });
      (window as any).RED.editor.edit((window as any).RED.nodes.node(found));
      return found;
    });
    const field = page.locator('.ia-tag').first();
    await field.waitFor();
    // the demo's alarm list is longer than the dialog and opens at its first row: each row
    // added on opening scrolled it (a 0 ms timer) to its end, where a user saw the last alarms
    const list = await page.evaluate(async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0)); // the timers queued while the dialog opened
      const c = document.querySelector('.ia-tag')!.closest('.red-ui-editableList-container') as HTMLElement;
      return { scrollTop: c.scrollTop, overflows: c.scrollHeight > c.clientHeight + 100 };
    });
    expect(list).toEqual({ scrollTop: 0, overflows: true });
    const msg = page.locator('.htp-msg').first();
    await field.fill('acme.izmir..pump1');
    await expect.poll(() => msg.textContent(), { timeout: 10_000 }).toContain('Not a tag');
    await page.locator('.htp-btn').first().click();
    const picker = page.locator('[data-testid=tag-picker]');
    await picker.locator('.hs-search').fill('line2.cell1.pump2.pressure');
    const leaf = picker.locator('.hs-leaf[data-tag="acme.izmir.plant1.line2.cell1.pump2.pressure"]');
    await leaf.waitFor({ timeout: 10_000 });
    await expect.poll(() => picker.locator('.hs-hint').textContent(), { timeout: 10_000 }).toMatch(/^1 tag /);
    await saveScreenshot(page, 'editor-isa-alarm-tag-picker-1440x900');
    await leaf.click();
    expect(await field.inputValue()).toBe('acme.izmir.plant1.line2.cell1.pump2.pressure');
    await expect.poll(() => msg.textContent(), { timeout: 10_000 }).toContain('bar');
    // a tag dragged from the sidebar onto a tag field fills it
    await openSidebar(page, 'tags');
    await page.locator('[data-testid=historian-sidebar] .hs-search').fill('pump1.flow');
    const flowLeaf = page.locator('[data-testid=historian-sidebar] .hs-leaf[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow"]');
    await flowLeaf.waitFor({ timeout: 20_000 });
    const second = page.locator('.ia-tag').nth(1);
    await flowLeaf.dragTo(second);
    expect(await second.inputValue()).toBe('acme.izmir.plant1.line1.cell1.pump1.flow');
    await page.getByRole('button', { name: 'Done' }).click();
    const rows = await page.evaluate((nid) => (window as any).RED.nodes.node(nid).alarms.map((r: any) => r.tag), id);
    expect(rows.slice(0, 2)).toEqual(['acme.izmir.plant1.line2.cell1.pump2.pressure', 'acme.izmir.plant1.line1.cell1.pump1.flow']);
    await page.context().close();
  }, 120_000);

  it('compares version 1 with version 3 and restores version 1 with a signature; the running flows equal version 1', async () => {
    const page = await openEditor();
    // two more deploys from the editor: rename the demo's comment, then remove it
    const comment = await page.evaluate(() => {
      let found: any = null;
      (window as any).RED.nodes.eachNode((n: any) => { if (n.type === 'comment' && !found) found = n; });
      found.name = 'Plant, second version';
      found.changed = true;
      (window as any).RED.nodes.dirty(true);
      (window as any).RED.view.redraw(true);
      return found.id as string;
    });
    await deployFromEditor(page);
    await page.evaluate((cid) => {
      const RED = (window as any).RED;
      RED.nodes.remove(cid);
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }, comment);
    await deployFromEditor(page);
    const v1 = (await (await dist.request('/api/v1/flows/versions/1', { token })).json() as { flows: Node[] }).flows;
    expect(v1.some((n) => n.id === comment)).toBe(true);
    expect((await running()).some((n) => n.id === comment)).toBe(false);

    await openSidebar(page, 'versions');
    await page.locator('[data-testid=hv-list] [data-version="3"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=hv-from]').selectOption('1');
    await page.locator('[data-testid=hv-to]').selectOption('3');
    await page.locator('[data-testid=hv-compare]').click();
    const diff = page.locator('[data-testid=hv-diff]');
    await diff.locator('[data-testid=hv-removed]').waitFor({ timeout: 20_000 });
    expect(await diff.locator('[data-testid=hv-removed]').textContent()).toContain('Plant: simulator');
    await saveScreenshot(page, 'editor-versions-diff-1440x900');

    await page.locator('[data-testid=hv-list] [data-version="1"] [data-action=restore]').click();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    const sign = page.locator('[data-testid=hv-sign]');
    await sign.waitFor({ timeout: 20_000 });
    expect(await sign.textContent()).toContain('flows.restore');
    await sign.locator('.hv-password').fill(ADMIN_PASSWORD);
    await saveScreenshot(page, 'editor-versions-sign-restore-1440x900');
    await page.getByRole('button', { name: 'Sign and restore' }).click();
    const canonical = (flows: Node[]) => flows.map((n) => JSON.stringify(Object.fromEntries(Object.entries(n).sort(([a], [b]) => a.localeCompare(b))))).sort();
    await waitFor(async () => JSON.stringify(canonical(await running())) === JSON.stringify(canonical(v1)), { what: 'the running flows to equal version 1', timeoutMs: 30_000 });
    const list = (await (await dist.request('/api/v1/flows/versions', { token })).json() as { versions: Array<Record<string, any>> }).versions;
    expect(list[0]).toMatchObject({ version: 4, restoredFrom: 1, signature: { action: 'flows.restore', username: 'admin' } });
    // the editor reloads the restored flows and reopens the versions list
    await page.waitForFunction((cid) => !!(window as any).RED?.nodes?.node?.(cid), comment, { timeout: 60_000 });
    await page.locator('[data-testid=hv-list] [data-version="4"]').waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'editor-versions-restored-1440x900');
    await page.context().close();
  }, 240_000);

  it('says in words why a deploy was not done when a critical change is left unsigned', async () => {
    const page = await openEditor();
    await page.evaluate(() => {
      const RED = (window as any).RED;
      let alarm: any = null;
      RED.nodes.eachNode((n: any) => { if (n.type === 'isa-alarm') alarm = n; });
      alarm.alarms = alarm.alarms.map((r: any, i: number) => (i === 0 ? { ...r, setpoint: Number(r.setpoint) + 5 } : r));
      alarm.changed = true;
      RED.nodes.dirty(true);
    });
    await page.click('#red-ui-header-button-deploy');
    const dlg = page.locator('.historian-deploy-signing');
    await dlg.waitFor();
    await dlg.locator('.hds-user').fill('admin');
    await dlg.locator('.hds-password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign and deploy' }).click();
    // the server asks for the alarm-limit signature too: the prompt names it; leave it unsigned
    await expect.poll(async () => (await page.locator('.historian-deploy-signing').textContent()) ?? '', { timeout: 20_000 }).toContain('alarms.limits.change');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const note = page.locator('.red-ui-notification', { hasText: 'Deploy not done' });
    await note.waitFor({ timeout: 10_000 });
    const text = (await note.textContent()) ?? '';
    expect(text).toContain('alarms.limits.change');
    expect(text).toContain('alarm limits');
    expect(text).not.toContain('{"error"');
    await saveScreenshot(page, 'editor-deploy-unsigned-critical-1440x900');
    await page.context().close();
  }, 120_000);

  it('shows the status section linking to the dashboard', async () => {
    const page = await openEditor();
    await openSidebar(page, 'status');
    const status = page.locator('[data-testid=historian-status]');
    await status.locator('table').first().waitFor({ timeout: 20_000 });
    await expect.poll(async () => page.locator('[data-testid=historian-audit-state]').textContent(), { timeout: 20_000 }).toMatch(/chain verified|not verified yet/);
    expect(await status.locator('a[href$="/#/health"]').count()).toBe(1);
    await saveScreenshot(page, 'editor-sidebar-status-1440x900');
    // the palette opens with Historian's nodes
    expect(await page.evaluate(() => (window as any).$('.red-ui-palette-category').first().attr('id'))).toBe('red-ui-palette-container-historian');
    const axe = await new AxeBuilder({ page }).include('[data-testid=historian-sidebar]').analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.context().close();
  }, 120_000);

  it.each([[1024, 600], [390, 844]])('keeps the tag browser usable at %ix%i', async (width, height) => {
    const page = await openEditor(width, height);
    await openSidebar(page, 'tags');
    await page.locator('[data-testid=historian-sidebar] .hs-search').fill('pump1.flow');
    await page.locator('.hs-leaf[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow"]').waitFor({ timeout: 20_000 });
    await expect.poll(async () => page.locator('.hs-leaf[data-tag="acme.izmir.plant1.line1.cell1.pump1.flow"] .hs-v').textContent(), { timeout: 20_000 }).toMatch(/\d/);
    await saveScreenshot(page, `editor-sidebar-tags-${width}x${height}`);
    await page.context().close();
  }, 120_000);
});
