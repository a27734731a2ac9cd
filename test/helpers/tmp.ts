import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Directories made here and not yet removed; whatever a crashed test leaves behind is
// removed when the test worker exits.
const live = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dir of live) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit: the OS temp dir is cleaned eventually anyway
      }
    }
  });
}

/** A fresh directory under the OS temp dir, e.g. /tmp/historian-nats-Ab12cd. */
export async function makeTempDir(prefix = 'historian-test-'): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  live.add(dir);
  installExitHook();
  return dir;
}

/** Removes a directory tree; missing is fine. Retries briefly for files a dying child still holds. */
export async function removeTempDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  live.delete(dir);
}

/** Runs `fn` with a fresh temp dir and removes the dir afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix?: string): Promise<T> {
  const dir = await makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    await removeTempDir(dir);
  }
}
