// Loads a benchmark data set into a TsdbStore through its ordinary write path (WAL, head,
// head cuts), then flushes and compacts, and measures the whole store directory.
import fs from 'node:fs';
import path from 'node:path';
import type { Sample } from '../../../runtime/model';
import type { TsdbStore } from '../../../runtime/tsdb/store';
import type { DataSet } from './datasets';

export function dirBytes(dir: string): number {
  let b = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    b += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return b;
}

/** Writes every sample in time order (as a collector sends them) in batches of `batch`, then flushes and compacts. */
export async function writeDataSet(store: TsdbStore, ds: DataSet, batch = 10_000): Promise<number> {
  let n = 0;
  let buf: Sample[] = [];
  const send = async () => {
    const r = await store.write(buf);
    if (r.rejected) throw new Error(`${ds.name}: ${r.rejected} samples rejected`);
    n += buf.length; buf = [];
    await new Promise((res) => setImmediate(res)); // lets scheduled maintenance (head cuts) run
  };
  for (const row of ds.rows()) {
    buf.push(row);
    if (buf.length === batch) await send();
  }
  if (buf.length) await send();
  await store.flush();
  await store.compact();
  return n;
}
