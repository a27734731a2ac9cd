// The store facade: write path (validate -> WAL -> head -> ack -> onDurable), read path
// (head + frozen heads + blocks, newest write wins) and background maintenance (cut the
// head into blocks and checkpoint the WAL, compact, retention), all in one directory:
//   <dir>/wal/           WAL segments (FORMAT-wal.md)
//   <dir>/blocks/        block files (FORMAT-block.md)
//   <dir>/manifest.json  block list (FORMAT-manifest.md)
//   <dir>/tags.json      tag registry
import fs from 'node:fs';
import path from 'node:path';
import { tagError, type Sample } from '../model';
import type { AggregateRow } from './aggregate';
import { BlockReader, CorruptBlockError, type RollupRows } from './block';
import { type BlockSource, LocalBlockSource } from './block-source';
import { BlockWriter } from './block-writer';
import type { ChunkRef } from './chunk-ref';
import { expiredBlocks, levelRanges, planCompaction } from './compact';
import type { Points } from './downsample';
import { Head, HEAD_PRIORITY_BASE, type HeadSeries } from './head';
import { WeightedLru } from './lru';
import { type BlockMeta, Manifest } from './manifest';
import { mergeRefs } from './merge';
import {
  type AggregateQuery, type AlignedQuery, type AlignedRow, type DownsampleQuery, type Latest, queryAggregate, queryAligned,
  queryDownsample, queryRaw, queryValueAt, type PlanPart, type RawQuery, type RollupPlan, type SeriesReader,
} from './query';
import type { Summary } from './summary';
import { TagRegistry } from './tag-registry';
import { countOverwrites } from './overwrites';
import { DEFAULT_TAG_LIMITS, TagLimits, type TagLimitOptions } from './tag-limits';
import { type Clock, type Columns, type FsyncPolicy, type Interpolation, type Logger, type SeriesBatch, silentLogger } from './types';
import { Wal } from './wal';

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

/** Why the store refused a sample (see README "Late and future data"). */
export type RejectReason = 'bad_value' | 'bad_time' | 'bad_tag' | 'too_old' | 'too_far_in_future' | 'tag_limit';

export interface RejectedSample { index: number; reason: RejectReason; message: string }

/**
 * Outcome of a write: every sample is either accepted (durable per the fsync policy once
 * the promise resolves) or listed in `errors` with its index in the batch and the reason.
 */
export interface WriteResult {
  accepted: number;
  rejected: number;
  errors?: RejectedSample[];
  /** accepted samples that replaced a value stored for the same (tag, ts), or one earlier in the batch (last write wins) */
  overwrites?: number;
}

export interface TsdbStats {
  series: number;
  headSamples: number;
  headBytes: number;
  blocks: number;
  blockBytes: number;
  blockSamples: number;
  walSegments: number;
  written: number;
  rejected: number;
  corruptBlocks: number;
  readErrors: number;
  compactions: number;
  cuts: number;
  /** queries answered from rollup rows */
  rollupQueries: number;
  /** series and chunk entries of the block indexes held in memory */
  indexCacheEntries: number;
  /** decoded rollup rows held in memory */
  rollupCacheRows: number;
  /** samples refused by a cardinality limit (reason tag_limit) since the store opened */
  tagLimitRejected: number;
  /** tags the store knows */
  tags: number;
}

interface SeriesState { maxT: number; head: HeadSeries | null; headGen: number }

export class TsdbStore implements SeriesReader {
  readonly tags: TagRegistry;
  private head: Head;
  private frozen: Head[] = [];
  private headGen = 0;
  private wal!: Wal;
  private readonly manifest: Manifest;
  private readonly local: LocalBlockSource;
  private readonly sources = new Map<string, BlockSource>();
  /** open block indexes, weighted by index entries, least recently used dropped first */
  private readers: WeightedLru<string, Promise<BlockReader>>;
  private readonly headBudget: number;
  private sinceBudgetCheck = 0;
  /** decoded rollup sections by block, tag and resolution (blocks are immutable) */
  private rollupCache: WeightedLru<string, RollupRows>;
  private corrupt = new Set<string>();
  private state = new Map<string, SeriesState>();
  private listeners = new Set<(s: Sample[]) => void>();
  private timer: NodeJS.Timeout | null = null;
  private lock: Promise<void> = Promise.resolve();
  private closed = false;
  private activeQueries = 0;
  private pendingRemoval: BlockMeta[] = [];
  private counters = { written: 0, rejected: 0, corruptBlocks: 0, readErrors: 0, compactions: 0, cuts: 0, rollupQueries: 0, tagLimitRejected: 0 };
  private readonly limits: TagLimits;
  private readonly writeGuard: (() => void) | null;
  private readonly o: Required<Omit<TsdbOptions, 'blockSources' | 'retentionMs' | 'rollupCacheRows' | 'lateLimitMs' | 'tagLimits' | 'writeGuard' | 'memoryLimitMb'>> & { retentionMs: number | null; lateLimitMs: number | null };
  readonly ranges: number[];

