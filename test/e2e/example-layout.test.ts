// The demo flow and every example flow (the editor's import menu) as the editor draws them:
// no node lies over another, or over the status line under it. Node widths come from their
// labels' rendered text, so this is measured in the real editor, not estimated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../helpers/distribution';
import { launchChromium, saveScreenshot } from '../helpers/chromium';

const root = join(__dirname, '..', '..');
const files = [
  join(root, 'flows', 'demo-plant.json'),
  ...readdirSync(join(root, 'examples')).flatMap((d) => readdirSync(join(root, 'examples', d)).filter((f) => f.endsWith('.json')).map((f) => join(root, 'examples', d, f))),
];
/** the status line (dot and text) the editor draws under a node that sets one */
const STATUS_PX = 20;

interface Drawn { name: string; type: string; x: number; y: number; w: number; h: number }

let dist: Distribution;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [dist, browser] = await Promise.all([startDistribution(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(dist.url + '/editor/');
  await page.fill('#node-dialog-login-username', 'admin');
  await page.fill('#node-dialog-login-password', ADMIN_PASSWORD);
  await page.click('#node-dialog-login-submit');
  await page.waitForFunction(() => (window as any).RED?.nodes?.getType?.('historian-query'), undefined, { timeout: 30_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await dist?.stop();
});

/** Imports a flow (its own tabs, or a new one) and returns each new tab's nodes as drawn. */
async function importAndMeasure(flow: unknown[]): Promise<Drawn[][]> {
  const tabs: string[] = await page.evaluate((flow: any[]) => {
    const RED = (window as any).RED;
    const before = new Set<string>();
    RED.nodes.eachNode((n: any) => before.add(n.id));
    RED.view.importNodes(flow, { generateIds: true, addFlow: !flow.some((n) => n.type === 'tab') });
    const z = new Set<string>();
    RED.nodes.eachNode((n: any) => { if (!before.has(n.id)) z.add(n.z); });
    return [...z];
  }, flow);
  const out: Drawn[][] = [];
  for (const z of tabs) {
    await page.evaluate((z) => { const RED = (window as any).RED; RED.workspaces.show(z); RED.view.redraw(true); }, z);
    // widths are set when a node is first drawn
    await page.waitForFunction((z) => {
      let ok = true;
      (window as any).RED.nodes.eachNode((n: any) => { if (n.z === z && !(n.w > 0)) ok = false; });
      return ok;
    }, z, { timeout: 10_000 });
    out.push(await page.evaluate((z) => {
      const o: Drawn[] = [];
      (window as any).RED.nodes.eachNode((n: any) => { if (n.z === z) o.push({ name: n.name || n.type, type: n.type, x: n.x, y: n.y, w: n.w, h: n.h }); });
      return o;
    }, z));
  }
  return out;
}

function overlaps(nodes: Drawn[]): string[] {
  const status = (n: Drawn) => (n.type === 'comment' || n.type.startsWith('link ') ? 0 : STATUS_PX);
  const bad: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i], b = nodes[j];
      const x = a.x - a.w / 2 < b.x + b.w / 2 && b.x - b.w / 2 < a.x + a.w / 2;
      const y = a.y - a.h / 2 < b.y + b.h / 2 + status(b) && b.y - b.h / 2 < a.y + a.h / 2 + status(a);
      if (x && y) bad.push(`"${a.name}" and "${b.name}"`);
    }
  }
  return bad;
}

describe('demo and example flows as the editor draws them', () => {
  it.each(files.map((f) => [basename(f), f]))('%s: no node over another or over its status line', async (name, file) => {
    const drawn = await importAndMeasure(JSON.parse(readFileSync(file, 'utf8')));
    expect(drawn.length).toBeGreaterThan(0);
    for (const nodes of drawn) {
      expect(nodes.length).toBeGreaterThan(0);
      expect(overlaps(nodes)).toEqual([]);
    }
    if (name === 'demo-plant.json') {
      await page.evaluate(() => { const RED = (window as any).RED; RED.workspaces.show(RED.nodes.getWorkspaceOrder().find((z: string) => RED.nodes.workspace(z).label === 'Plant')); });
      await saveScreenshot(page, 'example-layout-demo-plant');
    }
  }, 30_000);

  it('finds an overlap where there is one', () => {
    // the check itself: a status line under one node runs into the node below it
    expect(overlaps([
      { name: 'a', type: 'isa-alarm', x: 400, y: 280, w: 180, h: 30 },
      { name: 'b', type: 'event-frame', x: 400, y: 320, w: 140, h: 30 },
    ])).toEqual(['"a" and "b"']);
    expect(overlaps([
      { name: 'a', type: 'isa-alarm', x: 400, y: 280, w: 180, h: 30 },
      { name: 'b', type: 'event-frame', x: 400, y: 340, w: 140, h: 30 },
    ])).toEqual([]);
  });
});
