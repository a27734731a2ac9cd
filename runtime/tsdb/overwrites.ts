// Counts the samples of a write that replace a value already stored for the same (tag, ts)
// (README "Duplicates"): the store keeps the last write, and the writer is told how many
// samples it overwrote. Only "candidates" are checked: samples not newer than what the
// store already holds of their tag, so in-order writes (the common case) cost nothing.
// A candidate is looked up by binary search in the sorted runs overlapping it, without the
// merge machinery of a query. Out-of-order data makes head chunks span wide ranges, so
// every batch would decode them again: the timestamps of closed head chunks are kept per
// chunk (keyed by its summary object, which lives as long as the chunk) — 8 bytes per
// sample of chunks that out-of-order writes touched, freed when the head is cut into
// blocks. The open chunk (unsorted while late data arrives) is indexed incrementally.
import type { SampleColumns } from '../model';
import type { ChunkRef } from './chunk-ref';
import type { HeadSeries } from './head';
import type { Summary } from './summary';

/** What the check reads: the head series of a tag and the block chunks of a range. */
export interface OverwriteSource {
  headSeriesOf(tag: string): HeadSeries[];
  blockRefs(tag: string, from: number, to: number): Promise<ChunkRef[]>;
}

const headTs = new WeakMap<Summary, Float64Array>();

/**
 * The timestamps of an unsorted open chunk as a set, grown as samples are appended (each
 * sample is hashed once, not once per batch). Rebuilt when the chunk was cut (closed count
 * changed) or re-sorted or grown (new arrays).
 */
interface OpenIndex { ts: Float64Array; closed: number; upTo: number; set: Set<number> }
const openIndexes = new WeakMap<HeadSeries, OpenIndex>();

function openIndex(hs: HeadSeries): Set<number> {
  let e = openIndexes.get(hs);
  if (!e || e.ts !== hs.ts || e.closed !== hs.closedCount || hs.n < e.upTo) {
    e = { ts: hs.ts, closed: hs.closedCount, upTo: 0, set: new Set() };
    openIndexes.set(hs, e);
  }
  for (let i = e.upTo; i < hs.n; i++) e.set.add(hs.ts[i]);
  e.upTo = hs.n;
  return e.set;
}

/** Index of the first element >= x in sorted `a` (length n). */
function lowerBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}

/**
 * `candidates` are row indices of `rows` (ascending, all accepted); `keep` marks the
 * accepted samples (null: all). A candidate counts when an accepted sample earlier in the
 * same batch or the stored data already has its (tag, ts).
 */
export async function countOverwrites(reader: OverwriteSource, rows: SampleColumns, keep: Uint8Array | null, candidates: readonly number[]): Promise<number> {
  if (!candidates.length) return 0;
  const tags = rows.tag, times = rows.ts;
  const byTag = new Map<string, number[]>();
  for (const i of candidates) {
    const list = byTag.get(tags[i]);
    if (list) list.push(i); else byTag.set(tags[i], [i]);
  }
  // first index in the batch of each candidate's (tag, ts): only those are kept, so a few
  // late samples in a large batch cost a map entry each, not one per sample of their tags
  const firstAt = new Map<string, Map<number, number>>();
  for (const [tag, idx] of byTag) {
    const m = new Map<number, number>();
    for (const i of idx) m.set(times[i], Infinity);
    firstAt.set(tag, m);
  }
  let lastTag = '';
  let m: Map<number, number> | undefined;
  for (let i = 0; i < rows.length; i++) {
    if (keep && !keep[i]) continue;
    const tag = tags[i];
    if (tag !== lastTag) { m = firstAt.get(tag); lastTag = tag; }
    if (!m) continue;
    const at = m.get(times[i]);
    if (at !== undefined && i < at) m.set(times[i], i);
  }
  let n = 0;
  for (const [tag, idx] of byTag) {
    const first = firstAt.get(tag)!;
    // candidates repeating an earlier sample of this batch count without a lookup
    const look: number[] = [];
    for (const i of idx) { if (first.get(times[i])! < i) n++; else look.push(times[i]); }
    if (!look.length) continue;
    const want = Float64Array.from(new Set(look)).sort();
    const found = new Uint8Array(want.length);
    const lo = want[0], hi = want[want.length - 1];
    const mark = (minT: number, maxT: number, ts: ArrayLike<number>, len: number) => {
      for (let k = lowerBound(want, want.length, minT); k < want.length && want[k] <= maxT; k++) {
        if (found[k]) continue;
        const p = lowerBound(ts, len, want[k]);
        if (p < len && ts[p] === want[k]) found[k] = 1;
      }
    };
    for (const hs of reader.headSeriesOf(tag)) {
      for (const c of hs.closed) {
        const sm = c.summary;
        if (sm.lastTs < lo || sm.firstTs > hi) continue;
        let ts = headTs.get(sm);
        if (!ts) { ts = Float64Array.from(c.load().ts.subarray(0, sm.count)); headTs.set(sm, ts); }
        mark(sm.firstTs, sm.lastTs, ts, ts.length);
      }
      // the open chunk: unsorted while out-of-order data arrives; one pass over it
      if (hs.n > 0) {
        if (hs.sorted) mark(hs.ts[0], hs.ts[hs.n - 1], hs.ts, hs.n);
        else {
          const open = openIndex(hs);
          for (let k = 0; k < want.length; k++) if (!found[k] && open.has(want[k])) found[k] = 1;
        }
      }
    }
    for (const ref of await reader.blockRefs(tag, lo, hi + 1)) {
      const k = lowerBound(want, want.length, ref.minT);
      if (k >= want.length || want[k] > ref.maxT) continue;
      const cols = await ref.load();
      mark(ref.minT, ref.maxT, cols.ts, Math.min(cols.ts.length, ref.summary.count));
    }
    const stored = new Set<number>();
    for (let k = 0; k < want.length; k++) if (found[k]) stored.add(want[k]);
    for (const i of idx) if (!(first.get(times[i])! < i) && stored.has(times[i])) n++;
  }
  return n;
}
