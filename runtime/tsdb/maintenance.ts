// Background work on a store, each step run under the store's exclusive lock: cutting the
// head into blocks (then checkpointing the WAL), compacting blocks into larger ranges, and
// retention (store-wide: whole blocks dropped; per tag: blocks rewritten without the
// expired part of that tag).
import type { BlockReader } from './block';
import type { BlockSet, StoreCounters } from './block-set';
import { expiredBlocks, planCompaction } from './compact';
import type { Head } from './head';
import type { HeadSet } from './head-set';
import type { BlockMeta } from './manifest';
import { pace } from './pace';
import type { ResolvedOptions } from './store-options';
import type { TagRegistry } from './tag-registry';
import type { Wal } from './wal';

/** What maintenance works on: the parts of a store. */
export interface MaintenanceContext {
  readonly o: ResolvedOptions;
  /** compaction level ranges (ms), level 1 first */
  readonly ranges: readonly number[];
  readonly blocks: BlockSet;
  readonly heads: HeadSet;
  readonly tags: TagRegistry;
  readonly wal: Wal;
  readonly counters: StoreCounters;
  /** head bytes that make a cut due (Infinity: no limit) */
  readonly headBudget: number;
  /** after a cut: the series of the old head are no longer current */
  forgetHead(old: Head): void;
}

/** Whether the head should be cut now: size, memory, span or age. */
export function headDue(ctx: MaintenanceContext): boolean {
  const h = ctx.heads.head;
  if (h.samples === 0) return false;
  if (h.samples >= ctx.o.maxHeadSamples) return true;
  if (ctx.headBudget !== Infinity && h.bytes() >= ctx.headBudget) return true;
  return headDueByTime(h, ctx.o);
}

/** The cheap part of headDue, checked on every write: the head's data spans 1.5 block ranges, or it is half a range old. */
export function headDueByTime(h: Head, o: ResolvedOptions): boolean {
  const range = o.blockRangeMs;
  if (h.maxT - Math.floor(h.minT / range) * range >= range * 1.5) return true;
  return o.clock() - h.createdAt >= range / 2;
}

/** The WAL segment each frozen head's data ends before (its rotation): what its cut may drop. */
const walEnd = new WeakMap<Head, number>();

/**
 * Freezes the head, writes its data into blocks, then drops the WAL segments it came from.
 * A head whose cut failed (disk full, I/O error) stays frozen with its WAL segments kept,
 * and is written first at the next cut, before any newer head: dropping WAL segments for a
 * newer head while an older one is only in memory would lose acknowledged samples at the
 * next restart, and writing the older one later would let its blocks outrank newer writes.
 */
export async function cutHead(ctx: MaintenanceContext): Promise<void> {
  for (const pending of [...ctx.heads.frozen]) {
    const segment = walEnd.get(pending);
    if (segment === undefined) throw new Error('tsdb: a frozen head without its WAL position');
    await writeFrozen(ctx, pending, segment);
  }
  if (ctx.heads.head.samples === 0) return;
  const old = ctx.heads.freeze();
  const segment = await ctx.wal.rotate();
  walEnd.set(old, segment);
  // closing 10,000 open chunks takes ~150 ms: the event loop gets its turns meanwhile
  for (const s of old.series.values()) { s.cut(); await pace(); }
  await writeFrozen(ctx, old, segment);
}

/** Writes one frozen head into blocks, commits them, then drops its WAL segments and the head. */
async function writeFrozen(ctx: MaintenanceContext, old: Head, segment: number): Promise<void> {
  const range = ctx.o.blockRangeMs;
  const ranges = ctx.ranges;
  // Late data far behind the newest sample (a backfill of history) goes straight into
  // day- or week-aligned blocks of the level compaction would give them: one block per
  // 2-hour range would mean thousands of tiny files for a year of backfill.
  const recent = ranges.length > 1 ? old.maxT - ranges[1] : -Infinity;
  const windows = new Map<string, { start: number; end: number; level: number }>();
  const windowOf = (t: number) => {
    for (let level = ranges.length; level >= 2; level--) {
      const size = ranges[level - 1];
      const start = Math.floor(t / size) * size;
      if (start + size <= recent) return { start, end: start + size, level };
    }
    const start = Math.floor(t / range) * range;
    return { start, end: start + range, level: 0 };
  };
  for (const s of old.series.values()) {
    for (let i = 0; i < s.closedCount; i++) {
      for (let t = Math.floor(s.firstTsOf(i) / range) * range; t <= s.lastTsOf(i); t += range) {
        const w = windowOf(t);
        windows.set(`${w.level}:${w.start}`, w);
      }
    }
  }
  const metas: BlockMeta[] = [];
  const tags = [...old.series.keys()].sort();
  for (const w of [...windows.values()].sort((a, b) => a.start - b.start)) {
    const meta = await ctx.blocks.write(w.level, ctx.blocks.manifest.nextSeq(), tags, w.start, w.end, (tag, out) => old.refs(tag, w.start, w.end, out));
    if (meta) metas.push(meta);
  }
  ctx.blocks.manifest.commit(metas);
  ctx.wal.removeBefore(segment);
  ctx.heads.drop(old);
  ctx.forgetHead(old);
  ctx.counters.cuts++;
}

