// One validated description of a query, shared by the historian-query node and
// GET /api/v1/query, and one executor that yields the answer as JSON fragments so that
// the HTTP route can stream it and the node can collect it. Validation is complete
// (fields, range, answer size) so that a bad request is refused before any work.
import { z } from 'zod';
import { qualityName } from '../model';
import { DomainError } from '../platform';
import { parseTime, tagSchema, timeSchema } from '../model';

export { parseTime };
import { AGGREGATES, type AggregateName, type AggregateRow } from './aggregate';
import { QueryBudget, QueryBudgetError } from './pace';
import type { TsdbStore } from './store';

const time = timeSchema;
const tag = tagSchema;
/** A list given as an array or as a comma-separated string (query strings). */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).min(1).max(1000));
const num = z.coerce.number();
const interpolation = z.enum(['step', 'linear']).optional();

export const queryRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('raw'), tag, from: time('from'), to: time('to'), limit: num.int().positive().max(100_000_000).optional(), order: z.enum(['asc', 'desc']).optional() }),
  z.object({
    kind: z.literal('aggregate'), tag, from: time('from'), to: time('to'),
    bucketMs: num.int().positive().optional(), points: num.int().min(1).max(1_000_000).optional(),
    fns: list(z.enum(AGGREGATES)).optional(),
  }).refine((q) => q.bucketMs !== undefined || q.points !== undefined, { message: 'give bucketMs or points', path: ['bucketMs'] }),
  z.object({ kind: z.literal('downsample'), tag, from: time('from'), to: time('to'), points: num.int().min(2).max(1_000_000), mode: z.enum(['minmax', 'lttb']).optional() }),
  z.object({ kind: z.literal('latest'), tags: list(tag) }),
  z.object({ kind: z.literal('at'), tag, at: time('at'), interpolation }),
  z.object({ kind: z.literal('aligned'), tags: list(tag), from: time('from'), to: time('to'), stepMs: num.int().positive(), interpolation }),
]);

export type QueryRequest = z.infer<typeof queryRequestSchema>;

export class QueryRequestError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'QueryRequestError';
  }
}

/**
 * What one request may ask for. Rows and cells bound the answer's size and the work per
 * request before any of it is done; the time budget bounds what the size cannot (slow
 * disks, cold blocks). Flows and the HTTP API share them.
 */
export interface QueryLimits {
  /** raw samples or aligned rows per request */
  maxRows: number;
  /** aligned rows × tags per request */
  maxCells: number;
  /** aggregate buckets per request */
  maxBuckets: number;
  /** wall time per request, ms */
  budgetMs: number;
}

export const QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({ maxRows: 1_000_000, maxCells: 5_000_000, maxBuckets: 1_000_000, budgetMs: 30_000 });

/** Validates a query description completely (fields, range, size); errors name the field. */
export function parseQueryRequest(input: unknown, limits: QueryLimits = QUERY_LIMITS): QueryRequest {
  const r = queryRequestSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new QueryRequestError(i.path.join('.') || 'kind', i.path.length === 0 && i.code === 'invalid_union' ? 'must be one of raw, aggregate, downsample, latest, at, aligned' : i.message);
  }
  checkBounds(r.data, limits);
  return r.data;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const iso = (t: number) => new Date(t).toISOString();

/** Range and size checks: everything that could fail once the answer has started is checked here. */
function checkBounds(q: QueryRequest, l: QueryLimits): void {
  if ('from' in q && 'to' in q && !(q.to > q.from)) {
    throw new QueryRequestError('to', `must be after from (from ${iso(q.from)}, to ${iso(q.to)})`);
  }
  switch (q.kind) {
    case 'raw':
      if (q.limit !== undefined && q.limit > l.maxRows) throw new QueryRequestError('limit', `at most ${fmt(l.maxRows)} samples per request (got ${fmt(q.limit)}); page with from/to`);
      return;
    case 'aggregate': {
      if (q.bucketMs === undefined) return;
      const buckets = Math.ceil((q.to - q.from) / q.bucketMs);
      if (buckets > l.maxBuckets) {
        const min = Math.ceil((q.to - q.from) / l.maxBuckets);
        throw new QueryRequestError('bucketMs', `gives ${fmt(buckets)} buckets over the range; at most ${fmt(l.maxBuckets)} per request (use bucketMs ≥ ${fmt(min)} or points)`);
      }
      return;
    }
    case 'aligned': {
      const rows = Math.ceil((q.to - q.from) / q.stepMs);
      const maxRows = Math.min(l.maxRows, Math.floor(l.maxCells / q.tags.length));
      if (rows > maxRows) {
        const min = Math.ceil((q.to - q.from) / maxRows);
        throw new QueryRequestError('stepMs', `gives ${fmt(rows)} rows × ${q.tags.length} tags over the range; at most ${fmt(maxRows)} rows for ${q.tags.length} tag(s) per request (use stepMs ≥ ${fmt(min)})`);
      }
      return;
    }
    default:
  }
}

