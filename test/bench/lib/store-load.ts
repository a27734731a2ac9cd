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

/** Writes every series in batches of `batch` samples (series after series, in time order). */
export async function writeDataSet(store: TsdbStore, ds: DataSet, batch = 10_000): Promise<number> {
  let n = 0;
  let buf: Sample[] = [];
  for (const s of ds.series()) {
    const c = s.cols;
    for (let i = 0; i < c.ts.length; i++) {
      buf.push({ tag: s.tag, ts: c.ts[i], value: c.values[i], quality: c.quality[i] });
      if (buf.length === batch) {
        const r = await store.write(buf);
        if (r.rejected) throw new Error(`${ds.name}: ${r.rejected} samples rejected`);
        n += buf.length; buf = [];
        if (store.stats().headSamples >= 2_000_000) await store.maintain();
      }
    }
  }
  if (buf.length) { await store.write(buf); n += buf.length; }
  await store.flush();
  await store.compact();
  return n;
}
