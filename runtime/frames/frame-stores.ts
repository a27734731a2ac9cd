// One FrameStore per data directory for the whole process: the server opens it at start-up
// (routes, dashboard) and event-frame nodes use the same instance, so a change made by a
// node is seen by the API at once and SQLite has one writer. Kept on globalThis for the
// same reason as runtime/registry: tests may load the sources while a server runs from dist/.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FrameStore } from './frame-store';

const KEY = Symbol.for('historian.frameStores');

function table(): Map<string, FrameStore> {
  const g = globalThis as unknown as Record<symbol, Map<string, FrameStore> | undefined>;
  return (g[KEY] ??= new Map());
}

/** The frame store of a data directory, opened on first use. */
export function frameStoreFor(dataDir: string): FrameStore {
  const dir = resolve(dataDir);
  let s = table().get(dir);
  if (!s || !s.isOpen) {
    mkdirSync(dir, { recursive: true });
    s = FrameStore.openIn(dir);
    table().set(dir, s);
  }
  return s;
}

/** Closes and forgets the store of a data directory (server stop, tests). */
export function closeFrameStore(dataDir: string): void {
  const dir = resolve(dataDir);
  table().get(dir)?.shutdown();
  table().delete(dir);
}
