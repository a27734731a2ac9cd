// A copy of a running store's directory, for an online backup. The caller (TsdbStore.
// snapshotInto) holds the store's maintenance lock, so no head is cut, no block compacted,
// moved or deleted and no WAL segment dropped while this runs; writes go on into the WAL.
// Block files never change once written: they are hard-linked (copied where the
// destination is on another filesystem). The WAL segments are copied as they are: a record
// being appended at that moment may be cut short at the end of the copy, which the copy's
// first start drops as it does after a power cut. Everything acknowledged before the copy
// began is in a block or a WAL record before that point.
import fs from 'node:fs';
import path from 'node:path';

export interface StoreSnapshot {
  /** block files linked or copied */
  blocks: number;
  /** WAL segments copied */
  walSegments: number;
  /** bytes of everything in the copy */
  bytes: number;
}

/** Files of the store directory that are not copied: the running process's lock. */
const SKIPPED = new Set(['LOCK']);

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.promises.link(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    await fs.promises.copyFile(from, to);
  }
}

/**
 * Copies `src` (a store directory) to `dest` (new): the blocks the manifest lists as local
 * (`blockFiles`, id → file), every WAL segment, and every other file or folder but the lock.
 */
export async function snapshotStoreDir(src: string, dest: string, blockFiles: ReadonlyMap<string, string>): Promise<StoreSnapshot> {
  const out: StoreSnapshot = { blocks: 0, walSegments: 0, bytes: 0 };
  await fs.promises.mkdir(path.join(dest, 'blocks'), { recursive: true });
  for (const [id, file] of blockFiles) {
    const to = path.join(dest, 'blocks', `${id}.blk`);
    await linkOrCopy(file, to);
    out.blocks++;
    out.bytes += (await fs.promises.stat(to)).size;
  }
  for (const e of await fs.promises.readdir(src, { withFileTypes: true })) {
    if (SKIPPED.has(e.name) || e.name === 'blocks') continue;
    const from = path.join(src, e.name), to = path.join(dest, e.name);
    if (e.isDirectory()) {
      await fs.promises.cp(from, to, { recursive: true });
      if (e.name === 'wal') out.walSegments = (await fs.promises.readdir(to)).filter((f) => f.endsWith('.wal')).length;
    } else if (e.isFile()) {
      await fs.promises.copyFile(from, to);
    } else continue;
    out.bytes += await treeBytes(to);
  }
  return out;
}

async function treeBytes(p: string): Promise<number> {
  const st = await fs.promises.stat(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of await fs.promises.readdir(p)) n += await treeBytes(path.join(p, e));
  return n;
}