/** One compaction step; false when nothing is left to compact. */
export async function compactOnce(ctx: MaintenanceContext): Promise<boolean> {
  const closedBefore = ctx.o.clock() - ctx.o.outOfOrderWindowMs;
  const plan = planCompaction(ctx.blocks.all, ctx.ranges as number[], closedBefore, ctx.blocks.corrupt);
  if (!plan) return false;
  if (plan.relabel) {
    const b = plan.inputs[0];
    ctx.blocks.manifest.commit([], [], [{ ...b, level: plan.level }]);
    return true;
  }
  const readers: Array<{ meta: BlockMeta; reader: BlockReader }> = [];
  for (const meta of plan.inputs) {
    const reader = await ctx.blocks.reader(meta);
    if (!reader) return true; // marked corrupt: the next plan leaves it out
    readers.push({ meta, reader });
  }
  const tagSet = new Set<string>();
  for (const { reader } of readers) for (const t of reader.series.keys()) tagSet.add(t);
  const seq = Math.max(...plan.inputs.map((b) => b.seq));
  let failed = false;
  const meta = await ctx.blocks.write(plan.level, seq, [...tagSet].sort(), plan.start, plan.end, (tag, out) => {
    for (const { meta: m, reader } of readers) reader.chunkRefs(tag, plan.start, plan.end, m.seq, out);
  }, (tag) => tagCutoff(ctx, tag)).catch((e) => { failed = true; ctx.blocks.onError(e); return null; });
  if (failed) return true;
  ctx.blocks.manifest.commit(meta ? [meta] : [], plan.inputs.map((b) => b.id));
  ctx.blocks.retire(plan.inputs);
  ctx.blocks.removePending();
  ctx.counters.compactions++;
  return true;
}

/** Oldest time kept for a tag under per-tag retention (-Infinity when none). */
export function tagCutoff(ctx: Pick<MaintenanceContext, 'o' | 'tags'>, tag: string): number {
  const r = ctx.tags.get(tag)?.retentionMs;
  return r ? ctx.o.clock() - r : -Infinity;
}

/** Drops blocks past the store retention and rewrites blocks holding data past a tag's own retention. */
export async function applyRetention(ctx: MaintenanceContext): Promise<void> {
  const now = ctx.o.clock();
  const blocks = ctx.blocks;
  const drop: BlockMeta[] = ctx.o.retentionMs ? expiredBlocks(blocks.all, now - ctx.o.retentionMs) : [];
  if (drop.length) {
    blocks.manifest.commit([], drop.map((b) => b.id));
    blocks.retire(drop);
  }
  const tagged = [...ctx.tags.all()].filter((t) => t.retentionMs);
  if (tagged.length) {
    for (const b of blocks.live().slice()) {
      if (b.location !== 'local') continue;
      const reader = await blocks.reader(b);
      if (!reader) continue;
      const hit = tagged.some((t) => {
        const r = reader.seriesRange(t.tag);
        return r !== null && r.minT < now - t.retentionMs!;
      });
      if (!hit) continue;
      const meta = await blocks.write(b.level, b.seq, [...reader.series.keys()].sort(), b.minT, b.maxT + 1,
        (tag, out) => reader.chunkRefs(tag, b.minT, b.maxT + 1, b.seq, out), (tag) => tagCutoff(ctx, tag));
      blocks.manifest.commit(meta ? [meta] : [], [b.id]);
      blocks.retire([b]);
    }
  }
  blocks.removePending();
}
