// The store facade: the write path (validate -> WAL -> head -> ack -> onDurable) and the
// read path (head + frozen heads + blocks, newest write wins) of one directory, with the
// parts it is made of in their own files:
//   store-options.ts  options, defaults, memory budget    head-set.ts    current and frozen heads
//   block-set.ts      manifest, readers, corruption        maintenance.ts head cuts, compaction, retention
//   store-lock.ts     one owner per directory              write-result.ts what a write answers
//   latest.ts         newest sample of a tag               store-stats.ts  what stats() reports
// On disk:
//   <dir>/wal/           WAL segments (FORMAT-wal.md)
//   <dir>/blocks/        block files (FORMAT-block.md)
//   <dir>/manifest.json  block list (FORMAT-manifest.md)
//   <dir>/tags.json      tag registry
import path from 'node:path';
import { columnsOf, keptColumns, tagError, type Sample, type SampleColumns } from '../model';
import type { AggregateRow } from './aggregate';
import type { BlockSource } from './block-source';
import { BlockSet, type StoreCounters } from './block-set';
import type { ChunkRef } from './chunk-ref';
import type { Points } from './downsample';
import type { Head, HeadSeries } from './head';
import { HeadSet } from './head-set';
import { latestOf } from './latest';
import { applyRetention, compactOnce, cutHead, headDue, headDueByTime, type MaintenanceContext } from './maintenance';
import type { BlockMeta } from './manifest';
import {
  type AggregateQuery, type AlignedQuery, type AlignedRow, type DownsampleQuery, type Latest, queryAggregate, queryAligned,
  queryDownsample, queryRaw, queryValueAt, type RawQuery, type RollupPlan, type SeriesReader,
} from './query';
import { acquireStoreDir, noteClosing, releaseStoreDir } from './store-lock';
import { resolveOptions, type ResolvedOptions, type TsdbOptions } from './store-options';
import { collectStats, type TsdbStats } from './store-stats';
import { TagRegistry } from './tag-registry';
import { countOverwrites } from './overwrites';
import { WriteTurns, type Turn } from './write-turns';
import { snapshotStoreDir, type StoreSnapshot } from './snapshot';
import { verifyBlocks, type BlockCheck } from './verify-blocks';
import { DEFAULT_TAG_LIMITS, TagLimits } from './tag-limits';
import type { Columns, Interpolation, SeriesBatch } from './types';
import { UptimeLog, type Run } from './uptime';
import { Wal } from './wal';
import { rejectMessage, type RejectReason, type RejectedSample, type WriteResult } from './write-result';
import type { Summary } from './summary';

export { DEFAULT_MAX_FUTURE_MS, type TsdbOptions } from './store-options';
export type { RejectReason, RejectedSample, WriteResult } from './write-result';
export type { TsdbStats } from './store-stats';

/** raw closed head chunks per head when the store has no memory limit (1.8 M samples) */
const RAW_HEAD_BYTES = 32 * 2 ** 20;

interface SeriesState { maxT: number; head: HeadSeries | null; headGen: number }
/** A write applied to the WAL and the head: its answer, and when it is durable. */
interface Applied { result: WriteResult; durable: Promise<void> | null | undefined; keep: Uint8Array | null }

export class TsdbStore implements SeriesReader {
  readonly tags: TagRegistry;
  private readonly heads: HeadSet;
  private wal!: Wal;
  private readonly blockSet: BlockSet;
  private readonly headBudget: number;
  private sinceBudgetCheck = 0;
  private state = new Map<string, SeriesState>();
  private listeners = new Set<(rows: SampleColumns) => void>();
  private timer: NodeJS.Timeout | null = null;
  private uptime: UptimeLog | null = null;
  private lock: Promise<void> = Promise.resolve();
  private closed = false;
  private counters: StoreCounters = { written: 0, rejected: 0, corruptBlocks: 0, readErrors: 0, compactions: 0, cuts: 0, rollupQueries: 0, tagLimitRejected: 0 };
  private readonly limits: TagLimits;
  private readonly writeGuard: (() => void) | null;
  private readonly o: ResolvedOptions;
  readonly ranges: number[];

