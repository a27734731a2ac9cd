// Central ingest processes of the fleet tests (central-child.ts), each with its own data
// directory under `dir`, and what each one stored.
import path from 'node:path';
import { spawnManaged, type ManagedProcess } from '../../helpers/process';
import { BASE_TS } from '../buffer/harness';
import { TsdbStore } from '../../../runtime/tsdb/store';

export interface CentralOptions { partitions: string[]; standby?: string[]; batch: number; leaseTtlMs?: number }

export function spawnCentral(dir: string, servers: string[], name: string, o: CentralOptions): ManagedProcess {
  return spawnManaged(name, process.execPath, ['--import', 'tsx', path.join(__dirname, 'central-child.ts'),
    JSON.stringify({ dir: path.join(dir, name), servers, name, ...o })]);
}

/** Timestamps of `tag` in the store of central `name` (opened after the process stopped). */
export async function storedTs(dir: string, name: string, tag: string): Promise<number[]> {
  const store = await TsdbStore.open({ dir: path.join(dir, name, 'store'), maintenanceIntervalMs: 0 });
  try {
    const ts: number[] = [];
    for await (const b of store.raw({ tag, from: BASE_TS, to: BASE_TS + 1e9 })) ts.push(...b.ts);
    return ts;
  } finally { await store.close(); }
}
