// Query kinds over one store, all streaming: raw ranges, bucket aggregates, min-max and
// LTTB downsampling, latest value, value at time, and several tags on one time grid.
// Long buckets read rollup rows instead of samples; everything else reads chunk refs,
// folding chunk summaries where a whole chunk falls into one bucket.
import { DomainError } from '../platform';
import { AggregateRow, BucketAggregator } from './aggregate';
import type { ChunkRef } from './chunk-ref';
import { LttbDownsampler, MinMaxDownsampler, type Points } from './downsample';
import { mergeRefs } from './merge';
import { pace, type QueryBudget } from './pace';
import { ROLLUP_RESOLUTIONS } from './rollup';
import type { Summary } from './summary';
import type { Columns, Interpolation, SeriesBatch } from './types';

/** What the query layer needs from the store. */
export interface SeriesReader {
  refs(tag: string, from: number, to: number): Promise<ChunkRef[]>;
  /** Rollup rows (time-ordered) plus head refs after them, or null when rollups cannot answer. */
  rollups(tag: string, from: number, to: number, res: number): Promise<RollupPlan | null>;
  onError(e: unknown): void;
  interpolation(tag: string): Interpolation;
}

/** Rollup rows of one block, or the chunk refs of a block that keeps no rollup at that resolution. */
export type PlanPart = { rows: Summary[]; refs?: undefined } | { refs: ChunkRef[]; rows?: undefined };

export interface RollupPlan {
  /** parts in time order, not overlapping each other */
  parts: AsyncIterable<PlanPart>;
  headRefs: ChunkRef[];
}

export class QueryError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'QueryError';
  }
}

export interface RawQuery { tag: string; from: number; to: number; limit?: number; order?: 'asc' | 'desc'; budget?: QueryBudget }

/** Samples of [from, to) in batches, ascending or descending, at most `limit`. */
export async function* queryRaw(r: SeriesReader, q: RawQuery): AsyncGenerator<SeriesBatch> {
  checkTag(q.tag);
  checkRange(q.from, q.to);
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') throw new QueryError('order', 'must be "asc" or "desc"');
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 0)) throw new QueryError('limit', 'must be a non-negative integer');
  let left = q.limit ?? Infinity;
  if (left <= 0) return;
  const refs = await r.refs(q.tag, q.from, q.to);
  for await (const item of mergeRefs(refs, { from: q.from, to: q.to, order: q.order, onError: (e) => r.onError(e) })) {
    await pace(q.budget);
    let c = item.cols!;
    if (c.ts.length > left) c = { ts: c.ts.subarray(0, left), values: c.values.subarray(0, left), quality: c.quality.subarray(0, left) };
    left -= c.ts.length;
    yield { tag: q.tag, ...c };
    if (left <= 0) return;
  }
}

export interface AggregateQuery {
  tag: string;
  from: number;
  to: number;
  /** bucket width; or give `points` to get about that many buckets */
  bucketMs?: number;
  points?: number;
  budget?: QueryBudget;
}

/**
 * Resolves the bucket width. With `points`, a width of at least half a rollup resolution is
 * rounded up to a multiple of it and the range widened to it, so views over long ranges
 * read rollups (at worst half the points asked for: a 30-day view gets 1-hour buckets,
 * which series too sparse for a 1-minute level keep).
 */
export function resolveBuckets(q: { from: number; to: number; bucketMs?: number; points?: number }): { from: number; to: number; bucketMs: number } {
  checkRange(q.from, q.to);
  if (q.bucketMs !== undefined) {
    if (!Number.isFinite(q.bucketMs) || q.bucketMs <= 0) throw new QueryError('bucketMs', 'must be a positive number of milliseconds');
    if ((q.to - q.from) / q.bucketMs > 10_000_000) throw new QueryError('bucketMs', 'gives more than 10,000,000 buckets');
    return { from: q.from, to: q.to, bucketMs: q.bucketMs };
  }
  const points = q.points ?? 1000;
  if (!Number.isInteger(points) || points < 1 || points > 1_000_000) throw new QueryError('points', 'must be an integer from 1 to 1,000,000');
  let b = Math.max(1, Math.ceil((q.to - q.from) / points));
  let { from, to } = q;
  for (let i = ROLLUP_RESOLUTIONS.length - 1; i >= 0; i--) {
    const res = ROLLUP_RESOLUTIONS[i];
    if (b * 2 >= res) {
      b = Math.ceil(b / res) * res;
      from = Math.floor(from / res) * res;
      to = Math.ceil(to / res) * res;
      break;
    }
  }
  return { from, to, bucketMs: b };
}

