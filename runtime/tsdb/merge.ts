// Merges the chunk refs of one series into one sorted stream, newest write winning on
// equal timestamps. Refs that overlap nothing are streamed (or summarized) one by one;
// only overlapping groups are decoded together, so memory stays bounded by a few chunks.
import type { ChunkRef } from './chunk-ref';
import type { Summary } from './summary';
import type { Columns } from './types';

export type StreamItem = { cols: Columns; summary?: undefined } | { summary: Summary; cols?: undefined };

export interface MergeOptions {
  from: number;
  /** exclusive */
  to: number;
  order?: 'asc' | 'desc';
  /** return true to receive a ref's summary instead of its samples (ref inside [from, to)) */
  useSummary?: (s: Summary) => boolean;
  onError?: (e: unknown) => void;
}

/** Groups refs into runs of mutually overlapping time ranges, in ascending time. */
export function overlapGroups(refs: ChunkRef[]): ChunkRef[][] {
  const sorted = refs.slice().sort((a, b) => a.minT - b.minT || a.priority - b.priority);
  const groups: ChunkRef[][] = [];
  let cur: ChunkRef[] = [];
  let curMax = -Infinity;
  for (const r of sorted) {
    if (cur.length && r.minT > curMax) { groups.push(cur); cur = []; curMax = -Infinity; }
    cur.push(r);
    if (r.maxT > curMax) curMax = r.maxT;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

export async function* mergeRefs(refs: ChunkRef[], o: MergeOptions): AsyncGenerator<StreamItem> {
  const groups = overlapGroups(refs);
  if (o.order === 'desc') groups.reverse();
  for (const g of groups) {
    if (g.length === 1) {
      const r = g[0];
      if (o.useSummary && r.minT >= o.from && r.maxT < o.to && o.useSummary(r.summary)) {
        yield { summary: r.summary };
        continue;
      }
      let cols: Columns;
      try { cols = await r.load(); } catch (e) { o.onError?.(e); continue; }
      const c = clip(cols, o.from, o.to);
      if (c.ts.length) yield { cols: o.order === 'desc' ? reverse(c) : c };
      continue;
    }
    const loaded: Array<{ cols: Columns; priority: number }> = [];
    for (const r of g) {
      try { loaded.push({ cols: clip(await r.load(), o.from, o.to), priority: r.priority }); } catch (e) { o.onError?.(e); }
    }
    const merged = mergeColumns(loaded);
    if (merged.ts.length) yield { cols: o.order === 'desc' ? reverse(merged) : merged };
  }
}

/** Merges sorted runs; on equal timestamps the run with the highest priority wins. */
export function mergeColumns(runs: Array<{ cols: Columns; priority: number }>): Columns {
  if (runs.length === 1) return runs[0].cols;
  let total = 0;
  for (const r of runs) total += r.cols.ts.length;
  const ts = new Float64Array(total), pr = new Float64Array(total), v = new Float64Array(total), q = new Uint16Array(total);
  let k = 0;
  for (const r of runs) {
    const c = r.cols;
    for (let i = 0; i < c.ts.length; i++) { ts[k] = c.ts[i]; v[k] = c.values[i]; q[k] = c.quality[i]; pr[k] = r.priority; k++; }
  }
  const idx = new Uint32Array(total);
  for (let i = 0; i < total; i++) idx[i] = i;
  idx.sort((a, b) => ts[a] - ts[b] || pr[b] - pr[a]);
  const ots = new Float64Array(total), ov = new Float64Array(total), oq = new Uint16Array(total);
  let m = 0;
  for (let j = 0; j < total; j++) {
    const i = idx[j];
    if (m > 0 && ots[m - 1] === ts[i]) continue; // the first of equal ts has the highest priority
    ots[m] = ts[i]; ov[m] = v[i]; oq[m] = q[i]; m++;
  }
  return { ts: ots.subarray(0, m), values: ov.subarray(0, m), quality: oq.subarray(0, m) };
}

/** First index with ts[i] >= t. */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (ts[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

export function clip(c: Columns, from: number, to: number): Columns {
  const n = c.ts.length;
  if (n === 0 || (c.ts[0] >= from && c.ts[n - 1] < to)) return c;
  const a = lowerBound(c.ts, from), b = lowerBound(c.ts, to);
  return { ts: c.ts.subarray(a, b), values: c.values.subarray(a, b), quality: c.quality.subarray(a, b) };
}

export function reverse(c: Columns): Columns {
  return { ts: c.ts.slice().reverse(), values: c.values.slice().reverse(), quality: c.quality.slice().reverse() };
}