  private constructor(o: TsdbOptions) {
    this.o = {
      dir: o.dir, blockRangeMs: o.blockRangeMs ?? 7_200_000, fsync: o.fsync ?? 'interval', fsyncIntervalMs: o.fsyncIntervalMs ?? 200,
      retentionMs: o.retentionMs ?? null, outOfOrderWindowMs: o.outOfOrderWindowMs ?? 3_600_000, logger: o.logger ?? silentLogger,
      maintenanceIntervalMs: o.maintenanceIntervalMs ?? 10_000, maxHeadSamples: o.maxHeadSamples ?? 4_000_000,
      walSegmentBytes: o.walSegmentBytes ?? 64 << 20, clock: o.clock ?? Date.now,
      lateLimitMs: o.lateLimitMs ?? null, maxFutureMs: o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS,
    };
    validateOptions(this.o);
    this.ranges = levelRanges(this.o.blockRangeMs);
    const limit = o.memoryLimitMb;
    if (limit !== undefined && !(Number.isFinite(limit) && limit >= 8)) throw new Error(`memoryLimitMb: must be a number of at least 8 (got ${limit})`);
    const bytes = (limit ?? 0) * 2 ** 20;
    this.headBudget = limit ? bytes / 2 : Infinity;
    this.rollupCache = new WeightedLru(limit ? Math.floor(bytes / 5 / ROLLUP_ROW_BYTES) : o.rollupCacheRows ?? 500_000);
    this.readers = new WeightedLru(limit ? Math.floor(bytes / 5 / INDEX_ENTRY_BYTES) : Infinity);
    fs.mkdirSync(path.join(o.dir, 'blocks'), { recursive: true });
    this.local = new LocalBlockSource(path.join(o.dir, 'blocks'));
    this.sources.set('local', this.local);
    for (const s of o.blockSources ?? []) this.sources.set(s.location, s);
    this.manifest = Manifest.load(path.join(o.dir, 'manifest.json'));
    this.tags = TagRegistry.open(path.join(o.dir, 'tags.json'), this.o.clock);
    this.head = this.newHead();
    this.limits = new TagLimits({ ...DEFAULT_TAG_LIMITS, ...o.tagLimits }, this.o.clock);
    this.writeGuard = o.writeGuard ?? null;
  }

  static async open(opts: TsdbOptions): Promise<TsdbStore> {
    if (!opts || typeof opts.dir !== 'string' || !opts.dir) throw new Error('dir: must be a directory path');
    const key = path.resolve(opts.dir);
    // a redeploy may reopen a store while the old instance is still closing: wait for it
    await closing.get(key);
    if (openDirs.has(key)) throw new Error(`dir: store ${key} is already open in this process`);
    fs.mkdirSync(key, { recursive: true });
    takeLock(key);
    openDirs.add(key);
    let s: TsdbStore;
    try {
      s = new TsdbStore(opts);
    } catch (e) {
      openDirs.delete(key);
      releaseLock(key);
      throw e;
    }
    s.removeOrphans();
    let replayed = 0;
    s.wal = Wal.open(path.join(opts.dir, 'wal'), {
      fsync: s.o.fsync, fsyncIntervalMs: s.o.fsyncIntervalMs, segmentBytes: s.o.walSegmentBytes, logger: s.o.logger,
    }, (tags, rec) => {
      for (let i = 0; i < rec.ts.length; i++) s.applyOne(tags[rec.ids[i]], rec.ts[i], rec.values[i], rec.quality[i]);
      replayed += rec.ts.length;
    });
    if (replayed) s.o.logger.info(`tsdb ${opts.dir}: replayed ${replayed} samples from the WAL`);
    // replayed tags may have newer samples in blocks than in the WAL (late data)
    if (replayed && s.liveBlocks().length) for (const [tag, st] of s.state) { st.maxT = Infinity; s.learnMaxT(tag, st); }
    if (s.o.maintenanceIntervalMs > 0) {
      s.timer = setInterval(() => { void s.maintain().catch((e) => s.o.logger.error(`tsdb maintenance failed: ${(e as Error).stack ?? e}`)); }, s.o.maintenanceIntervalMs);
      s.timer.unref();
    }
    return s;
  }

  get dir(): string { return this.o.dir; }

  // ---------------------------------------------------------------- write path

