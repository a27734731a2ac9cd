import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { CHROMIUM, requireBinary } from './binaries';

/** Where screenshots go (git-ignored with the rest of test/artifacts). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'artifacts', 'screenshots');

// Flags for a quiet, deterministic browser in CI containers: no sandbox (often unavailable
// as root or in containers), no GPU, and no background traffic to Google services.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The Debian chromium binary (or CHROMIUM_PATH when set); throws naming the install command. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return requireBinary(CHROMIUM);
}

/** Headless Chromium driven by playwright-core; the caller closes it. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      timeout: 30_000,
      ...options,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    });
  } catch (err) {
    throw new Error(`could not launch ${executablePath}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Saves a full-page screenshot as test/artifacts/screenshots/<name>.png and returns the path.
 * The name is reduced to file-name-safe characters.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await fs.promises.mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  const file = path.join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
