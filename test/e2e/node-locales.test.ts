// Node folders follow the Node-RED palette conventions: help and labels come from
// nodes/<type>/locales/en-US/<type>.html and .json, icons from nodes/<type>/icons. Checked in
// the real editor: palette label, dialog labels and help from the catalogs, the node's own icon.
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

/**
 * The node's type is registered and the deployed flows are shown: a node added and edited
 * before the flows arrive goes with the workspace they replace, and its tray never fills
 * (seen once on a loaded machine: the dialog's labels stayed hidden and untranslated).
 */
const editorReady = (t: string): boolean => {
  const RED = (window as any).RED;
  return !!(RED?.nodes?.getType?.(t) && RED.nodes.getWorkspaceOrder().length > 0 && RED.nodes.workspace(RED.workspaces.active()));
};

/**
 * The fields of the open dialog that no label names, on screen or for assistive technology (a
 * filled field keeps no placeholder to say what it is). Node-RED's own password-manager decoys
 * (red-ui-trap-*) and its config-node scope selector are left out.
 */
function unnamedFields(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('.red-ui-tray:last-of-type input, .red-ui-tray:last-of-type select, .red-ui-tray:last-of-type textarea')]
    .filter((el) => (el as HTMLElement).offsetParent !== null && (el as HTMLInputElement).type !== 'hidden')
    .filter((el) => !/red-ui-trap|red-ui-editor-config-scope/.test(`${el.id} ${el.className}`) && !el.closest('.red-ui-typedInput-container'))
    .filter((el) => ![...((el as HTMLInputElement).labels ?? [])].some((l) => (l.textContent ?? '').trim() !== '') && !el.getAttribute('aria-label'))
    .map((el) => el.id || el.className || el.tagName));
}

