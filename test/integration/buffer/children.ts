import path from 'node:path';
import { spawnManaged, type ManagedProcess } from '../../helpers/process';

/** Runs one of this folder's child scripts with the same Node and tsx. */
export function runChild(script: 'gateway-child' | 'ingest-child', args: unknown): ManagedProcess {
  return spawnManaged(script, process.execPath, ['--import', 'tsx', path.join(__dirname, `${script}.ts`), JSON.stringify(args)]);
}

/** The last number printed after `label` (e.g. "sent 1234"). */
export function lastNumber(log: string, label: string): number {
  const m = [...log.matchAll(new RegExp(`${label} ?(\\d+)`, 'g'))];
  return m.length ? Number(m[m.length - 1][1]) : 0;
}