function rollupResolution(from: number, to: number, b: number): number | null {
  for (let i = ROLLUP_RESOLUTIONS.length - 1; i >= 0; i--) {
    const res = ROLLUP_RESOLUTIONS[i];
    if (b % res === 0 && from % res === 0 && to % res === 0) return res;
  }
  return null;
}

/** A chunk summary inside one bucket as the two extremes a min-max chart needs, in a plausible order. */
function addExtremes(d: MinMaxDownsampler, s: Summary): void {
  if (s.first <= s.last) { d.add(s.firstTs, s.min); d.add(s.lastTs, s.max); }
  else { d.add(s.firstTs, s.max); d.add(s.lastTs, s.min); }
}

/** Rollup rows (`rollup`: several may share a bucket) or whole-chunk summaries lying in one bucket, or samples. */
type ScanItem = { cols: Columns; summaries?: undefined } | { summaries: Summary[]; rollup: boolean; cols?: undefined };

/**
 * Every sample or summary of [from, to) in time order, reading rollups where the range's
 * blocks keep them and whole-chunk summaries where `fits` allows.
 */
async function* scan(r: SeriesReader, tag: string, from: number, to: number, bucketMs: number, fits: ((s: Summary) => boolean) | null): AsyncGenerator<ScanItem> {
  const res = fits ? rollupResolution(from, to, bucketMs) : null;
  const plan = res ? await r.rollups(tag, from, to, res) : null;
  const merge = (refs: ChunkRef[]) => mergeRefs(refs, { from, to, useSummary: fits ?? undefined, onError: (e) => r.onError(e) });
  let refs: ChunkRef[];
  if (plan) {
    for await (const part of plan.parts) {
      if (part.rows) { yield { summaries: part.rows, rollup: true }; continue; }
      for await (const item of merge(part.refs)) yield item.summary ? { summaries: [item.summary], rollup: false } : { cols: item.cols };
    }
    refs = plan.headRefs;
  } else refs = await r.refs(tag, from, to);
  for await (const item of merge(refs)) {
    yield item.summary ? { summaries: [item.summary], rollup: false } : { cols: item.cols };
  }
}

/** Aggregates per bucket, yielded in batches of rows; empty buckets are left out. */
export async function* queryAggregate(r: SeriesReader, q: AggregateQuery): AsyncGenerator<AggregateRow[]> {
  checkTag(q.tag);
  const { from, to, bucketMs } = resolveBuckets(q);
  let out: AggregateRow[] = [];
  const agg = new BucketAggregator(from, to, bucketMs, (row) => out.push(row));
  for await (const item of scan(r, q.tag, from, to, bucketMs, agg.fits)) {
    await pace(q.budget);
    if (item.summaries) for (const s of item.summaries) agg.addSummary(s);
    else {
      const c = item.cols;
      for (let i = 0; i < c.ts.length; i++) agg.add(c.ts[i], c.values[i], c.quality[i]);
    }
    if (out.length >= 1000) { yield out; out = []; }
  }
  agg.close();
  if (out.length) yield out;
}

export interface DownsampleQuery { tag: string; from: number; to: number; points: number; mode?: 'minmax' | 'lttb'; budget?: QueryBudget }

