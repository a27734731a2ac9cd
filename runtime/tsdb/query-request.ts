// One validated description of a query, shared by the historian-query node and
// GET /api/v1/query, and one executor that yields the answer as JSON fragments so that
// the HTTP route can stream it and the node can collect it.
import { z } from 'zod';
import { qualityName } from '../model';
import { parseTime, tagSchema, timeSchema } from '../model/schemas';

export { parseTime };
import { AGGREGATES, type AggregateName, type AggregateRow } from './aggregate';
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

export class QueryRequestError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

/** Validates a query description; errors name the field. */
export function parseQueryRequest(input: unknown): QueryRequest {
  const r = queryRequestSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new QueryRequestError(i.path.join('.') || 'kind', i.path.length === 0 && i.code === 'invalid_union' ? 'must be one of raw, aggregate, downsample, latest, at, aligned' : i.message);
  }
  return r.data;
}

function aggregateRowJson(row: AggregateRow, fns: readonly AggregateName[]): Record<string, number | string> {
  const o: Record<string, number | string> = { ts: row.ts };
  for (const f of fns) o[f] = row[f];
  o.quality = qualityName(row.quality);
  return o;
}

/**
 * Runs a query and yields its JSON text in pieces: a header, then items, then the end,
 * so an answer of millions of rows never exists as one string or array.
 */
export async function* executeQuery(store: TsdbStore, q: QueryRequest): AsyncGenerator<string> {
  switch (q.kind) {
    case 'raw': {
      yield `{"kind":"raw","tag":${JSON.stringify(q.tag)},"samples":[`;
      let first = true;
      for await (const b of store.raw({ tag: q.tag, from: q.from, to: q.to, limit: q.limit, order: q.order })) {
        let s = '';
        for (let i = 0; i < b.ts.length; i++) {
          s += `${first ? '' : ','}{"ts":${b.ts[i]},"value":${b.values[i]},"quality":"${qualityName(b.quality[i])}"}`;
          first = false;
        }
        yield s;
      }
      yield ']}';
      return;
    }
    case 'aggregate': {
      const fns = q.fns ?? AGGREGATES;
      yield `{"kind":"aggregate","tag":${JSON.stringify(q.tag)},"rows":[`;
      let first = true;
      for await (const rows of store.aggregate({ tag: q.tag, from: q.from, to: q.to, bucketMs: q.bucketMs, points: q.points })) {
        yield rows.map((r) => (first ? ((first = false), '') : ',') + JSON.stringify(aggregateRowJson(r, fns))).join('');
      }
      yield ']}';
      return;
    }
    case 'downsample': {
      const p = await store.downsample({ tag: q.tag, from: q.from, to: q.to, points: q.points, mode: q.mode });
      yield JSON.stringify({ kind: 'downsample', tag: q.tag, mode: q.mode ?? 'minmax', ts: p.ts, values: p.values });
      return;
    }
    case 'latest': {
      const l = await store.latest(q.tags);
      yield JSON.stringify({ kind: 'latest', samples: l.map((s) => ({ tag: s.tag, ts: s.ts, value: s.value, quality: qualityName(s.quality) })) });
      return;
    }
    case 'at': {
      const s = await store.valueAt(q.tag, q.at, q.interpolation);
      yield JSON.stringify({ kind: 'at', tag: q.tag, at: q.at, sample: s && { ts: s.ts, value: s.value, quality: qualityName(s.quality) } });
      return;
    }
    case 'aligned': {
      yield `{"kind":"aligned","tags":${JSON.stringify(q.tags)},"rows":[`;
      let first = true;
      for await (const rows of store.aligned({ tags: q.tags, from: q.from, to: q.to, stepMs: q.stepMs, interpolation: q.interpolation })) {
        yield rows.map((r) => (first ? ((first = false), '') : ',') + JSON.stringify(r)).join('');
      }
      yield ']}';
      return;
    }
  }
}

/** Runs a query and returns the parsed answer (for flows; bounded by the query's own limits). */
export async function runQuery(store: TsdbStore, q: QueryRequest): Promise<unknown> {
  let text = '';
  for await (const piece of executeQuery(store, q)) text += piece;
  return JSON.parse(text);
}
