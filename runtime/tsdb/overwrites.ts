// Counts the samples of a write that replace a value already stored for the same (tag, ts)
// (README "Duplicates"): the store keeps the last write, and the writer is told how many
// samples it overwrote. Only "candidates" are checked: samples not newer than what the
// store already holds of their tag, so in-order writes (the common case) cost nothing.
import type { Sample } from '../model';
import { queryRaw, type SeriesReader } from './query';

/**
 * `candidates` are indices into `samples` (ascending, all accepted); `keep` marks the
 * accepted samples (null: all). A candidate counts when an accepted sample earlier in the
 * same batch or the stored data already has its (tag, ts).
 */
export async function countOverwrites(reader: SeriesReader, samples: readonly Sample[], keep: Uint8Array | null, candidates: readonly number[]): Promise<number> {
  if (!candidates.length) return 0;
  const byTag = new Map<string, number[]>();
  for (const i of candidates) {
    const list = byTag.get(samples[i].tag);
    if (list) list.push(i); else byTag.set(samples[i].tag, [i]);
  }
  // first index in the batch of each accepted (tag, ts) of the candidate tags
  const firstAt = new Map<string, Map<number, number>>();
  for (const tag of byTag.keys()) firstAt.set(tag, new Map());
  for (let i = 0; i < samples.length; i++) {
    if (keep && !keep[i]) continue;
    const m = firstAt.get(samples[i].tag);
    if (m && !m.has(samples[i].ts)) m.set(samples[i].ts, i);
  }
  let n = 0;
  for (const [tag, idx] of byTag) {
    let from = Infinity, to = -Infinity;
    for (const i of idx) { from = Math.min(from, samples[i].ts); to = Math.max(to, samples[i].ts); }
    const stored = new Set<number>();
    for await (const b of queryRaw(reader, { tag, from, to: to + 1 })) for (const t of b.ts) stored.add(t);
    const first = firstAt.get(tag)!;
    for (const i of idx) if (stored.has(samples[i].ts) || first.get(samples[i].ts)! < i) n++;
  }
  return n;
}
