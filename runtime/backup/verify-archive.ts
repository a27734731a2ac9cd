// Tries a backup archive the way a restore would use it (`historian backup verify <file>`):
// extracts it into a temporary directory, then checks what it holds: backup.json, every
// SQLite database (`PRAGMA integrity_check`), the audit chain with the keys and anchor of
// the same archive, and each store opened as the server would open it (WAL replayed), every
// block read whole against its checksums and every sample of every tag read back. Nothing of the running installation is touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { extract } from 'tar';
import { defaultAnchorFile, defaultKeyFile, defaultStateFile, verifyAuditDatabase } from '../audit';
import { TsdbStore } from '../tsdb';
import { BACKUP_FORMAT, type BackupManifest } from './data-snapshot';

export interface ArchiveReport {
  ok: boolean;
  manifest: BackupManifest | null;
  databases: Array<{ file: string; ok: boolean; problem?: string }>;
  audit: { ok: boolean; entries: number; problem?: string } | null;
  stores: Array<{ dir: string; ok: boolean; tags: number; samples: number; blocks: number; problem?: string }>;
  problems: string[];
}

/** Reads every sample of every tag (decoding each block's chunks): corrupt data throws here. */
async function countSamples(store: TsdbStore): Promise<number> {
  let n = 0;
  for (const meta of store.tags.search('>')) {
    for await (const b of store.raw({ tag: meta.tag, from: -8.64e15, to: 8.64e15 })) n += b.ts.length;
  }
  return n;
}

export async function verifyBackupArchive(file: string, tmpRoot = os.tmpdir()): Promise<ArchiveReport> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'historian-verify-'));
  try {
    return await extractAndVerify(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Extracts the archive into `dir` (empty) and checks what it holds there; `dir` is left as the checks leave it. */
export async function extractAndVerify(file: string, dir: string): Promise<ArchiveReport> {
  const r: ArchiveReport = { ok: false, manifest: null, databases: [], audit: null, stores: [], problems: [] };
  try {
    await extract({ file, cwd: dir, strict: true });
  } catch (e) {
    r.problems.push(`the archive could not be read whole: ${(e as Error).message}`);
    return r;
  }
  const mf = path.join(dir, 'backup.json');
  if (!fs.existsSync(mf)) { r.problems.push('backup.json is missing: not a Historian backup, or cut short'); return r; }
  const m = JSON.parse(fs.readFileSync(mf, 'utf8')) as BackupManifest;
  r.manifest = m;
  if (m.format !== BACKUP_FORMAT) r.problems.push(`backup.json: format "${m.format}" is not ${BACKUP_FORMAT}`);
  for (const rel of m.databases ?? []) {
    const f = path.join(dir, rel);
    if (!fs.existsSync(f)) { r.databases.push({ file: rel, ok: false, problem: 'missing' }); continue; }
    try {
      const db = new DatabaseSync(f, { readOnly: true });
      try {
        const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
        const bad = rows.map((x) => x.integrity_check).filter((x) => x !== 'ok');
        r.databases.push(bad.length ? { file: rel, ok: false, problem: bad.slice(0, 3).join('; ') } : { file: rel, ok: true });
      } finally { db.close(); }
    } catch (e) {
      r.databases.push({ file: rel, ok: false, problem: (e as Error).message });
    }
  }
  const auditDb = path.join(dir, 'audit.db');
  if (fs.existsSync(auditDb)) {
    try {
      const key = defaultKeyFile(dir);
      const anchor = defaultAnchorFile(dir);
      const state = defaultStateFile(key);
      const v = await verifyAuditDatabase({ dbFile: auditDb, keyFile: key, anchorFile: fs.existsSync(anchor) ? anchor : null, stateFile: fs.existsSync(state) ? state : null });
      r.audit = v.ok ? { ok: true, entries: v.entries } : { ok: false, entries: v.entries, problem: v.damage?.message ?? 'damaged' };
    } catch (e) {
      r.audit = { ok: false, entries: 0, problem: (e as Error).message };
    }
  }
  for (const s of m.stores ?? []) {
    const entry: ArchiveReport['stores'][number] = { dir: s.dir, ok: false, tags: 0, samples: 0, blocks: 0 };
    r.stores.push(entry);
    let store: TsdbStore | null = null;
    try {
      store = await TsdbStore.open({ dir: path.join(dir, s.dir) });
      const check = await store.verifyBlocks();
      entry.samples = await countSamples(store);
      const st = store.stats();
      entry.tags = st.tags;
      entry.blocks = st.blocks;
      if (check.problems.length) entry.problem = check.problems.slice(0, 3).join('; ') + (check.problems.length > 3 ? ` (and ${check.problems.length - 3} more)` : '');
      else if (st.corruptBlocks || st.readErrors) entry.problem = `${st.corruptBlocks} corrupt block(s), ${st.readErrors} read error(s)`;
      else entry.ok = true;
    } catch (e) {
      entry.problem = (e as Error).message;
    } finally {
      await store?.close().catch(() => undefined);
    }
  }
  for (const d of r.databases) if (!d.ok) r.problems.push(`${d.file}: ${d.problem}`);
  if (r.audit && !r.audit.ok) r.problems.push(`audit trail: ${r.audit.problem}`);
  for (const s of r.stores) if (!s.ok) r.problems.push(`store ${s.dir}: ${s.problem}`);
  r.ok = r.problems.length === 0;
  return r;
}