function aggregateRowJson(row: AggregateRow, fns: readonly AggregateName[]): Record<string, number | string> {
  const o: Record<string, number | string> = { ts: row.ts };
  for (const f of fns) o[f] = row[f];
  o.quality = qualityName(row.quality);
  return o;
}

export interface ExecuteOptions { budget?: QueryBudget; limits?: QueryLimits }

/**
 * Runs a query and yields its JSON text in pieces: the header travels with the first
 * batch, then items, then the end, so an answer of millions of rows never exists as one
 * string or array, and anything that fails before the first batch fails before the first
 * byte. A time budget spent after the answer began ends it with an "error" member
 * (`{"error":{"status":503,"code":"query_budget_exceeded",...}}`) so a partial answer
 * can never pass for a complete one.
 */
export async function* executeQuery(store: TsdbStore, q: QueryRequest, opts: ExecuteOptions = {}): AsyncGenerator<string> {
  const budget = opts.budget;
  const limits = opts.limits ?? QUERY_LIMITS;
  let head = '';
  let started = false;
  const out = (s: string) => { const piece = head + s; head = ''; started = true; return piece; };
  try {
    switch (q.kind) {
      case 'raw': {
        head = `{"kind":"raw","tag":${JSON.stringify(q.tag)},"samples":[`;
        let first = true;
        const limit = q.limit ?? limits.maxRows;
        let n = 0;
        for await (const b of store.raw({ tag: q.tag, from: q.from, to: q.to, limit, order: q.order, budget })) {
          let s = '';
          for (let i = 0; i < b.ts.length; i++) {
            s += `${first ? '' : ','}{"ts":${b.ts[i]},"value":${b.values[i]},"quality":"${qualityName(b.quality[i])}"}`;
            first = false;
          }
          n += b.ts.length;
          yield out(s);
        }
        // without an explicit limit, a cut answer says so (and where to continue)
        yield out(q.limit === undefined && n >= limit ? `],"truncated":true,"limit":${limit}}` : ']}');
        return;
      }
      case 'aggregate': {
        const fns = q.fns ?? AGGREGATES;
        head = `{"kind":"aggregate","tag":${JSON.stringify(q.tag)},"rows":[`;
        let first = true;
        for await (const rows of store.aggregate({ tag: q.tag, from: q.from, to: q.to, bucketMs: q.bucketMs, points: q.points, budget })) {
          yield out(rows.map((r) => (first ? ((first = false), '') : ',') + JSON.stringify(aggregateRowJson(r, fns))).join(''));
        }
        yield out(']}');
        return;
      }
      case 'downsample': {
        const p = await store.downsample({ tag: q.tag, from: q.from, to: q.to, points: q.points, mode: q.mode, budget });
        yield out(JSON.stringify({ kind: 'downsample', tag: q.tag, mode: q.mode ?? 'minmax', ts: p.ts, values: p.values, downtime: store.downtime(q.from, q.to) }));
        return;
      }
      case 'latest': {
        const l = await store.latest(q.tags);
        yield out(JSON.stringify({ kind: 'latest', samples: l.map((s) => ({ tag: s.tag, ts: s.ts, value: s.value, quality: qualityName(s.quality) })) }));
        return;
      }
      case 'at': {
        const s = await store.valueAt(q.tag, q.at, q.interpolation);
        yield out(JSON.stringify({ kind: 'at', tag: q.tag, at: q.at, sample: s && { ts: s.ts, value: s.value, quality: qualityName(s.quality) } }));
        return;
      }
      case 'aligned': {
        head = `{"kind":"aligned","tags":${JSON.stringify(q.tags)},"rows":[`;
        let first = true;
        for await (const rows of store.aligned({ tags: q.tags, from: q.from, to: q.to, stepMs: q.stepMs, interpolation: q.interpolation, budget })) {
          yield out(rows.map((r) => (first ? ((first = false), '') : ',') + JSON.stringify(r)).join(''));
        }
        // rows inside a downtime carry the value held from before it: the answer says where that is
        yield out(`],"downtime":${JSON.stringify(store.downtime(q.from, q.to))}}`);
        return;
      }
    }
  } catch (e) {
    if (!started || !(e instanceof QueryBudgetError)) throw e;
    yield `],"error":${JSON.stringify({ status: 503, code: 'query_budget_exceeded', message: e.message })}}`;
  }
}

/** Runs a query and returns the parsed answer (for flows; bounded by the query's own limits). */
export async function runQuery(store: TsdbStore, q: QueryRequest, opts: ExecuteOptions = {}): Promise<unknown> {
  let text = '';
  for await (const piece of executeQuery(store, q, { budget: new QueryBudget((opts.limits ?? QUERY_LIMITS).budgetMs), ...opts })) text += piece;
  const answer = JSON.parse(text) as { error?: { message: string } };
  if (answer.error) throw new Error(answer.error.message);
  return answer;
}