  private constructor(opts: TsdbOptions) {
    const { o, ranges, budget } = resolveOptions(opts);
    this.o = o;
    this.ranges = ranges;
    this.headBudget = budget.headBytes;
    this.blockSet = new BlockSet(opts.dir, {
      logger: o.logger, counters: this.counters, indexEntries: budget.indexEntries, rollupRows: budget.rollupRows, sources: opts.blockSources,
    });
    this.tags = TagRegistry.open(path.join(opts.dir, 'tags.json'), o.clock);
    // raw (uncompressed) closed head chunks: a quarter of the head's memory budget, 32 MiB
    // without one; once the head is due for its cut, all of it (four times that without one)
    const raw = budget.headBytes === Infinity ? RAW_HEAD_BYTES : budget.headBytes / 4;
    this.heads = new HeadSet(o.clock, raw, 4 * raw);
    this.limits = new TagLimits({ ...DEFAULT_TAG_LIMITS, ...opts.tagLimits }, o.clock);
    this.writeGuard = opts.writeGuard ?? null;
  }

  static async open(opts: TsdbOptions): Promise<TsdbStore> {
    if (!opts || typeof opts.dir !== 'string' || !opts.dir) throw new Error('dir: must be a directory path');
    // a redeploy may reopen a store while the old instance is still closing: this waits for it
    const key = await acquireStoreDir(opts.dir);
    let s: TsdbStore;
    try {
      s = new TsdbStore(opts);
    } catch (e) {
      releaseStoreDir(key);
      throw e;
    }
    s.blockSet.removeOrphans();
    let replayed = 0;
    s.wal = Wal.open(path.join(opts.dir, 'wal'), {
      fsync: s.o.fsync, fsyncIntervalMs: s.o.fsyncIntervalMs, segmentBytes: s.o.walSegmentBytes, logger: s.o.logger,
    }, (tags, rec) => {
      for (let i = 0; i < rec.ts.length; i++) s.applyOne(tags[rec.ids[i]], rec.ts[i], rec.values[i], rec.quality[i]);
      replayed += rec.ts.length;
    });
    if (replayed) s.o.logger.info(`tsdb ${opts.dir}: replayed ${replayed} samples from the WAL`);
    // replayed tags may have newer samples in blocks than in the WAL (late data)
    if (replayed && s.blockSet.live().length) for (const [tag, st] of s.state) { st.maxT = Infinity; s.learnMaxT(tag, st); }
    if (s.o.maintenanceIntervalMs > 0) {
      s.timer = setInterval(() => { void s.maintain().catch((e) => s.o.logger.error(`tsdb maintenance failed: ${(e as Error).stack ?? e}`)); }, s.o.maintenanceIntervalMs);
      s.timer.unref();
    }
    s.uptime = UptimeLog.open(opts.dir, s.o.clock, (m) => s.o.logger.warn(m));
    return s;
  }

  get dir(): string { return this.o.dir; }