  /**
   * Stores samples. Resolves once they are durable per the fsync policy. A sample is
   * rejected (and listed with its reason in `errors`) when its value or time is not a
   * finite number, its tag is invalid, it is older than the late-data limit or the
   * retention, or it is stamped further ahead of the clock than `maxFutureMs`. Late and
   * out-of-order samples are otherwise always stored (the policy in README "Late and
   * future data"): a gateway that was offline for a day delivers a day late.
   */
  async write(samples: readonly Sample[]): Promise<WriteResult> {
    if (this.closed) throw new Error('store is closed');
    if (!Array.isArray(samples)) throw new TypeError('samples: must be an array');
    this.writeGuard?.();
    const n = samples.length;
    if (n === 0) return { accepted: 0, rejected: 0 };
    let keep: Uint8Array | null = null;
    let errors: RejectedSample[] | undefined;
    let accepted = 0;
    const now = this.o.clock();
    const latest = now + this.o.maxFutureMs;
    const storeOldest = Math.max(this.o.lateLimitMs === null ? -Infinity : now - this.o.lateLimitMs, this.o.retentionMs === null ? -Infinity : now - this.o.retentionMs);
    let lastTag = '';
    let st: SeriesState | undefined;
    let oldest = NaN;
    let limitMsg = '';
    let newTags = 0;
    let candidates: number[] | null = null;
    const tagOldest = (tag: string) => {
      const r = this.tags.get(tag)?.retentionMs;
      return r ? Math.max(storeOldest, now - r) : storeOldest;
    };
    for (let i = 0; i < n; i++) {
      const s = samples[i];
      let reason: RejectReason | null = null;
      if (s === null || typeof s !== 'object') reason = 'bad_value';
      else if (typeof s.value !== 'number' || !Number.isFinite(s.value)) reason = 'bad_value';
      else if (typeof s.ts !== 'number' || !Number.isFinite(s.ts)) reason = 'bad_time';
      else {
        if (s.tag !== lastTag) {
          st = this.state.get(s.tag);
          limitMsg = '';
          if (!st && tagError(s.tag) === null) {
            // a tag new to this process: known from before (blocks may hold its past) or new to the store
            const known = this.tags.has(s.tag);
            if (!known) limitMsg = this.limits.admit(s.tag, this.tags.size + newTags) ?? '';
            if (!limitMsg) {
              if (!known) newTags++;
              st = { maxT: known ? Infinity : -Infinity, head: null, headGen: -1 };
              this.state.set(s.tag, st);
              if (known) this.learnMaxT(s.tag, st);
            }
          }
          lastTag = st ? s.tag : '';
          oldest = NaN; // the tag's own retention is looked up only for old samples (hot path)
        }
        if (!st) reason = limitMsg ? 'tag_limit' : 'bad_tag';
        else if (s.ts > latest) reason = 'too_far_in_future';
        else if (s.ts < storeOldest) { oldest = storeOldest; reason = 'too_old'; }
        else if (s.ts < now - TAG_RETENTION_CHECK_AGE_MS && s.ts < (Number.isNaN(oldest) ? (oldest = tagOldest(s.tag)) : oldest)) reason = 'too_old';
        else if (s.ts > st.maxT) st.maxT = s.ts;
        else (candidates ??= []).push(i);
      }
      if (reason === null) accepted++;
      else {
        if (!keep) { keep = new Uint8Array(n); keep.fill(1, 0, i); errors = []; }
        errors!.push({ index: i, reason, message: reason === 'tag_limit' ? limitMsg : rejectMessage(reason, s, now, latest, oldest) });
        if (reason === 'tag_limit') this.counters.tagLimitRejected++;
      }
      if (keep) keep[i] = reason === null ? 1 : 0;
    }
    const rejected = n - accepted;
    this.counters.rejected += rejected;
    const result: WriteResult = errors ? { accepted, rejected, errors } : { accepted, rejected };
    if (accepted === 0) return result;
    // candidates are accepted samples not newer than their tag's data: check what they replace
    if (candidates) {
      const k = keep;
      const over = await countOverwrites(this, samples, k, k ? candidates.filter((i) => k[i]) : candidates);
      if (over > 0) result.overwrites = over;
      if (this.closed) throw new Error('store is closed');
    }
    const durable = this.wal.append(samples, keep, accepted);
    this.applyBatch(samples, keep);
    this.counters.written += accepted;
    if (this.head.samples >= this.o.maxHeadSamples) this.scheduleMaintenance();
    else if (this.headBudget !== Infinity && (this.sinceBudgetCheck += accepted) >= BUDGET_CHECK_SAMPLES) {
      this.sinceBudgetCheck = 0;
      if (this.head.bytes() >= this.headBudget) this.scheduleMaintenance();
    }
    if (durable) await durable;
    if (this.listeners.size) {
      const out = keep ? samples.filter((_, i) => keep![i]) : (samples as Sample[]);
      for (const l of this.listeners) {
        try { l(out); } catch (e) { this.o.logger.error(`tsdb onDurable listener failed: ${e}`); }
      }
    }
    return result;
  }

  /**
   * A tag known from before this process (its past is in blocks): until its newest stored
   * time is known every write to it is checked for overwrites (maxT = Infinity); a maxT
   * lower than the truth only costs extra checks, never a missed overwrite.
   */
  private learnMaxT(tag: string, st: SeriesState): void {
    this.latestOne(tag).then((l) => { st.maxT = l ? l.ts : -Infinity; }, (e) => this.onError(e));
  }