describe('node locales and icons in the editor', () => {
  it.each([[1440, 900], [1024, 600], [390, 844]])('labels, help and icons come from the node folders at %ix%i', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(editorReady, 'historian-query', { timeout: 30_000 });
    // palette label from locales/en-US/historian-query.json
    const palette = page.locator('.red-ui-palette-node[data-palette-type="historian-query"] .red-ui-palette-label');
    await palette.waitFor({ state: 'attached', timeout: 10_000 });
    expect((await palette.textContent())?.replace(/\s+/g, ' ').trim()).toBe('historian query');
    // help from locales/en-US/historian-query.html
    const help = await page.evaluate(() => document.querySelector('script[data-help-name="historian-query"]')?.textContent ?? '');
    expect(help).toMatch(/Queries a historian store/);
    // the node's own icon, served from nodes/historian-write/icons
    const icon = await page.evaluate(async () => {
      const r = await fetch('icons/historian/historian-write.svg');
      return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
    });
    expect(icon.status).toBe(200);
    expect(icon.body).toMatch(/^<svg/);
    // dialog labels from the catalog (data-i18n filled in when the dialog opens)
    await page.evaluate(() => {
      const RED = (window as any).RED;
      const n = RED.nodes.getType('historian-query');
      const node = { id: 'loc-q1', type: 'historian-query', z: RED.workspaces.active(), x: 200, y: 120, _def: n, name: '', wires: [], changed: true, dirty: true };
      for (const [k, d] of Object.entries(n.defaults) as Array<[string, { value: unknown }]>) (node as any)[k] ??= d.value;
      RED.nodes.add(node);
      RED.view.redraw(true);
      RED.editor.edit(node);
    });
    const label = page.locator('label[for=node-input-points]');
    await label.waitFor({ timeout: 10_000 });
    expect((await label.textContent())?.trim()).toBe('Points');
    expect((await page.locator('label[for=node-input-from]').textContent())?.trim()).toBe('From');
    await saveScreenshot(page, `node-locales-historian-query-${width}x${height}`);
    await page.close();
  }, 90_000);

  // Nodes moved to the convention later: every label, option, placeholder and aria-label of the
  // dialog comes from the catalog (no raw `<type>.x.y` key), the help from the locales help file.
  const moved: Array<[string, string, string, RegExp]> = [
    ['eip-poll', 'node-input-topic', 'Batch topic', /Polls a table of tags from a Rockwell Logix controller/],
    ['event-frame', 'node-input-store', 'Store', /Event frames: batches, unit procedures and phases/],
  ];
  it.each(moved.flatMap(([t, ...rest]) => [[t, 1440, 900, ...rest], [t, 390, 844, ...rest]] as const))(
    '%s dialog labels and help from its catalog at %ix%i',
    async (type, width, height, labelFor, labelText, helpText) => {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(dist.url + '/editor/');
      await page.fill('#node-dialog-login-username', 'admin');
      await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
      await page.click('#node-dialog-login-submit');
      await page.waitForFunction(editorReady, type, { timeout: 30_000 });
      const palette = page.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`);
      await palette.waitFor({ state: 'attached', timeout: 10_000 });
      expect((await palette.textContent())?.replace(/\s+/g, ' ').trim()).toBe(type.replace('-', ' '));
      await page.evaluate((t) => {
        const RED = (window as any).RED;
        const def = RED.nodes.getType(t);
        const node = { id: 'loc-' + t, type: t, z: RED.workspaces.active(), x: 200, y: 120, _def: def, name: '', wires: [], changed: true, dirty: true };
        for (const [k, d] of Object.entries(def.defaults) as Array<[string, { value: unknown }]>) (node as any)[k] ??= structuredClone(d.value);
        RED.nodes.add(node);
        RED.view.redraw(true);
        RED.editor.edit(node);
      }, type);
      const label = page.locator(`label[for=${labelFor}]`);
      await label.waitFor({ timeout: 30_000 }); // the tray slides in slowly on a busy machine
      expect((await label.textContent())?.trim()).toBe(labelText);
      // every text and attribute the dialog shows, none of them a raw catalog key
      const shown = await page.evaluate(() => {
        const form = document.querySelector('#dialog-form')!;
        const out: string[] = [form.textContent ?? ''];
        for (const el of form.querySelectorAll('*')) {
          for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a)) out.push(el.getAttribute(a)!);
        }
        return out.join('\n');
      });
      expect(shown).not.toMatch(new RegExp(`${type}\\.[A-Za-z]+`));
      expect(shown).not.toMatch(/\b(label|placeholder|paletteLabel)\.[A-Za-z]+/);
      expect(await unnamedFields(page)).toEqual([]);
      await saveScreenshot(page, `node-locales-${type}-dialog-${width}x${height}`);
      // the tray's help button opens the help sidebar with the text from locales/en-US/<type>.html
      await page.click('.red-ui-tray-footer-left button:has(i.fa-book)');
      await page.waitForFunction((t) => document.querySelector('.red-ui-sidebar .red-ui-help-title')?.textContent?.includes(t), type.replace('-', ' '), { timeout: 10_000 });
      const help = await page.locator('.red-ui-sidebar .red-ui-help-title + .red-ui-help').textContent();
      expect(help).toMatch(helpText);
      await saveScreenshot(page, `node-locales-${type}-help-${width}x${height}`);
      await page.close();
    },
    90_000,
  );

  it('every field of every Historian node\'s dialog is named, and no catalog key is shown raw', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(dist.url + '/editor/');
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
    await page.click('#node-dialog-login-submit');
    await page.waitForFunction(editorReady, 'historian-store', { timeout: 30_000 });
    const types = await page.evaluate(() => {
      const RED = (window as any).RED;
      return (RED.nodes.registry.getNodeTypes() as string[]).filter((t) => RED.nodes.registry.getNodeSetForType(t)?.module === 'historian');
    });
    expect(types.length).toBeGreaterThan(20);
    const unnamed: Record<string, string[]> = {};
    for (const type of types) {
      await page.evaluate((t) => {
        const RED = (window as any).RED;
        const def = RED.nodes.getType(t);
        const node = { id: `named-${t}`, type: t, z: RED.workspaces.active(), x: 200, y: 120, _def: def, name: '', wires: [], changed: true, dirty: true, users: [] };
        for (const [k, d] of Object.entries(def.defaults) as Array<[string, { value: unknown }]>) (node as any)[k] ??= structuredClone(d.value);
        RED.nodes.add(node);
        RED.view.redraw(true);
        if (def.category === 'config') RED.editor.editConfig('', t, node.id); else RED.editor.edit(node);
      }, type);
      // the form is shown once oneditprepare has built it (editable lists included)
      await page.locator('.red-ui-tray:last-of-type #dialog-form, .red-ui-tray:last-of-type #node-config-dialog-edit-form').first().waitFor({ timeout: 30_000 });
      const missing = await unnamedFields(page);
      // and no catalog key shown raw (a key missing from the catalog)
      const shown = await page.evaluate(() => {
        const form = document.querySelector('.red-ui-tray:last-of-type .red-ui-tray-body')!;
        const out: string[] = [form.textContent ?? ''];
        for (const el of form.querySelectorAll('*')) for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a)) out.push(el.getAttribute(a)!);
        return out.join('\n');
      });
      const raw = new RegExp(`\\b${type}\\.[A-Za-z]+\\.[A-Za-z]+`).exec(shown);
      if (raw) missing.push(`raw key ${raw[0]}`);
      if (missing.length) unnamed[type] = missing;
      await page.evaluate(() => (window as any).RED.tray.close());
      await page.locator('.red-ui-tray').first().waitFor({ state: 'detached', timeout: 10_000 });
    }
    expect(unnamed).toEqual({});
    await page.close();
  }, 180_000);
});
