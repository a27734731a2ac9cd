// The edit dialogs of the connectivity nodes in the Node-RED editor: eip-poll (tag table,
// batching, CSV), modbus-poll (labels from its locale), egd-consume (exchange and layout) and opcua-subscribe's security section
// with the certificate store (a rejected server certificate is listed and trusted with one
// click). Screenshots at the three reference viewports, axe on the edit tray.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { OPENSSL, requireBinary } from '../helpers/binaries';
import { launchChromium, saveScreenshot } from '../helpers/chromium';
import { ADMIN_PASSWORD, startDistribution, type Distribution } from '../helpers/distribution';
import { makeTempDir, removeTempDir } from '../helpers/tmp';

let dist: Distribution;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  const openssl = requireBinary(OPENSSL);
  dataDir = await makeTempDir('historian-conn-e2e-');
  // A server certificate the historian has seen but not trusted (what a first connection files).
  const rejected = join(dataDir, 'opcua-pki', 'rejected');
  mkdirSync(rejected, { recursive: true });
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dataDir, 'plc.key'), '-out', join(rejected, 'line2-plc.pem'), '-days', '30',
    '-subj', '/CN=Line 2 PLC/O=ACME', '-addext', 'subjectAltName=URI:urn:acme:line2:plc,DNS:line2-plc'], { stdio: 'pipe' });
  [dist, browser] = await Promise.all([startDistribution({ dataDir }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
  if (dataDir) await removeTempDir(dataDir);
});

const FLOW = [
  { id: 'e2e-eip-dev', type: 'eip-device', name: 'Press line L83', host: '192.168.1.20', port: 44818, slot: 0, timeout: 2000, maxPacket: 504, backoffInitial: 500, backoffMax: 30000 },
  { id: 'e2e-eip', type: 'eip-poll', name: 'Press 2', device: 'e2e-eip-dev', groups: [{ name: 'fast', period: '250ms' }, { name: 'slow', period: '5s' }], coalesce: true, output: 'batch', topic: 'press2',
    tags: [
      { tag: 'acme.izmir.plant1.line2.press2.speed', group: 'fast', address: 'Press2.Speed', type: 'real', deadband: '0.5' },
      { tag: 'acme.izmir.plant1.line2.press2.strokes', group: 'slow', address: 'Program:Press2.StrokeCount', type: 'dint' },
      { tag: 'acme.izmir.plant1.line2.press2.oil', group: 'slow', address: 'OilLevels', type: 'real', elements: '4' },
    ], x: 200, y: 80, wires: [[]] },
  { id: 'e2e-mb-dev', type: 'modbus-device', name: 'Pump skid PLC', host: '192.168.1.30', port: 502, unitId: 1, timeout: 1000, backoffInitial: 500, backoffMax: 30000 },
  { id: 'e2e-mb', type: 'modbus-poll', name: 'Pump skid', device: 'e2e-mb-dev', groups: [{ name: 'fast', period: '100ms' }], maxGap: 0, output: 'batch', topic: 'pump-skid',
    tags: [{ tag: 'acme.izmir.plant1.line1.pump1.flow', group: 'fast', register: 'holding', address: '0', type: 'float32', bit: '', byteOrder: 'BE', wordOrder: 'LE', scale: '1', offset: '0', deadband: '0.1' }], x: 200, y: 320, wires: [[]] },
  { id: 'e2e-egd', type: 'egd-consume', name: 'GT1 exchange 1', producerId: '10.0.0.5', exchangeId: 1, period: 100, timeout: '', configSignature: 0, port: 18246, bindAddress: '', multicastGroup: '', timestamps: 'receive', output: 'batch', topic: 'gt1',
    layout: [{ tag: 'acme.izmir.plant1.power.gt1.speed', byte: '0', type: 'uint16' }, { tag: 'acme.izmir.plant1.power.gt1.trip', byte: '8', type: 'bool', bit: '1' }], x: 200, y: 160, wires: [[]] },
  { id: 'e2e-opcua', type: 'opcua-subscribe', name: 'Line 2 PLC', endpoint: 'opc.tcp://line2-plc:4840', samplingInterval: 1000, reconnectInitial: 500, reconnectMax: 10000, output: 'batch',
    securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', userAuth: 'username', userCertificate: '', userPrivateKey: '',
    items: [{ nodeId: 'ns=2;s=Line2.Temp', tag: 'acme.line2.temp' }], x: 200, y: 240, wires: [[], []] },
];

async function login(page: Page): Promise<void> {
  await page.goto(dist.url + '/editor/', { timeout: 90_000 });
  await page.fill('#node-dialog-login-username', 'admin');
  await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
  await page.click('#node-dialog-login-submit');
  await page.waitForFunction(() => (window as any).RED?.nodes?.getType?.('eip-poll'), undefined, { timeout: 30_000 });
  await page.evaluate((flow) => { const RED = (window as any).RED; if (!RED.nodes.node('e2e-eip')) RED.view.importNodes(flow); }, FLOW);
  // the "Imported" notification would cover the dialogs in the screenshots
  await page.evaluate(() => document.querySelectorAll('.red-ui-notification').forEach((n) => n.remove()));
}

async function closeTray(page: Page): Promise<void> {
  await page.evaluate(() => (window as any).RED.tray.close());
  await page.waitForFunction(() => document.querySelectorAll('#red-ui-editor-stack .red-ui-tray').length === 0, undefined, { timeout: 10_000 });
}

// Node-RED's own tray footer button and its hidden autofill trap fields are not ours to fix.
function axeOnTray(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).include('#red-ui-editor-stack').exclude('.red-ui-tray-footer').exclude('#red-ui-trap-user').exclude('#red-ui-trap-username').exclude('#red-ui-trap-password');
}

