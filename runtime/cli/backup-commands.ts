// `historian backup verify <file>`: tries a backup archive (runtime/backup/verify-archive.ts)
// and prints what it holds; exit 0 when everything checks out, 1 with the problems.
// `historian backup restore <file> <dir>`: the same checks, then the archive as a new data
// directory (runtime/backup/restore-archive.ts).
import { restoreBackupArchive, verifyBackupArchive, type ArchiveReport } from '../backup';
import { UsageError, parseArgs, positionals } from './args';
import type { Io } from './password-input';

export async function backupCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify' && sub !== 'restore') throw new UsageError(`unknown backup command "${sub ?? ''}" (verify, restore)`);
  const a = parseArgs(rest, { switches: ['json'] });
  if (sub === 'verify') {
    const [file] = positionals(a, ['file']);
    return report(await verifyBackupArchive(file), a.switches.has('json'), io, 'OK: the backup restores');
  }
  const [file, dir] = positionals(a, ['file', 'dir']);
  const r = await restoreBackupArchive(file, dir).catch((e: Error) => { io.stderr.write(`FAILED: ${e.message}\n`); return null; });
  if (!r) return 1;
  const code = report(r, a.switches.has('json'), io, `OK: restored into ${r.restoredInto}\nStart Historian on it: HISTORIAN_DATA_DIR=${r.restoredInto} npm start (it keeps the archive's accounts, tokens, flows and keys)`);
  if (!r.ok && !a.switches.has('json')) io.stderr.write('Nothing was restored.\n');
  return code;
}

/** Prints what an archive holds and how its checks went (or the JSON report); the exit code. */
function report(r: ArchiveReport, json: boolean, io: Io, okLine: string): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.ok ? 0 : 1;
  }
  const m = r.manifest;
  if (m) io.stdout.write(`backup of ${m.host}, made ${new Date(m.createdAt).toISOString()} by Historian ${m.version}: ${m.files} files, ${(m.bytes / 1_048_576).toFixed(1)} MB\n`);
  for (const d of r.databases) io.stdout.write(`  database ${d.file}: ${d.ok ? 'intact' : `DAMAGED (${d.problem})`}\n`);
  if (r.audit) io.stdout.write(`  audit trail: ${r.audit.ok ? `chain verifies, ${r.audit.entries} entries` : `DAMAGED (${r.audit.problem})`}\n`);
  for (const s of r.stores) io.stdout.write(`  store ${s.dir}: ${s.ok ? `${s.tags} tags, ${s.samples} samples read back, ${s.blocks} blocks` : `FAILED (${s.problem})`}\n`);
  if (r.ok) io.stdout.write(`${okLine}\n`);
  else io.stderr.write(`FAILED:\n  - ${r.problems.join('\n  - ')}\n`);
  return r.ok ? 0 : 1;
}
