// Options of a TsdbStore, their defaults and their validation, and the memory budget they
// give the head and the caches.
import { levelRanges } from './compact';
import type { BlockSource } from './block-source';
import type { TagLimitOptions } from './tag-limits';
import { type Clock, type FsyncPolicy, type Logger, silentLogger } from './types';

export interface TsdbOptions {
  dir: string;
  /** range of the blocks cut from the head and of the first compaction level (default 2 h) */
  blockRangeMs?: number;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** store-wide retention; whole blocks older than this are deleted (default: keep forever) */
  retentionMs?: number;
  /**
   * How long a time range stays open (default 1 h): blocks of ranges newer than now minus
   * this are not compacted to the next level yet nor handed to the tier mover. Late data is
   * accepted whatever this is; late data into a sealed range is merged by compaction.
   */
  outOfOrderWindowMs?: number;
  /**
   * Oldest accepted sample, as an age relative to the clock (default null: any age; the
   * store retention still bounds it). Relative to the clock, never to a series' newest
   * sample, so one sample stamped in the future cannot make later current ones "too old".
   */
  lateLimitMs?: number | null;
  /** Samples stamped more than this ahead of the clock are rejected (default 5 min): a bad clock cannot poison a tag. */
  maxFutureMs?: number;
  logger?: Logger;
  /** background maintenance period (default 10 s; 0 disables the timer) */
  maintenanceIntervalMs?: number;
  /** cut the head into blocks once it holds this many samples (default 4,000,000) */
  maxHeadSamples?: number;
  /** WAL segment size (default 64 MiB) */
  walSegmentBytes?: number;
  /** decoded rollup rows kept in memory for repeated long-range views (default 500,000, ~60 MB; 0 disables) */
  rollupCacheRows?: number;
  /**
   * Memory the store may use, in MiB: half for the head (it is cut into blocks earlier when
   * it reaches that), a fifth each for decoded rollup rows and open block indexes (least
   * recently used ones are dropped). Overrides rollupCacheRows. Default: no limit.
   */
  memoryLimitMb?: number;
  /** extra block locations (e.g. "remote" from the tier mover) */
  blockSources?: BlockSource[];
  clock?: Clock;
  /** called before every write; throws to refuse the whole write (the disk watermark, README "Disk pressure") */
  writeGuard?: () => void;
  /** cardinality limits (README "Limits"; default DEFAULT_TAG_LIMITS, null per field: none) */
  tagLimits?: Partial<TagLimitOptions>;
}

/** The options with their defaults applied. */
export type ResolvedOptions = Required<Omit<TsdbOptions, 'blockSources' | 'retentionMs' | 'rollupCacheRows' | 'lateLimitMs' | 'tagLimits' | 'writeGuard' | 'memoryLimitMb'>> & { retentionMs: number | null; lateLimitMs: number | null };

/** What the memory limit gives each consumer (counts, not bytes, for the caches). */
export interface MemoryBudget {
  /** head bytes that trigger a cut (Infinity: no limit) */
  headBytes: number;
  /** decoded rollup rows kept */
  rollupRows: number;
  /** block index entries kept open */
  indexEntries: number;
}

/** Default bound on timestamps ahead of the clock (the clock-skew limit). */
export const DEFAULT_MAX_FUTURE_MS = 300_000;

/** decoded rollup row (Summary object and its slot), for the memory budget */
const ROLLUP_ROW_BYTES = 120;
/** a decoded chunk entry or series of a block index (objects, summary), for the memory budget */
const INDEX_ENTRY_BYTES = 200;

export function resolveOptions(o: TsdbOptions): { o: ResolvedOptions; ranges: number[]; budget: MemoryBudget } {
  const r: ResolvedOptions = {
    dir: o.dir, blockRangeMs: o.blockRangeMs ?? 7_200_000, fsync: o.fsync ?? 'interval', fsyncIntervalMs: o.fsyncIntervalMs ?? 200,
    retentionMs: o.retentionMs ?? null, outOfOrderWindowMs: o.outOfOrderWindowMs ?? 3_600_000, logger: o.logger ?? silentLogger,
    maintenanceIntervalMs: o.maintenanceIntervalMs ?? 10_000, maxHeadSamples: o.maxHeadSamples ?? 4_000_000,
    walSegmentBytes: o.walSegmentBytes ?? 64 << 20, clock: o.clock ?? Date.now,
    lateLimitMs: o.lateLimitMs ?? null, maxFutureMs: o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS,
  };
  validateOptions(r);
  const ranges = levelRanges(r.blockRangeMs);
  const limit = o.memoryLimitMb;
  if (limit !== undefined && !(Number.isFinite(limit) && limit >= 8)) throw new Error(`memoryLimitMb: must be a number of at least 8 (got ${limit})`);
  const bytes = (limit ?? 0) * 2 ** 20;
  const budget: MemoryBudget = {
    headBytes: limit ? bytes / 2 : Infinity,
    rollupRows: limit ? Math.floor(bytes / 5 / ROLLUP_ROW_BYTES) : o.rollupCacheRows ?? 500_000,
    indexEntries: limit ? Math.floor(bytes / 5 / INDEX_ENTRY_BYTES) : Infinity,
  };
  return { o: r, ranges, budget };
}

function validateOptions(o: ResolvedOptions): void {
  const pos = (k: string, v: number) => { if (!Number.isFinite(v) || v <= 0) throw new Error(`${k}: must be a positive number (got ${v})`); };
  pos('blockRangeMs', o.blockRangeMs);
  if (o.blockRangeMs % 3_600_000 !== 0 && 3_600_000 % o.blockRangeMs !== 0) throw new Error('blockRangeMs: must divide or be a multiple of one hour');
  if (!['always', 'interval', 'never'].includes(o.fsync)) throw new Error(`fsync: must be "always", "interval" or "never" (got ${o.fsync})`);
  pos('fsyncIntervalMs', o.fsyncIntervalMs);
  if (!Number.isFinite(o.outOfOrderWindowMs) || o.outOfOrderWindowMs < 0) throw new Error('outOfOrderWindowMs: must be zero or a positive number');
  if (o.retentionMs !== null) pos('retentionMs', o.retentionMs);
  pos('maxHeadSamples', o.maxHeadSamples);
  if (o.lateLimitMs !== null) pos('lateLimitMs', o.lateLimitMs);
  if (!Number.isFinite(o.maxFutureMs) || o.maxFutureMs < 0) throw new Error('maxFutureMs: must be zero or a positive number');
}