/** About `points` points for a chart; long ranges are answered from rollups. */
export async function queryDownsample(r: SeriesReader, q: DownsampleQuery): Promise<Points> {
  checkTag(q.tag);
  const mode = q.mode ?? 'minmax';
  if (mode !== 'minmax' && mode !== 'lttb') throw new QueryError('mode', 'must be "minmax" or "lttb"');
  if (!Number.isInteger(q.points) || q.points < 2) throw new QueryError('points', 'must be an integer of at least 2');
  const perBucket = mode === 'minmax' ? 2 : 1;
  const { from, to, bucketMs } = resolveBuckets({ from: q.from, to: q.to, points: Math.max(1, Math.floor(q.points / perBucket) - (mode === 'lttb' ? 2 : 0)) });
  const bucketOf = (t: number) => Math.floor((t - from) / bucketMs);
  if (mode === 'minmax') {
    const d = new MinMaxDownsampler(from, bucketMs);
    // rollup rows and whole-chunk summaries lack their extremes' times: each puts its min and
    // max at its own first and last sample times (in the order of its first and last value),
    // so every point lies inside the data and a bucket folds rows, summaries and samples alike
    for await (const item of scan(r, q.tag, from, to, bucketMs, (s) => bucketOf(s.firstTs) === bucketOf(s.lastTs))) {
      await pace(q.budget);
      if (item.summaries) for (const s of item.summaries) addExtremes(d, s);
      else {
        const c = item.cols;
        for (let i = 0; i < c.ts.length; i++) d.add(c.ts[i], c.values[i]);
      }
    }
    return d.finish();
  }
  const d = new LttbDownsampler(from, bucketMs);
  for await (const item of scan(r, q.tag, from, to, bucketMs, (s) => bucketOf(s.firstTs) === bucketOf(s.lastTs))) {
    await pace(q.budget);
    if (item.summaries) for (const s of item.summaries) d.add(s.firstTs + (s.lastTs - s.firstTs) / 2, s.sum / s.count);
    else {
      const c = item.cols;
      for (let i = 0; i < c.ts.length; i++) d.add(c.ts[i], c.values[i]);
    }
  }
  return d.finish();
}

export interface Latest { tag: string; ts: number; value: number; quality: number }

/** Sample at or before `t` (step) or interpolated between its neighbours (linear). */
export async function queryValueAt(r: SeriesReader, tag: string, t: number, interpolation?: Interpolation): Promise<Latest | null> {
  checkTag(tag);
  if (!Number.isFinite(t) || t < 0) throw new QueryError('at', 'must be a time in epoch milliseconds from 1970 on');
  const mode = interpolation ?? r.interpolation(tag);
  const prev = await one(r, tag, 0, t + 1, 'desc');
  if (!prev) return null;
  if (mode === 'step' || prev.ts === t) return { ...prev, ts: t };
  const next = await one(r, tag, t + 1, Number.MAX_SAFE_INTEGER, 'asc');
  if (!next) return null;
  const f = (t - prev.ts) / (next.ts - prev.ts);
  return { tag, ts: t, value: prev.value + f * (next.value - prev.value), quality: worseOf(prev.quality, next.quality) };
}

/**
 * The first sample of [from, to) in the given order. Searches outward from the near end in
 * growing windows, so finding a neighbour does not touch years of block indexes.
 */
async function one(r: SeriesReader, tag: string, from: number, to: number, order: 'asc' | 'desc'): Promise<Latest | null> {
  for (let w = 3_600_000; ; w *= 16) {
    const f = order === 'desc' ? Math.max(from, to - w) : from;
    const t = order === 'desc' ? to : Math.min(to, from + w);
    for await (const b of queryRaw(r, { tag, from: f, to: t, order, limit: 1 })) return { tag, ts: b.ts[0], value: b.values[0], quality: b.quality[0] };
    if (f === from && t === to) return null;
  }
}

export interface AlignedQuery { tags: string[]; from: number; to: number; stepMs: number; interpolation?: Interpolation; budget?: QueryBudget }
export interface AlignedRow { ts: number; values: Array<number | null> }