async function openAndCheck(page: Page, id: string, name: string, width: number, height: number): Promise<void> {
  await page.evaluate((nid) => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node(nid)); }, id);
  await page.locator('#red-ui-editor-stack .red-ui-tray-body').first().waitFor({ timeout: 10_000 });
  await saveScreenshot(page, `${name}-${width}x${height}`);
  const result = await axeOnTray(page).analyze();
  const bad = result.violations.filter((v) => v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  expect(bad, `axe on the ${name} dialog`).toEqual([]);
  await closeTray(page);
}

describe('connectivity node editors', () => {
  it.each([[1440, 900], [1024, 600], [390, 844]])('eip-poll, egd-consume, modbus-poll and opcua-subscribe dialogs at %ix%i', async (width, height) => {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    await login(page);
    await page.evaluate((nid) => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node(nid)); }, 'e2e-eip');
    await page.locator('.eip-address').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.eip-address').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['Press2.Speed', 'Program:Press2.StrokeCount', 'OilLevels']);
    await page.click('#eip-csv-export');
    expect((await page.inputValue('#eip-csv')).split('\n')[0]).toBe('tag,group,address,type,elements,scale,offset,deadband');
    await closeTray(page);
    await openAndCheck(page, 'e2e-eip', 'eip-poll-dialog', width, height);
    // the tag table must not push the dialog's Done button out of the window
    await page.evaluate((nid) => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node(nid)); }, 'e2e-eip');
    const done = page.locator('#node-dialog-ok');
    await done.waitFor({ timeout: 10_000 });
    // the tray slides in and Node-RED sizes it after opening: wait for it to settle
    await expect.poll(async () => { const box = await done.boundingBox(); return !!box && box.x + box.width <= width; }, { timeout: 10_000 }).toBe(true);
    await closeTray(page);
    await openAndCheck(page, 'e2e-egd', 'egd-consume-dialog', width, height);
    // every label of the modbus-poll dialog comes from its locale: none is left empty
    await page.evaluate((nid) => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node(nid)); }, 'e2e-mb');
    await page.locator('#modbus-csv-export').waitFor({ timeout: 10_000 });
    const texts = await page.locator('#red-ui-editor-stack [data-i18n]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-i18n'), e.textContent?.trim() || e.getAttribute('aria-label') || '']));
    expect(texts.filter(([, t]) => !t), 'modbus-poll labels without text').toEqual([]);
    expect(await page.locator('#modbus-csv-export').textContent()).toContain('Export');
    expect(await page.locator('#node-input-output option[value=single]').textContent()).toBe('one message per sample');
    await closeTray(page);
    await openAndCheck(page, 'e2e-mb', 'modbus-poll-dialog', width, height);

    await page.evaluate((nid) => { const RED = (window as any).RED; RED.editor.edit(RED.nodes.node(nid)); }, 'e2e-opcua');
    const row = page.locator('#opcua-certs .opcua-cert', { hasText: 'urn:acme:line2:plc' });
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator('#node-input-securityPolicy').inputValue()).toBe('Basic256Sha256');
    expect(await page.locator('#node-input-password').isVisible()).toBe(true);
    await row.scrollIntoViewIfNeeded();
    await saveScreenshot(page, `opcua-security-dialog-${width}x${height}`);
    const result = await axeOnTray(page).analyze();
    expect(result.violations.filter((v) => v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), 'axe on the opcua dialog').toEqual([]);
    if (width === 1440) {
      // one click trusts it: the list moves it under Trusted and the store on disk agrees
      await row.locator('button', { hasText: 'Trust' }).click();
      await page.locator('#opcua-certs .opcua-cert button', { hasText: 'Reject' }).waitFor({ timeout: 10_000 });
      const res = await dist.request('/editor/historian/opcua/certificates', { token: await dist.login() });
      const store = await res.json() as { trusted: Array<{ applicationUri: string }>; rejected: unknown[] };
      expect(store.trusted.map((c) => c.applicationUri)).toEqual(['urn:acme:line2:plc']);
      expect(store.rejected).toEqual([]);
      // the decision is in the audit trail with who made it
      const audit = await dist.request('/api/v1/audit?action=opcua.certificate.trust', { token: await dist.login() });
      const text = await audit.text();
      expect(audit.status, text).toBe(200);
      expect(text).toContain('urn:acme:line2:plc');
      expect(text).toContain('"username":"admin"');
      await saveScreenshot(page, `opcua-security-trusted-${width}x${height}`);
    }
    await context.close();
  }, 120_000);
});
