import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, saveScreenshot, SCREENSHOT_DIR } from '../../helpers/chromium';
import { waitFor } from '../../helpers/wait';

describe('launchChromium', () => {
  let browser: Browser | undefined;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>probe</title><h1 id="path">${req.url}</h1>
        <script>document.body.dataset.ready = String(1 + 1)</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads a local page, runs its script and reads the DOM', async () => {
    browser = await launchChromium();
    expect(browser.isConnected()).toBe(true);
    const page = await browser.newPage();
    await page.goto(`${base}/plant/area1`);
    expect(await page.title()).toBe('probe');
    expect(await page.textContent('#path')).toBe('/plant/area1');
    expect(await page.evaluate('document.body.dataset.ready')).toBe('2');

    await page.goto('data:text/html,<p id="x">from a data url</p>');
    expect(await page.textContent('#x')).toBe('from a data url');

    const file = await saveScreenshot(page, 'helpers chromium/probe');
    expect(file.startsWith(SCREENSHOT_DIR)).toBe(true);
    const png = await fs.promises.readFile(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('leaves no browser process behind after close', async () => {
    const before = new Set(chromiumDescendants());
    const own = await launchChromium();
    const running = chromiumDescendants().filter((pid) => !before.has(pid));
    expect(running.length).toBeGreaterThan(0);
    await own.close();
    expect(own.isConnected()).toBe(false);
    await waitFor(() => running.every((pid) => !isAlive(pid)), { what: `chromium processes ${running.join(', ')} to exit` });
  });
});

/** pids of chromium processes descending from this test worker, read from /proc. */
function chromiumDescendants(): number[] {
  const parent = new Map<number, number>();
  const command = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may contain spaces, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
      command.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8'));
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...command.entries()].filter(([pid, cmd]) => /chrom/i.test(cmd) && descends(pid)).map(([pid]) => pid);
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
