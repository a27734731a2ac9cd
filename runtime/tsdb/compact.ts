// Compaction planning: blocks cut from the head (level 0, possibly partial or overlapping
// because of late data) are merged into one block per aligned range of each level
// (2 h -> 1 d -> 7 d by default) once that range is closed. Late data landing in a range
// that is already compacted is merged into the block covering it. Merging itself is the
// query merge (newest write wins), done by the store.
import type { BlockMeta } from './manifest';

export const DAY = 86_400_000;

export interface CompactionPlan {
  inputs: BlockMeta[];
  level: number;
  /** aligned range of the output */
  start: number;
  end: number;
  /** a single block that only changes level: no rewrite needed */
  relabel: boolean;
}

export function levelRanges(blockRangeMs: number): number[] {
  const out = [blockRangeMs];
  for (const r of [DAY, 7 * DAY]) if (r > out[out.length - 1] && r % out[out.length - 1] === 0) out.push(r);
  return out;
}

/** The next compaction to run, or null. `closedBefore`: ranges ending at or before it are final. */
export function planCompaction(blocks: readonly BlockMeta[], ranges: number[], closedBefore: number, skip: ReadonlySet<string>): CompactionPlan | null {
  const usable = blocks.filter((b) => !skip.has(b.id));
  for (let lvl = 1; lvl <= ranges.length; lvl++) {
    const size = ranges[lvl - 1];
    const groups = new Map<number, BlockMeta[]>();
    for (const b of usable) {
      if (b.level >= lvl) continue;
      const start = Math.floor(b.minT / size) * size;
      let g = groups.get(start);
      if (!g) groups.set(start, (g = []));
      g.push(b);
    }
    for (const start of [...groups.keys()].sort((a, b) => a - b)) {
      const group = groups.get(start)!;
      const end = start + size;
      let cover = 0;
      for (const b of usable) if (b.level >= lvl && b.minT < end && b.maxT >= start && b.level > cover) cover = b.level;
      if (cover) {
        // late data inside an already compacted range: merge into the covering range
        const cs = ranges[cover - 1];
        const cstart = Math.floor(start / cs) * cs, cend = cstart + cs;
        const inputs = usable.filter((b) => b.minT < cend && b.maxT >= cstart);
        return { inputs, level: cover, start: cstart, end: cend, relabel: false };
      }
      if (end > closedBefore) continue;
      if (group.length === 1) return { inputs: group, level: lvl, start, end, relabel: true };
      return { inputs: group, level: lvl, start, end, relabel: false };
    }
  }
  return null;
}

/** Blocks wholly older than the store retention. */
export function expiredBlocks(blocks: readonly BlockMeta[], cutoff: number): BlockMeta[] {
  return blocks.filter((b) => b.maxT < cutoff);
}