  /**
   * The stretches of [from, to] during which this store was not open (the historian was
   * stopped or restarting): views break their lines there instead of joining the samples
   * on either side (uptime.ts).
   */
  downtime(from: number, to: number): Run[] {
    return this.uptime?.downtime(from, to) ?? [];
  }

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
    return this.writeRows(columnsOf(samples), samples);
  }

  /**
   * Stores samples given as columns (the HTTP ingest path builds them without an object
   * per sample): the same checks, durability and answer as `write`, indexes being rows.
   */
  writeColumns(rows: SampleColumns): Promise<WriteResult> {
    if (this.closed) throw new Error('store is closed');
    return this.writeRows(rows, null);
  }

  /** `src`: the sample objects the rows were made of, for the wording of refusals. */
  private async writeRows(c: SampleColumns, src: readonly Sample[] | null): Promise<WriteResult> {
    this.writeGuard?.();
    if (c.length === 0) return { accepted: 0, rejected: 0 };
    let turn: Turn | null = null;
    let applied: Applied;
    try {
      if (this.headsFullWhileCutting() || this.turns.mustWait(c.tag, c.length)) {
        turn = this.turns.take(c.tag, c.length);
        await turn.after;
        // a head cut hands the event loop back as it goes (pace.ts), so writes go on meanwhile
        // into the new head; once that is full a write waits for the cut (or, if the cut fails,
        // for the maintenance run to end): the heads stay together within the memory budget
        if (this.headsFullWhileCutting()) await Promise.race([this.heads.nextDrop(), this.lock]);
        if (this.closed) throw new Error('store is closed');
      }
      applied = await this.applyRows(c, src, () => { turn ??= this.turns.take(c.tag, c.length); });
    } finally {
      if (turn) this.turns.end(turn);
    }
    const { result, durable, keep } = applied;
    if (durable) await durable;
    if (this.listeners.size && result.accepted > 0) {
      const out = keep ? keptColumns(c, keep, result.accepted) : c;
      for (const l of this.listeners) {
        try { l(out); } catch (e) { this.o.logger.error(`tsdb onDurable listener failed: ${e}`); }
      }
    }
    return result;
  }
  private readonly turns = new WriteTurns();

  /**
   * Checks and applies rows to the WAL and the head. Synchronous but for the overwrite check
   * of samples not newer than their tag's data, before which it calls `waits` so that later
   * writes queue behind this one.
   */
  private async applyRows(c: SampleColumns, src: readonly Sample[] | null, waits: () => void): Promise<Applied> {
    const n = c.length;
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
    const tags = c.tag, times = c.ts, values = c.value;
    for (let i = 0; i < n; i++) {
      const t = times[i];
      let reason: RejectReason | null = null;
      if (!Number.isFinite(values[i])) reason = 'bad_value';
      else if (!Number.isFinite(t)) reason = 'bad_time';
      else {
        const tag = tags[i];
        if (tag !== lastTag) {
          st = this.state.get(tag);
          limitMsg = '';
          if (!st && tagError(tag) === null) {
            // a tag new to this process: known from before (blocks may hold its past) or new to the store
            const known = this.tags.has(tag);
            if (!known) limitMsg = this.limits.admit(tag, this.tags.size + newTags) ?? '';
            if (!limitMsg) {
              if (!known) newTags++;
              st = { maxT: known ? Infinity : -Infinity, head: null, headGen: -1 };
              this.state.set(tag, st);
              if (known) this.learnMaxT(tag, st);
            }
          }
          lastTag = st ? tag : '';
          oldest = NaN; // the tag's own retention is looked up only for old samples (hot path)
        }
        if (!st) reason = limitMsg ? 'tag_limit' : 'bad_tag';
        else if (t > latest) reason = 'too_far_in_future';
        else if (t < storeOldest) { oldest = storeOldest; reason = 'too_old'; }
        else if (t < now - TAG_RETENTION_CHECK_AGE_MS && t < (Number.isNaN(oldest) ? (oldest = tagOldest(tag)) : oldest)) reason = 'too_old';
        else if (t > st.maxT) st.maxT = t;
        else (candidates ??= []).push(i);
      }
      if (reason === null) accepted++;
      else {
        if (!keep) { keep = new Uint8Array(n); keep.fill(1, 0, i); errors = []; }
        const s = src ? src[i] : { tag: tags[i], ts: t, value: values[i], quality: c.quality[i] };
        errors!.push({ index: i, reason, message: reason === 'tag_limit' ? limitMsg : rejectMessage(reason, s, now, latest, oldest) });
        if (reason === 'tag_limit') this.counters.tagLimitRejected++;
      }
      if (keep) keep[i] = reason === null ? 1 : 0;
    }
    const rejected = n - accepted;
    this.counters.rejected += rejected;
    const result: WriteResult = errors ? { accepted, rejected, errors } : { accepted, rejected };
    if (accepted === 0) return { result, durable: undefined, keep };
    // candidates are accepted samples not newer than their tag's data: check what they replace
    if (candidates) {
      const k = keep;
      waits();
      const over = await countOverwrites(this, c, k, k ? candidates.filter((i) => k[i]) : candidates);
      if (over > 0) result.overwrites = over;
      if (this.closed) throw new Error('store is closed');
    }
    const durable = this.wal.append(c, keep, accepted);
    this.applyBatch(c, keep);
    this.counters.written += accepted;
    const head = this.heads.head;
    if (!head.due && headDueByTime(head, this.o)) head.markDue();
    if (this.heads.head.samples >= this.o.maxHeadSamples) this.scheduleMaintenance();
    else if (this.headBudget !== Infinity && (this.sinceBudgetCheck += accepted) >= BUDGET_CHECK_SAMPLES) {
      this.sinceBudgetCheck = 0;
      if (this.heads.head.bytes() >= this.headBudget) this.scheduleMaintenance();
    }
    return { result, durable, keep };
  }

  /** A head is being cut and the heads are full: a write waits for the cut. */
  private headsFullWhileCutting(): boolean {
    return this.heads.frozen.length > 0 && this.headsFull();
  }

  /** Whether the current head is at its sample limit, or the heads together at their memory budget. */
  private headsFull(): boolean {
    const head = this.heads.head;
    if (head.samples >= this.o.maxHeadSamples) return true;
    if (this.headBudget === Infinity) return false;
    let bytes = head.bytes();
    for (const h of this.heads.frozen) bytes += h.bytes();
    return bytes >= this.headBudget;
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
  onDurable(listener: (rows: SampleColumns) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private applyBatch(c: SampleColumns, keep: Uint8Array | null): void {
    const head = this.heads.head;
    const tags = c.tag, times = c.ts, values = c.value, quality = c.quality;
    let lastTag = '';
    let hs: HeadSeries | null = null;
    let minT = Infinity, maxT = -Infinity, count = 0;
    for (let i = 0; i < c.length; i++) {
      if (keep && !keep[i]) continue;
      const tag = tags[i];
      if (tag !== lastTag) { hs = this.headSeries(tag); lastTag = tag; }
      const t = times[i];
      hs!.append(t, values[i], quality[i]);
      if (t < minT) minT = t;
      if (t > maxT) maxT = t;
      count++;
    }
    head.noteRange(minT, maxT, count);
  }

  private headSeries(tag: string): HeadSeries {
    let st = this.state.get(tag);
    if (!st) { st = { maxT: -Infinity, head: null, headGen: -1 }; this.state.set(tag, st); }
    if (st.headGen !== this.heads.gen || !st.head) {
      const head = this.heads.head;
      const created = !head.series.has(tag);
      st.head = head.getOrCreate(tag);
      st.headGen = this.heads.gen;
      if (created) this.tags.ensure(tag);
    }
    return st.head;
  }

  /** Replay: one sample straight into the head. */
  private applyOne(tag: string, t: number, v: number, q: number): void {
    this.headSeries(tag).append(t, v, q);
    const st = this.state.get(tag)!;
    if (t > st.maxT) st.maxT = t;
    this.heads.head.noteRange(t, t, 1);
  }

  // ---------------------------------------------------------------- read path

  /** Raw samples of [from, to) in batches; `order` asc (default) or desc; at most `limit`. */
  raw(q: RawQuery): AsyncGenerator<SeriesBatch> { return this.tracked(queryRaw(this, q)); }

  /** Aggregates per bucket (give bucketMs, or points for about that many buckets). */
  aggregate(q: AggregateQuery): AsyncGenerator<AggregateRow[]> { return this.tracked(queryAggregate(this, q)); }

  /** Min-max or LTTB downsampling to about `points` points. */
  async downsample(q: DownsampleQuery): Promise<Points> {
    this.blockSet.activeQueries++;
    try { return await queryDownsample(this, q); } finally { this.blockSet.activeQueries--; }
  }

  /** Value at a time: the sample at or before it (step) or interpolated (linear); default from the tag's metadata. */
  async valueAt(tag: string, at: number, interpolation?: Interpolation): Promise<Latest | null> {
    this.blockSet.activeQueries++;
    try { return await queryValueAt(this, tag, at, interpolation); } finally { this.blockSet.activeQueries--; }
  }

  /** Several tags on one time grid (from, from+stepMs, ... < to). */
  aligned(q: AlignedQuery): AsyncGenerator<AlignedRow[]> { return this.tracked(queryAligned(this, q)); }

  /** The newest sample of each tag (tags without data are left out). */
  async latest(tags: readonly string[]): Promise<Latest[]> {
    this.blockSet.activeQueries++;
    try {
      const out: Latest[] = [];
      for (const tag of tags) {
        const l = await this.latestOne(tag);
        if (l) out.push(l);
      }
      return out;
    } finally { this.blockSet.activeQueries--; }
  }

  private latestOne(tag: string): Promise<Latest | null> {
    return latestOf(tag, this.heads, this.blockSet);
  }

  private async *tracked<T>(g: AsyncGenerator<T>): AsyncGenerator<T> {
    this.blockSet.activeQueries++;
    try { yield* g; } finally { this.blockSet.activeQueries--; }
  }

  /** SeriesReader: chunk refs of a tag from every source. */
  async refs(tag: string, from: number, to: number): Promise<ChunkRef[]> {
    const out = await this.blockSet.refs(tag, from, to);
    this.heads.refs(tag, from, to, out);
    return out;
  }

  /** Chunk refs of the blocks only (the overwrite check looks at the head series directly). */
  blockRefs(tag: string, from: number, to: number): Promise<ChunkRef[]> {
    return this.blockSet.refs(tag, from, to);
  }

  /** The head series of a tag (current and frozen heads), for the overwrite check. */
  headSeriesOf(tag: string): HeadSeries[] {
    return this.heads.seriesOf(tag);
  }

  /**
   * SeriesReader: rollup rows when the blocks of the range do not overlap each other or the
   * head; a block keeping no rollup at `res` for the tag (a slow series) gives its chunk refs.
   */
  async rollups(tag: string, from: number, to: number, res: number): Promise<RollupPlan | null> {
    const parts = await this.blockSet.rollupSources(tag, from, to, res);
    if (!parts) return null;
    const headRefs: ChunkRef[] = [];
    this.heads.refs(tag, from, to, headRefs);
    const lastBlock = parts.length ? parts[parts.length - 1].maxT : -Infinity;
    for (const r of headRefs) if (r.minT <= lastBlock) return null;
    this.counters.rollupQueries++;
    return { parts: this.blockSet.rollupParts(parts, tag, from, to, res), headRefs };
  }

  interpolation(tag: string): Interpolation {
    return this.tags.get(tag)?.interpolation ?? 'step';
  }

  /** SeriesReader: read failures are counted and logged; corrupt blocks are left out from then on. */
  onError(e: unknown): void {
    this.blockSet.onError(e);
  }

  // ---------------------------------------------------------------- maintenance (maintenance.ts)

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

  /** The parts maintenance works on (the WAL exists only once open() has replayed it). */
  private get maintenance(): MaintenanceContext {
    return {
      o: this.o, ranges: this.ranges, blocks: this.blockSet, heads: this.heads, tags: this.tags, wal: this.wal,
      counters: this.counters, headBudget: this.headBudget, forgetHead: (old) => this.forgetHead(old),
    };
  }

  /** A tag that has not written since keeps no reference to its old head series (memory). */
  private forgetHead(old: Head): void {
    for (const [tag, hs] of old.series) {
      const st = this.state.get(tag);
      if (st && st.head === hs) st.head = null;
    }
  }

  /** One maintenance pass: cut the head when due, compact, apply retention, save tag metadata. */
  maintain(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      const m = this.maintenance;
      this.blockSet.removePending();
      if (headDue(m) || this.heads.frozen.length > 0) await cutHead(m); // a head whose cut failed is retried first
      for (let i = 0; i < 64 && !this.closed; i++) if (!(await compactOnce(m))) break;
      await applyRetention(m);
      this.tags.save();
    });
  }

  /** Makes everything durable in blocks: cuts the head and checkpoints the WAL. */
  flush(): Promise<void> {
    return this.exclusive(() => cutHead(this.maintenance));
  }

  /** Runs compaction until nothing is left to do (normally the timer does it bit by bit). */
  compact(): Promise<void> {
    return this.exclusive(async () => { const m = this.maintenance; while (await compactOnce(m)); this.blockSet.removePending(); });
  }

  // ---------------------------------------------------------------- bulk import, stats, tier hooks, close

  /**
   * Writes already sorted series straight into one block (bulk import and benchmarks):
   * no WAL, no head. Data must not overlap what the store holds for these tags.
   */
  async importBlock(series: Iterable<{ tag: string; cols: Columns }>, level = 0): Promise<BlockMeta | null> {
    return this.exclusive(async () => {
      const list = [...series];
      const seq = this.blockSet.manifest.nextSeq();
      const byTag = new Map(list.map((s) => [s.tag, s.cols]));
      const meta = await this.blockSet.write(level, seq, [...byTag.keys()].sort(), -Infinity, Infinity, (tag, out) => {
        const c = byTag.get(tag)!;
        if (!c.ts.length) return;
        out.push({ minT: c.ts[0], maxT: c.ts[c.ts.length - 1], summary: null as unknown as Summary, priority: seq, load: () => c });
      });
      if (meta) {
        this.blockSet.manifest.commit([meta]);
        for (const tag of byTag.keys()) this.tags.ensure(tag);
      }
      return meta;
    });
  }

  stats(): TsdbStats {
    return collectStats(this.heads, this.blockSet, this.counters, this.wal.segmentCount(), this.tags.size);
  }

  blocks(): readonly BlockMeta[] { return this.blockSet.all; }

  /** Reads every local block whole against its checksums (verify-blocks.ts); blocks in other tiers are not read. */
  verifyBlocks(): Promise<BlockCheck> {
    return this.exclusive(() => verifyBlocks(this.blockSet.all, this.blockSet.local));
  }

  /** Path of a local block file (for the tier mover to upload). */
  localBlockPath(id: string): string { return this.blockSet.local.file(id); }

  /**
   * A consistent copy of the store in `dest` (a new directory, best on the same filesystem:
   * blocks are hard-linked) while it keeps taking writes (snapshot.ts): every sample
   * acknowledged before the call is in the copy. Maintenance waits meanwhile.
   */
  snapshotInto(dest: string): Promise<StoreSnapshot> {
    return this.exclusive(async () => {
      if (this.closed) throw new Error('store is closed');
      this.tags.save();
      const files = new Map<string, string>();
      for (const b of this.blockSet.all) if (b.location === 'local') files.set(b.id, this.blockSet.local.file(b.id));
      return snapshotStoreDir(this.o.dir, dest, files);
    });
  }

  /** Adds (or replaces) the block source serving manifest location `source.location`. */
  attachBlockSource(source: BlockSource): void {
    this.blockSet.attach(source);
  }

  blockSource(location: string): BlockSource | undefined { return this.blockSet.source(location); }

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
    const all = this.blockSet.all;
    return all.filter((b) => {
      if (b.level !== top || this.blockSet.corrupt.has(b.id)) return false;
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
      const b = this.blockSet.all.find((x) => x.id === id);
      if (!b) throw new Error(`id: block ${id} is not in the manifest`);
      if (b.location !== from) throw new Error(`from: block ${id} is at "${b.location}", not "${from}"`);
      if (!this.blockSet.source(to)) throw new Error(`to: no block source for location "${to}"`);
      const moved = { ...b, location: to };
      if (from === to) return moved;
      this.blockSet.manifest.commit([], [], [moved]);
      this.blockSet.retire([b]);
      this.blockSet.removePending();
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
      this.uptime?.close();
      try {
        await this.exclusive(async () => {
          await cutHead(this.maintenance);
          this.closed = true;
          this.tags.save();
        });
      } finally {
        this.closed = true;
        await this.wal.close();
        this.blockSet.removePending();
        await this.blockSet.closeSources();
        releaseStoreDir(key);
      }
    })();
    noteClosing(key, this.closing);
    return this.closing;
  }
  private closing: Promise<void> | null = null;
}

/** Samples younger than this are not checked against their tag's own retention (a retention that short keeps nothing anyway). */
const TAG_RETENTION_CHECK_AGE_MS = 60_000;

/** samples written between two checks of the head's memory against its budget */
const BUDGET_CHECK_SAMPLES = 16_384;
