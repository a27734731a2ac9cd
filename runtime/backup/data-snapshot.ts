// A copy of a running installation's data directory (README "Backup and restore"), made in
// a staging directory inside it (so block files can be hard-linked) while the server goes
// on. Databases are copied through `VACUUM INTO` (a transactionally consistent copy, read
// while writers go on). Three phases:
//   1. in one synchronous turn, so nothing else in the process runs in between: the audit
//      trail's database and every file outside tsdb/ and buffers/ (flows and their
//      credentials, keys, the audit anchor and sealed state, twin models, simulator
//      counters): the audit database and the files that vouch for it are of one instant
//      (verification calls an anchor older than the database a restored stale anchor).
//   2. every other database, one after the other on a worker thread (database-copier.ts),
//      so the event loop is not held by them at all (an alarm journal or frames of years).
//   3. each open store through TsdbStore.snapshotInto (blocks linked, WAL copied, its
//      maintenance waiting), store directories not open and the store-and-forward buffers
//      as they are (a record being appended may be cut short at the end, which the copy's
//      first start drops, as after a power cut).
// Left out: the running server's pid lock and store locks, SQLite's -wal/-shm files (the
// copies are whole databases), node_modules and earlier staging directories.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StoreSnapshot } from '../tsdb';
import { DatabaseCopier } from './database-copier';

export const BACKUP_FORMAT = 'historian-backup/1';
/** Staging directories start so; a backup never copies one, and a start removes stale ones. */
export const STAGING_PREFIX = '.backup-';

export interface OpenStore {
  dir: string;
  snapshotInto(dest: string): Promise<StoreSnapshot>;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** epoch ms of phase 1 (databases, flows, keys) */
  createdAt: number;
  /** how long phase 1 (the audit database, keys, flows) held the server's event loop, ms */
  phase1Ms: number;
  /** the longest any one turn of the snapshot held it, ms: phase 1 (the other databases are copied on a worker thread) */
  longestHoldMs: number;
  version: string;
  host: string;
  /** paths relative to the data directory */
  databases: string[];
  stores: Array<{ dir: string; open: boolean } & StoreSnapshot>;
  files: number;
  bytes: number;
}

const LEFT_OUT = new Set(['historian.pid', 'node_modules', 'backup.json']);
/** Copied in phase 2. */
const LATER = new Set(['tsdb', 'buffers']);

function leftOut(name: string): boolean {
  return LEFT_OUT.has(name) || name.startsWith(STAGING_PREFIX) || name.endsWith('.db-wal') || name.endsWith('.db-shm') || name.endsWith('.db-journal');
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Copies a database whole; its mode is kept. */
function copyDatabase(from: string, to: string): void {
  const db = new DatabaseSync(from, { readOnly: true });
  try { db.exec(`VACUUM INTO ${sqlString(to)}`); } finally { db.close(); }
  fs.chmodSync(to, fs.statSync(from).mode & 0o777);
}

/** The database copied with the files in phase 1. */
const WITH_FILES = 'audit.db';

/**
 * Phase 1: files outside tsdb/ and buffers/ and the audit database, synchronously; the
 * other databases are listed in `databases` for phase 2.
 */
function copyNow(src: string, dest: string, rel: string, m: BackupManifest, later: ReadonlySet<string>, databases: Array<[string, string, string]>): void {
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (leftOut(e.name) || (rel === '' && LATER.has(e.name))) continue;
    const from = path.join(src, e.name), to = path.join(dest, e.name), r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (later.has(path.resolve(from))) continue;
      fs.mkdirSync(to, { mode: fs.statSync(from).mode & 0o777 });
      copyNow(from, to, r, m, later, databases);
    } else if (e.isFile()) {
      if (e.name.endsWith('.db')) {
        if (r !== WITH_FILES) { databases.push([from, to, r]); continue; }
        copyDatabase(from, to);
        m.databases.push(r);
      } else {
        fs.copyFileSync(from, to);
      }
      m.files++;
      m.bytes += fs.statSync(to).size;
    }
  }
}

