// One owner per store directory: within the process (a set of open directories; a redeploy
// that reopens a store waits for the old instance to finish closing) and across processes
// (a LOCK file naming the owner's pid; a dead owner's lock is taken over).
import fs from 'node:fs';
import path from 'node:path';
import { releasePidLock, takePidLock } from '../platform';

const openDirs = new Set<string>();
const closing = new Map<string, Promise<void>>();

/** Takes the directory (created when missing); throws when this or another process holds it. */
export async function acquireStoreDir(dir: string): Promise<string> {
  const key = path.resolve(dir);
  await closing.get(key);
  if (openDirs.has(key)) throw new Error(`dir: store ${key} is already open in this process`);
  fs.mkdirSync(key, { recursive: true });
  takeLock(key);
  openDirs.add(key);
  return key;
}

/** Gives the directory back (after a failed open, or at the end of close). */
export function releaseStoreDir(key: string): void {
  releaseLock(key);
  openDirs.delete(key);
  closing.delete(key);
}

/** Records that the store at `key` is closing: a reopen waits for `done`. */
export function noteClosing(key: string, done: Promise<void>): void {
  closing.set(key, done);
}

function takeLock(dir: string): void {
  takePidLock(path.join(dir, 'LOCK'), `dir: store ${dir}`);
}

function releaseLock(dir: string): void {
  releasePidLock(path.join(dir, 'LOCK'));
}
