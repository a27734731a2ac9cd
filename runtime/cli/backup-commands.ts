// `historian backup verify <file>`: tries a backup archive (runtime/backup/verify-archive.ts)
// and prints what it holds; exit 0 when everything checks out, 1 with the problems.
import { verifyBackupArchive } from '../backup';
import { UsageError, parseArgs, positionals } from './args';
import type { Io } from './password-input';

export async function backupCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw new UsageError(`unknown backup command "${sub ?? ''}" (verify)`);
  const a = parseArgs(rest, { switches: ['json'] });
  const [file] = positionals(a, ['file']);
  const r = await verifyBackupArchive(file);
  if (a.switches.has('json')) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.ok ? 0 : 1;
  }
  const m = r.manifest;
  if (m) io.stdout.write(`backup of ${m.host}, made ${new Date(m.createdAt).toISOString()} by Historian ${m.version}: ${m.files} files, ${(m.bytes / 1_048_576).toFixed(1)} MB\n`);
  for (const d of r.databases) io.stdout.write(`  database ${d.file}: ${d.ok ? 'intact' : `DAMAGED (${d.problem})`}\n`);
  if (r.audit) io.stdout.write(`  audit trail: ${r.audit.ok ? `chain verifies, ${r.audit.entries} entries` : `DAMAGED (${r.audit.problem})`}\n`);
  for (const s of r.stores) io.stdout.write(`  store ${s.dir}: ${s.ok ? `${s.tags} tags, ${s.samples} samples read back, ${s.blocks} blocks` : `FAILED (${s.problem})`}\n`);
  if (r.ok) io.stdout.write('OK: the backup restores\n');
  else io.stderr.write(`FAILED:\n  - ${r.problems.join('\n  - ')}\n`);
  return r.ok ? 0 : 1;
}