/** A directory nothing writes to now (a store not open), block files linked. */
async function copyQuiet(src: string, dest: string, m: BackupManifest): Promise<StoreSnapshot> {
  const out: StoreSnapshot = { blocks: 0, walSegments: 0, bytes: 0 };
  const walk = async (from: string, to: string): Promise<void> => {
    await fs.promises.mkdir(to, { recursive: true });
    for (const e of await fs.promises.readdir(from, { withFileTypes: true })) {
      if (e.name === 'LOCK' || leftOut(e.name)) continue;
      const f = path.join(from, e.name), t = path.join(to, e.name);
      if (e.isDirectory()) { await walk(f, t); continue; }
      if (!e.isFile()) continue;
      try {
        if (e.name.endsWith('.blk')) {
          try { await fs.promises.link(f, t); } catch { await fs.promises.copyFile(f, t); }
          out.blocks++;
        } else {
          await fs.promises.copyFile(f, t);
          if (e.name.endsWith('.wal')) out.walSegments++;
        }
      } catch (err) {
        // a buffer segment deleted since the listing was delivered in full: nothing to keep
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const size = (await fs.promises.stat(t)).size;
      out.bytes += size;
      m.files++;
      m.bytes += size;
    }
  };
  await walk(src, dest);
  return out;
}

/**
 * Copies the data directory `dataDir` into `staging` (an empty directory inside it) and
 * writes `backup.json` there; `stores` are the stores open in this process.
 */
export async function snapshotDataDir(dataDir: string, staging: string, stores: readonly OpenStore[], about: { version: string; host: string; now?: () => number }): Promise<BackupManifest> {
  const m: BackupManifest = { format: BACKUP_FORMAT, createdAt: (about.now ?? Date.now)(), phase1Ms: 0, longestHoldMs: 0, version: about.version, host: about.host, databases: [], stores: [], files: 0, bytes: 0 };
  const open = new Map(stores.map((s) => [path.resolve(s.dir), s]));
  const ms = (t: number) => Math.round((performance.now() - t) * 10) / 10;
  const databases: Array<[string, string, string]> = [];
  const t0 = performance.now();
  copyNow(dataDir, staging, '', m, new Set(open.keys()), databases);
  m.phase1Ms = m.longestHoldMs = ms(t0);
  if (databases.length) {
    // on a worker thread: the event loop goes on meanwhile
    const copier = new DatabaseCopier();
    try {
      for (const [from, to, rel] of databases) {
        await copier.copy(from, to);
        fs.chmodSync(to, fs.statSync(from).mode & 0o777);
        m.databases.push(rel);
        m.files++;
        m.bytes += fs.statSync(to).size;
      }
    } finally {
      await copier.close();
    }
  }
  m.databases.sort();
  for (const s of open.values()) {
    const rel = path.relative(dataDir, s.dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`store directory ${s.dir} is outside the data directory`);
    const snap = await s.snapshotInto(path.join(staging, rel));
    m.stores.push({ dir: rel, open: true, ...snap });
    m.files += snap.blocks + snap.walSegments;
    m.bytes += snap.bytes;
  }
  // store directories not open now (a flow that no longer deploys them), and the buffers
  const tsdb = path.join(dataDir, 'tsdb');
  for (const dir of storeDirs(tsdb)) {
    if (open.has(path.resolve(dir))) continue;
    const rel = path.relative(dataDir, dir);
    m.stores.push({ dir: rel, open: false, ...(await copyQuiet(dir, path.join(staging, rel), m)) });
  }
  const buffers = path.join(dataDir, 'buffers');
  if (fs.existsSync(buffers)) await copyQuiet(buffers, path.join(staging, 'buffers'), m);
  m.stores.sort((a, b) => (a.dir < b.dir ? -1 : 1));
  fs.writeFileSync(path.join(staging, 'backup.json'), `${JSON.stringify(m, null, 2)}\n`);
  return m;
}

/** Directories under tsdb/ holding a store (a manifest.json or a wal/), however deep. */
function storeDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = fs.readdirSync(dir);
    if (names.includes('manifest.json') || names.includes('wal')) { out.push(dir); return; }
    for (const n of names) {
      const p = path.join(dir, n);
      if (fs.statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/**
 * Bytes a snapshot of `dataDir` will write into its staging directory, at most: every file
 * but the block files (which are linked), a database counted with its -wal file (what
 * VACUUM INTO may have to write). Checked against the free space before a backup starts,
 * so staging never pushes the disk below the watermark at which ingest is refused.
 */
export function stagingBytes(dataDir: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'historian.pid' || e.name === 'node_modules' || e.name.startsWith(STAGING_PREFIX) || e.name.endsWith('.blk') || e.name.endsWith('.db-shm')) continue;
      const p = path.join(dir, e.name);
      try {
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) n += fs.statSync(p).size;
      } catch { /* gone since the listing */ }
    }
  };
  walk(dataDir);
  return n;
}

/** Removes staging directories a crash or a stopped download left behind. */
export function removeStaleStaging(dataDir: string): void {
  for (const n of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []) {
    if (n.startsWith(STAGING_PREFIX)) fs.rmSync(path.join(dataDir, n), { recursive: true, force: true });
  }
}