  /** Called with every batch once it is durable (after the write is acknowledged). */
  onDurable(listener: (samples: Sample[]) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private applyBatch(samples: readonly Sample[], keep: Uint8Array | null): void {
    const head = this.head;
    let lastTag = '';
    let hs: HeadSeries | null = null;
    let minT = Infinity, maxT = -Infinity, count = 0;
    for (let i = 0; i < samples.length; i++) {
      if (keep && !keep[i]) continue;
      const s = samples[i];
      if (s.tag !== lastTag) { hs = this.headSeries(s.tag); lastTag = s.tag; }
      const t = s.ts;
      hs!.append(t, s.value, s.quality);
      if (t < minT) minT = t;
      if (t > maxT) maxT = t;
      count++;
    }
    head.noteRange(minT, maxT, count);
  }

  private headSeries(tag: string): HeadSeries {
    let st = this.state.get(tag);
    if (!st) { st = { maxT: -Infinity, head: null, headGen: -1 }; this.state.set(tag, st); }
    if (st.headGen !== this.headGen || !st.head) {
      const created = !this.head.series.has(tag);
      st.head = this.head.getOrCreate(tag);
      st.headGen = this.headGen;
      if (created) this.tags.ensure(tag);
    }
    return st.head;
  }

  /** Replay: one sample straight into the head. */
  private applyOne(tag: string, t: number, v: number, q: number): void {
    this.headSeries(tag).append(t, v, q);
    const st = this.state.get(tag)!;
    if (t > st.maxT) st.maxT = t;
    this.head.noteRange(t, t, 1);
  }

  private newHead(): Head {
    this.headGen++;
    return new Head(HEAD_PRIORITY_BASE + this.headGen * 1e7, this.o.clock());
  }

  // ---------------------------------------------------------------- read path

  /** Raw samples of [from, to) in batches; `order` asc (default) or desc; at most `limit`. */
  raw(q: RawQuery): AsyncGenerator<SeriesBatch> { return this.tracked(queryRaw(this, q)); }

  /** Aggregates per bucket (give bucketMs, or points for about that many buckets). */
  aggregate(q: AggregateQuery): AsyncGenerator<AggregateRow[]> { return this.tracked(queryAggregate(this, q)); }

  /** Min-max or LTTB downsampling to about `points` points. */
  async downsample(q: DownsampleQuery): Promise<Points> {
    this.activeQueries++;
    try { return await queryDownsample(this, q); } finally { this.activeQueries--; }
  }

  /** Value at a time: the sample at or before it (step) or interpolated (linear); default from the tag's metadata. */
  async valueAt(tag: string, at: number, interpolation?: Interpolation): Promise<Latest | null> {
    this.activeQueries++;
    try { return await queryValueAt(this, tag, at, interpolation); } finally { this.activeQueries--; }
  }

  /** Several tags on one time grid (from, from+stepMs, ... < to). */
  aligned(q: AlignedQuery): AsyncGenerator<AlignedRow[]> { return this.tracked(queryAligned(this, q)); }

  /** The newest sample of each tag (tags without data are left out). */
  async latest(tags: readonly string[]): Promise<Latest[]> {
    this.activeQueries++;
    try {
      const out: Latest[] = [];
      for (const tag of tags) {
        const l = await this.latestOne(tag);
        if (l) out.push(l);
      }
      return out;
    } finally { this.activeQueries--; }
  }

  private async latestOne(tag: string): Promise<Latest | null> {
    const refs: ChunkRef[] = [];
    for (const h of [this.head, ...this.frozen]) h.refs(tag, -Infinity, Infinity, refs);
    let best = -Infinity;
    for (const r of refs) if (r.maxT > best) best = r.maxT;
    // blocks newest first; stop once a block ends before the best time found
    const blocks = this.liveBlocks().slice().sort((a, b) => b.maxT - a.maxT);
    for (const b of blocks) {
      if (b.maxT < best) break;
      const reader = await this.reader(b);
      reader?.chunkRefs(tag, best, Infinity, b.seq, refs);
      for (const r of refs) if (r.maxT > best) best = r.maxT;
    }
    if (best === -Infinity) return null;
    const top = refs.filter((r) => r.maxT === best).sort((a, b) => b.priority - a.priority);
    // a run whose worst quality is GOOD ends with a GOOD sample: its summary answers, no decoding
    const s0 = top[0].summary;
    if (s0 && s0.quality === 0) return { tag, ts: s0.lastTs, value: s0.last, quality: 0 };
    for (const r of top) {
      try {
        const c = await r.load();
        const i = c.ts.length - 1;
        return { tag, ts: c.ts[i], value: c.values[i], quality: c.quality[i] };
      } catch (e) { this.onError(e); }
    }
    return null;
  }

  private async *tracked<T>(g: AsyncGenerator<T>): AsyncGenerator<T> {
    this.activeQueries++;
    try { yield* g; } finally { this.activeQueries--; }
  }

  /** SeriesReader: chunk refs of a tag from every source. */
  async refs(tag: string, from: number, to: number): Promise<ChunkRef[]> {
    const out = await this.blockRefs(tag, from, to);
    for (const h of this.frozen) h.refs(tag, from, to, out);
    this.head.refs(tag, from, to, out);
    return out;
  }

  /** Chunk refs of the blocks only (the overwrite check looks at the head series directly). */
  async blockRefs(tag: string, from: number, to: number): Promise<ChunkRef[]> {
    const out: ChunkRef[] = [];
    for (const b of this.liveBlocks()) {
      if (b.maxT < from || b.minT >= to) continue;
      const r = await this.reader(b);
      r?.chunkRefs(tag, from, to, b.seq, out);
    }
    return out;
  }

  /** The head series of a tag (current and frozen heads), for the overwrite check. */
  headSeriesOf(tag: string): HeadSeries[] {
    const out: HeadSeries[] = [];
    for (const h of [this.head, ...this.frozen]) { const s = h.series.get(tag); if (s) out.push(s); }
    return out;
  }

  /**
   * SeriesReader: rollup rows when the blocks of the range do not overlap each other or the
   * head; a block keeping no rollup at `res` for the tag (a slow series) gives its chunk refs.
   */
  async rollups(tag: string, from: number, to: number, res: number): Promise<RollupPlan | null> {
    const parts: Array<{ reader: BlockReader; seq: number; minT: number; maxT: number; has: boolean }> = [];
    let any = false;
    for (const b of this.liveBlocks()) {
      if (b.maxT < from || b.minT >= to) continue;
      const reader = await this.reader(b);
      if (!reader) continue;
      const range = reader.seriesRange(tag);
      if (range && range.maxT >= from && range.minT < to) {
        const has = reader.hasRollup(tag, res);
        any ||= has;
        parts.push({ reader, seq: b.seq, ...range, has });
      }
    }
    if (!any) return null;
    parts.sort((a, b) => a.minT - b.minT);
    for (let i = 1; i < parts.length; i++) if (parts[i].minT <= parts[i - 1].maxT) return null;
    const headRefs: ChunkRef[] = [];
    for (const h of this.frozen) h.refs(tag, from, to, headRefs);
    this.head.refs(tag, from, to, headRefs);
    const lastBlock = parts.length ? parts[parts.length - 1].maxT : -Infinity;
    for (const r of headRefs) if (r.minT <= lastBlock) return null;
    const self = this;
    this.counters.rollupQueries++;
    async function* partsOf(): AsyncGenerator<PlanPart> {
      for (const p of parts) {
        if (!p.has) {
          const refs: ChunkRef[] = [];
          p.reader.chunkRefs(tag, from, to, p.seq, refs);
          yield { refs };
          continue;
        }
        const key = `${p.reader.id}\0${tag}\0${res}`;
        let rr: RollupRows | null | undefined = self.rollupCache.get(key);
        if (!rr) {
          try { rr = await p.reader.rollups(tag, res); } catch (e) { self.onError(e); continue; }
          if (!rr) continue;
          self.rollupCache.set(key, rr, rr.starts.length);
        }
        const n = rr.starts.length;
        if (n && rr.starts[0] >= from && rr.starts[n - 1] < to) { yield { rows: rr.rows }; continue; }
        const out: Summary[] = [];
        for (let i = 0; i < n; i++) {
          const s = rr.starts[i];
          if (s >= from && s < to) out.push(rr.rows[i]);
        }
        if (out.length) yield { rows: out };
      }
    }
    return { parts: partsOf(), headRefs };
  }

  interpolation(tag: string): Interpolation {
    return this.tags.get(tag)?.interpolation ?? 'step';
  }

  /** SeriesReader: read failures are counted and logged; corrupt blocks are left out from then on. */
  onError(e: unknown): void {
    if (e instanceof CorruptBlockError) {
      if (!this.corrupt.has(e.blockId)) {
        this.corrupt.add(e.blockId);
        this.counters.corruptBlocks++;
        this.readers.delete(e.blockId);
        this.o.logger.error(`tsdb: corrupt ${e.message}; the block is left out of queries and compaction`);
      }
      return;
    }
    this.counters.readErrors++;
    this.o.logger.error(`tsdb read error: ${(e as Error)?.message ?? e}`);
  }

  private liveBlocks(): readonly BlockMeta[] {
    const all = this.manifest.blocks;
    return this.corrupt.size ? all.filter((b) => !this.corrupt.has(b.id)) : all;
  }

  private async reader(b: BlockMeta): Promise<BlockReader | null> {
    let p = this.readers.get(b.id);
    if (!p) {
      const src = this.sources.get(b.location);
      // not corrupt: the source (e.g. the tier mover's "remote") may be attached later
      if (!src) { this.onError(new Error(`block ${b.id}: no block source for location "${b.location}"`)); return null; }
      p = BlockReader.open(b.id, src);
      this.readers.set(b.id, p, 1);
      void p.then((r) => { if (this.readers.get(b.id) === p) this.readers.reweigh(b.id, r.indexEntries); }, () => undefined);
    }
    try { return await p; } catch (e) {
      this.readers.delete(b.id);
      this.onError(e instanceof CorruptBlockError ? e : new CorruptBlockError(b.id, (e as Error).message));
      return null;
    }
  }

  // ---------------------------------------------------------------- maintenance

  private scheduleMaintenance(): void {
    if (this.maintenanceScheduled || this.closed) return;
    this.maintenanceScheduled = true;
    setImmediate(() => {
      this.maintenanceScheduled = false;
      void this.maintain().catch((e) => this.o.logger.error(`tsdb maintenance failed: ${(e as Error).stack ?? e}`));
    });
  }
  private maintenanceScheduled = false;

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => undefined, () => undefined);
    return run;
  }

  /** One maintenance pass: cut the head when due, compact, apply retention, save tag metadata. */
  maintain(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.removePending();
      if (this.headDue()) await this.cutHeadLocked();
      for (let i = 0; i < 64 && !this.closed; i++) if (!(await this.compactOnceLocked())) break;
      await this.retentionLocked();
      this.tags.save();
    });
  }

  private headDue(): boolean {
    const h = this.head;
    if (h.samples === 0) return false;
    if (h.samples >= this.o.maxHeadSamples) return true;
    if (this.headBudget !== Infinity && h.bytes() >= this.headBudget) return true;
    const range = this.o.blockRangeMs;
    if (h.maxT - Math.floor(h.minT / range) * range >= range * 1.5) return true;
    return this.o.clock() - h.createdAt >= range / 2;
  }

  /** Makes everything durable in blocks: cuts the head and checkpoints the WAL. */
  flush(): Promise<void> {
    return this.exclusive(() => this.cutHeadLocked());
  }

  /** Runs compaction until nothing is left to do (normally the timer does it bit by bit). */
  compact(): Promise<void> {
    return this.exclusive(async () => { while (await this.compactOnceLocked()); this.removePending(); });
  }

  private async cutHeadLocked(): Promise<void> {
    const old = this.head;
    if (old.samples === 0) return;
    this.head = this.newHead();
    this.frozen.push(old);
    const segment = await this.wal.rotate();
    for (const s of old.series.values()) s.cut();
    const range = this.o.blockRangeMs;
    // Late data far behind the newest sample (a backfill of history) goes straight into
    // day- or week-aligned blocks of the level compaction would give them: one block per
    // 2-hour range would mean thousands of tiny files for a year of backfill.
    const recent = this.ranges.length > 1 ? old.maxT - this.ranges[1] : -Infinity;
    const windows = new Map<string, { start: number; end: number; level: number }>();
    const windowOf = (t: number) => {
      for (let level = this.ranges.length; level >= 2; level--) {
        const size = this.ranges[level - 1];
        const start = Math.floor(t / size) * size;
        if (start + size <= recent) return { start, end: start + size, level };
      }
      const start = Math.floor(t / range) * range;
      return { start, end: start + range, level: 0 };
    };
    for (const s of old.series.values()) {
      for (const c of s.closed) {
        for (let t = Math.floor(c.summary.firstTs / range) * range; t <= c.summary.lastTs; t += range) {
          const w = windowOf(t);
          windows.set(`${w.level}:${w.start}`, w);
        }
      }
    }
    const metas: BlockMeta[] = [];
    const tags = [...old.series.keys()].sort();
    for (const w of [...windows.values()].sort((a, b) => a.start - b.start)) {
      const meta = await this.writeBlock(w.level, this.manifest.nextSeq(), tags, w.start, w.end, (tag, out) => old.refs(tag, w.start, w.end, out));
      if (meta) metas.push(meta);
    }
    this.manifest.commit(metas);
    this.wal.removeBefore(segment);
    this.frozen = this.frozen.filter((h) => h !== old);
    // a tag that has not written since keeps no reference to its old head series (memory)
    for (const [tag, hs] of old.series) {
      const st = this.state.get(tag);
      if (st && st.head === hs) st.head = null;
    }
    this.counters.cuts++;
  }

  /** Writes one block from the merged refs of each tag over [from, to). */
  private async writeBlock(level: number, seq: number, tags: readonly string[], from: number, to: number,
    refsOf: (tag: string, out: ChunkRef[]) => Promise<void> | void, minTOf?: (tag: string) => number): Promise<BlockMeta | null> {
    const id = `${String(seq).padStart(10, '0')}-${level}-${Date.now().toString(36)}`;
    const w = new BlockWriter(this.local.file(id));
    try {
      for (const tag of tags) {
        const refs: ChunkRef[] = [];
        await refsOf(tag, refs);
        if (!refs.length) continue;
        const lo = Math.max(from, minTOf ? minTOf(tag) : -Infinity);
        if (lo >= to) continue;
        const items = mergeRefs(refs, { from: lo, to, onError: (e) => { throw e; } });
        await w.addSeries(tag, colsOf(items));
      }
      if (w.sampleCount === 0) { w.abort(); return null; }
      const r = w.finish();
      return { id, seq, minT: r.minT, maxT: r.maxT, level, bytes: r.bytes, samples: r.samples, series: r.series, location: 'local' };
    } catch (e) {
      w.abort();
      throw e;
    }
  }

  private async compactOnceLocked(): Promise<boolean> {
    const closedBefore = this.o.clock() - this.o.outOfOrderWindowMs;
    const plan = planCompaction(this.manifest.blocks, this.ranges, closedBefore, this.corrupt);
    if (!plan) return false;
    if (plan.relabel) {
      const b = plan.inputs[0];
      this.manifest.commit([], [], [{ ...b, level: plan.level }]);
      return true;
    }
    const readers: Array<{ meta: BlockMeta; reader: BlockReader }> = [];
    for (const meta of plan.inputs) {
      const reader = await this.reader(meta);
      if (!reader) return true; // marked corrupt: the next plan leaves it out
      readers.push({ meta, reader });
    }
    const tagSet = new Set<string>();
    for (const { reader } of readers) for (const t of reader.series.keys()) tagSet.add(t);
    const seq = Math.max(...plan.inputs.map((b) => b.seq));
    let failed = false;
    const meta = await this.writeBlock(plan.level, seq, [...tagSet].sort(), plan.start, plan.end, (tag, out) => {
      for (const { meta: m, reader } of readers) reader.chunkRefs(tag, plan.start, plan.end, m.seq, out);
    }, (tag) => this.tagCutoff(tag)).catch((e) => { failed = true; this.onError(e); return null; });
    if (failed) return true;
    this.manifest.commit(meta ? [meta] : [], plan.inputs.map((b) => b.id));
    for (const b of plan.inputs) this.readers.delete(b.id);
    this.pendingRemoval.push(...plan.inputs);
    this.removePending();
    this.counters.compactions++;
    return true;
  }

  /** Oldest time kept for a tag under per-tag retention (-Infinity when none). */
  private tagCutoff(tag: string): number {
    const r = this.tags.get(tag)?.retentionMs;
    return r ? this.o.clock() - r : -Infinity;
  }

  private async retentionLocked(): Promise<void> {
    const now = this.o.clock();
    const drop: BlockMeta[] = this.o.retentionMs ? expiredBlocks(this.manifest.blocks, now - this.o.retentionMs) : [];
    if (drop.length) {
      this.manifest.commit([], drop.map((b) => b.id));
      for (const b of drop) this.readers.delete(b.id);
      this.pendingRemoval.push(...drop);
    }
    // per-tag retention: rewrite blocks holding expired data of tags with their own retention
    const tagged = [...this.tags.all()].filter((t) => t.retentionMs);
    if (tagged.length) {
      for (const b of this.liveBlocks().slice()) {
        if (b.location !== 'local') continue;
        const reader = await this.reader(b);
        if (!reader) continue;
        const hit = tagged.some((t) => {
          const r = reader.seriesRange(t.tag);
          return r !== null && r.minT < now - t.retentionMs!;
        });
        if (!hit) continue;
        const meta = await this.writeBlock(b.level, b.seq, [...reader.series.keys()].sort(), b.minT, b.maxT + 1,
          (tag, out) => reader.chunkRefs(tag, b.minT, b.maxT + 1, b.seq, out), (tag) => this.tagCutoff(tag));
        this.manifest.commit(meta ? [meta] : [], [b.id]);
        this.readers.delete(b.id);
        this.pendingRemoval.push(b);
      }
    }
    this.removePending();
  }

  /** Deletes files of blocks no longer in the manifest once no query may still read them. */
  private removePending(): void {
    if (this.activeQueries > 0 || !this.pendingRemoval.length) return;
    for (const b of this.pendingRemoval) {
      const src = this.sources.get(b.location);
      void src?.remove(b.id).catch((e) => this.o.logger.warn(`tsdb: could not remove block ${b.id}: ${e}`));
    }
    this.pendingRemoval = [];
  }

  /** Files a crash left behind: temp files and blocks no manifest names. */
  private removeOrphans(): void {
    // a block the manifest places elsewhere (moved to "remote") leaves a stale local copy
    const known = new Set(this.manifest.blocks.filter((b) => b.location === 'local').map((b) => b.id));
    for (const f of fs.readdirSync(this.local.dir)) {
      const id = f.replace(/\.blk$/, '');
      if (f.endsWith('.tmp') || (f.endsWith('.blk') && !known.has(id))) fs.rmSync(path.join(this.local.dir, f), { force: true });
    }
  }

  // ---------------------------------------------------------------- bulk import, stats, close

  /**
   * Writes already sorted series straight into one block (bulk import and benchmarks):
   * no WAL, no head. Data must not overlap what the store holds for these tags.
   */
  async importBlock(series: Iterable<{ tag: string; cols: Columns }>, level = 0): Promise<BlockMeta | null> {
    return this.exclusive(async () => {
      const list = [...series];
      const seq = this.manifest.nextSeq();
      const byTag = new Map(list.map((s) => [s.tag, s.cols]));
      const meta = await this.writeBlock(level, seq, [...byTag.keys()].sort(), -Infinity, Infinity, (tag, out) => {
        const c = byTag.get(tag)!;
        if (!c.ts.length) return;
        out.push({ minT: c.ts[0], maxT: c.ts[c.ts.length - 1], summary: null as unknown as Summary, priority: seq, load: () => c });
      });
      if (meta) {
        this.manifest.commit([meta]);
        for (const tag of byTag.keys()) this.tags.ensure(tag);
      }
      return meta;
    });
  }

  stats(): TsdbStats {
    let series = 0, headSamples = 0, headBytes = 0;
    for (const h of [this.head, ...this.frozen]) { series += h.series.size; headSamples += h.samples; headBytes += h.bytes(); }
    let blockBytes = 0, blockSamples = 0;
    for (const b of this.manifest.blocks) { blockBytes += b.bytes; blockSamples += b.samples; }
    return {
      series, headSamples, headBytes, blocks: this.manifest.blocks.length, blockBytes, blockSamples,
      walSegments: this.wal.segmentCount(), ...this.counters, tags: this.tags.size,
      indexCacheEntries: this.readers.weight, rollupCacheRows: this.rollupCache.weight,
    };
  }

  blocks(): readonly BlockMeta[] { return this.manifest.blocks; }

  /** Path of a local block file (for the tier mover to upload). */
  localBlockPath(id: string): string { return this.local.file(id); }

  /** Adds (or replaces) the block source serving manifest location `source.location`. */
  attachBlockSource(source: BlockSource): void {
    this.sources.set(source.location, source);
    for (const b of this.manifest.blocks) if (b.location === source.location) this.readers.delete(b.id);
  }

  blockSource(location: string): BlockSource | undefined { return this.sources.get(location); }

  /** Store-wide retention in ms (null: keep forever); the tier mover reports deletions with it. */
  get retentionMs(): number | null { return this.o.retentionMs; }

  /**
   * Blocks that will not change any more: top compaction level, range closed (older than
   * the out-of-order window) and no lower-level block waiting to be merged into them.
   * These are what the tier mover may move.
   */
  sealedBlocks(): BlockMeta[] {
    const top = this.ranges.length;
    const size = this.ranges[top - 1];
    const closedBefore = this.o.clock() - this.o.outOfOrderWindowMs;
    const all = this.manifest.blocks;
    return all.filter((b) => {
      if (b.level !== top || this.corrupt.has(b.id)) return false;
      const start = Math.floor(b.minT / size) * size, end = start + size;
      if (end > closedBefore) return false;
      return !all.some((x) => x !== b && x.level < top && x.minT < end && x.maxT >= start);
    });
  }

  /**
   * Records that a block now lives at `to` (the tier mover calls this once the copy there
   * is complete and verified). The manifest changes atomically; the copy at `from` is
   * deleted once no query reads it (a stale local copy left by a crash goes on open).
   */
  relocateBlock(id: string, from: string, to: string): Promise<BlockMeta> {
    return this.exclusive(async () => {
      const b = this.manifest.blocks.find((x) => x.id === id);
      if (!b) throw new Error(`id: block ${id} is not in the manifest`);
      if (b.location !== from) throw new Error(`from: block ${id} is at "${b.location}", not "${from}"`);
      if (!this.sources.has(to)) throw new Error(`to: no block source for location "${to}"`);
      const moved = { ...b, location: to };
      if (from === to) return moved;
      this.manifest.commit([], [], [moved]);
      this.readers.delete(id);
      this.pendingRemoval.push(b);
      this.removePending();
      return moved;
    });
  }

  /** Stops maintenance, cuts the head into blocks, closes the WAL. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    const key = path.resolve(this.o.dir);
    this.closing = (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      try {
        await this.exclusive(async () => {
          await this.cutHeadLocked();
          this.closed = true;
          this.tags.save();
        });
      } finally {
        this.closed = true;
        await this.wal.close();
        this.removePending();
        for (const s of this.sources.values()) await s.close?.();
        releaseLock(key);
        openDirs.delete(key);
        closing.delete(key);
      }
    })();
    closing.set(key, this.closing);
    return this.closing;
  }
  private closing: Promise<void> | null = null;
}

/** Samples younger than this are not checked against their tag's own retention (a retention that short keeps nothing anyway). */
const TAG_RETENTION_CHECK_AGE_MS = 60_000;