/** Every tag's value at from, from+step, ... < to (step hold or linear), in row batches. */
export async function* queryAligned(r: SeriesReader, q: AlignedQuery): AsyncGenerator<AlignedRow[]> {
  checkRange(q.from, q.to);
  if (!Array.isArray(q.tags) || q.tags.length === 0) throw new QueryError('tags', 'must be a non-empty array');
  q.tags.forEach((t, i) => { if (typeof t !== 'string' || !t) throw new QueryError(`tags[${i}]`, 'must be a tag name'); });
  if (!Number.isFinite(q.stepMs) || q.stepMs <= 0) throw new QueryError('stepMs', 'must be a positive number of milliseconds');
  if ((q.to - q.from) / q.stepMs > 10_000_000) throw new QueryError('stepMs', 'gives more than 10,000,000 rows');
  const cursors = await Promise.all(q.tags.map(async (tag) => {
    const c = new Cursor(r, tag, q.from, q.to, q.interpolation ?? r.interpolation(tag));
    await c.init();
    return c;
  }));
  let rows: AlignedRow[] = [];
  for (let g = q.from; g < q.to; g += q.stepMs) {
    const values: Array<number | null> = new Array(cursors.length);
    for (let i = 0; i < cursors.length; i++) values[i] = await cursors[i].valueAt(g);
    rows.push({ ts: g, values });
    if ((rows.length & 63) === 0) await pace(q.budget);
    if (rows.length === 1000) { yield rows; rows = []; }
  }
  if (rows.length) yield rows;
}

/** Walks one series forward in time, keeping the samples around the current grid time. */
class Cursor {
  private it: AsyncIterator<SeriesBatch> | null = null;
  private buf: Columns | null = null;
  private i = 0;
  private prevT = NaN; private prevV = 0;
  private nextT = NaN; private nextV = 0;
  private exhausted = false;
  private tail: Latest | null | undefined = undefined;

  constructor(private r: SeriesReader, private tag: string, private from: number, private to: number, private mode: Interpolation) {}

  async init(): Promise<void> {
    const p = await one(this.r, this.tag, 0, this.from, 'desc');
    if (p) { this.prevT = p.ts; this.prevV = p.value; }
    this.it = queryRaw(this.r, { tag: this.tag, from: this.from, to: this.to })[Symbol.asyncIterator]();
    await this.advance();
  }

  private async advance(): Promise<void> {
    while (!this.buf || this.i >= this.buf.ts.length) {
      if (this.exhausted) { this.nextT = NaN; return this.loadTail(); }
      const n = await this.it!.next();
      if (n.done) { this.exhausted = true; continue; }
      this.buf = n.value; this.i = 0;
    }
    this.nextT = this.buf.ts[this.i]; this.nextV = this.buf.values[this.i];
  }

  private async loadTail(): Promise<void> {
    if (this.mode !== 'linear') return;
    if (this.tail === undefined) this.tail = await one(this.r, this.tag, this.to, Number.MAX_SAFE_INTEGER, 'asc');
    if (this.tail) { this.nextT = this.tail.ts; this.nextV = this.tail.value; }
  }

  async valueAt(g: number): Promise<number | null> {
    while (!Number.isNaN(this.nextT) && this.nextT <= g) {
      this.prevT = this.nextT; this.prevV = this.nextV;
      if (this.tail && this.nextT === this.tail.ts) { this.nextT = NaN; break; }
      this.i++;
      await this.advance();
    }
    if (Number.isNaN(this.prevT)) return null;
    if (this.mode === 'step' || this.prevT === g) return this.prevV;
    if (Number.isNaN(this.nextT)) return null;
    return this.prevV + ((g - this.prevT) / (this.nextT - this.prevT)) * (this.nextV - this.prevV);
  }
}

function checkTag(tag: unknown): void {
  if (typeof tag !== 'string' || tag.length === 0) throw new QueryError('tag', 'must be a tag name');
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from)) throw new QueryError('from', 'must be a time in epoch milliseconds');
  if (!Number.isFinite(to)) throw new QueryError('to', 'must be a time in epoch milliseconds');
  if (to <= from) throw new QueryError('to', 'must be after from');
}

function worseOf(a: number, b: number): number {
  const ra = a & 0x8000 ? 2 : a & 0x4000 ? 1 : 0, rb = b & 0x8000 ? 2 : b & 0x4000 ? 1 : 0;
  return rb > ra ? b : a;
}
