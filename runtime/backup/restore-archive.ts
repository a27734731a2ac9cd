// Restores a backup archive into a new data directory (`historian backup restore <file>
// <dir>`): extracted beside the target (same file system), checked there as `backup verify`
// checks it, and only then renamed into place, so the target is either the whole, checked
// installation or not there at all. The target must be new or empty: a restore never
// writes over a data directory, least of all a running server's.
import fs from 'node:fs';
import path from 'node:path';
import { extractAndVerify, type ArchiveReport } from './verify-archive';

export interface RestoreReport extends ArchiveReport {
  /** the data directory restored into (absolute), null when nothing was restored */
  restoredInto: string | null;
}

export async function restoreBackupArchive(file: string, target: string): Promise<RestoreReport> {
  const dir = path.resolve(target);
  let existing: string[] | null = null;
  try { existing = fs.readdirSync(dir); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing && existing.length) {
    throw new Error(`${dir} is not empty (${existing.length} entries): restore into a new or empty directory, then point HISTORIAN_DATA_DIR at it`);
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.restoring-`));
  try {
    const r = await extractAndVerify(file, staging);
    if (!r.ok) return { ...r, restoredInto: null };
    // the server does not read backup.json; it stays as the record of what was restored
    if (existing) fs.rmdirSync(dir);
    fs.renameSync(staging, dir);
    fs.chmodSync(dir, 0o700);
    return { ...r, restoredInto: dir };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