/** Default bound on timestamps ahead of the clock (the clock-skew limit). */
export const DEFAULT_MAX_FUTURE_MS = 300_000;

function rejectMessage(reason: RejectReason, s: Sample | null, now: number, latest: number, oldest: number): string {
  const at = (t: number) => new Date(t).toISOString();
  switch (reason) {
    case 'bad_value': return `value: must be a finite number (got ${s && typeof s === 'object' ? String(s.value) : String(s)})`;
    case 'bad_time': return `ts: must be epoch milliseconds (got ${String(s?.ts)})`;
    case 'bad_tag': return `tag: ${tagError(s?.tag) ?? 'invalid'}`;
    case 'tag_limit': return 'tag: over a cardinality limit';
    case 'too_far_in_future': return `ts: ${at(s!.ts)} is ${((s!.ts - now) / 1000).toFixed(1)} s ahead of the server clock; at most ${((latest - now) / 1000).toFixed(1)} s allowed (clock-skew limit)`;
    case 'too_old': return `ts: ${at(s!.ts)} is older than the store keeps (oldest accepted ${at(oldest)}: late-data limit or retention)`;
  }
}

/** decoded rollup row (Summary object and its slot), for the memory budget */
const ROLLUP_ROW_BYTES = 120;
/** a decoded chunk entry or series of a block index (objects, summary), for the memory budget */
const INDEX_ENTRY_BYTES = 200;
/** samples written between two checks of the head's memory against its budget */
const BUDGET_CHECK_SAMPLES = 16_384;

const openDirs = new Set<string>();
const closing = new Map<string, Promise<void>>();

/** One process per store directory: a LOCK file names the owner; a dead owner's lock is taken over. */
function takeLock(dir: string): void {
  const file = path.join(dir, 'LOCK');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && alive(pid)) throw new Error(`dir: store ${dir} is in use by process ${pid}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.writeFileSync(file, String(process.pid));
}

function releaseLock(dir: string): void {
  fs.rmSync(path.join(dir, 'LOCK'), { force: true });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

async function* colsOf(items: AsyncIterable<{ cols?: Columns }>): AsyncGenerator<Columns> {
  for await (const it of items) if (it.cols) yield it.cols;
}

function validateOptions(o: { blockRangeMs: number; fsync: string; fsyncIntervalMs: number; outOfOrderWindowMs: number; retentionMs: number | null; maxHeadSamples: number; lateLimitMs: number | null; maxFutureMs: number }): void {
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
