// Calculated tags over stored history: an engineer tries a formula on last week's data
// before deploying it. Inputs are read raw from the store (plus the sample before the
// range, so step interpolation has a value at the first grid point, and the one after it
// for linear) and aligned on the grid by evaluateOverHistory.
import { z } from 'zod';
import { CalcError, compile, evaluateOverHistory, type HistorySeries } from '../../calc';
import { qualityName } from '../../model';
import { timeSchema } from '../../model';
import type { TsdbStore } from '../../tsdb';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { storeLookup, type StoreLookup, type StoreRegistry } from './store-lookup';

/** Grid points one request may ask for (the engine allows more; HTTP answers stay small). */
export const MAX_HTTP_POINTS = 100_000;
/** Raw samples read per input tag at most. */
export const MAX_SAMPLES_PER_TAG = 5_000_000;

// the same time forms as /query: epoch ms, ISO 8601, now, now-<n><unit> (README)
const aliasMap = z.union([
  z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
  z.string().transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)$/.exec(part);
      if (!m) { ctx.addIssue({ code: 'custom', message: `"${part}" must be name=tag` }); return z.NEVER; }
      out[m[1]] = m[2];
    }
    return out;
  }),
]);

const request = z.object({
  expression: z.string().min(1).max(10_000),
  aliases: aliasMap.optional(),
  from: timeSchema('from'),
  to: timeSchema('to'),
  stepMs: z.coerce.number().int().positive(),
  interpolation: z.enum(['step', 'linear']).default('step'),
  staleAfterMs: z.coerce.number().nonnegative().optional(),
  store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
});
type EvaluateRequest = z.output<typeof request>;

async function collect(store: TsdbStore, tag: string, from: number, to: number, linear: boolean): Promise<HistorySeries> {
  const ts: number[] = [];
  const values: number[] = [];
  const quality: number[] = [];
  const push = (b: { ts: ArrayLike<number>; values: ArrayLike<number>; quality: ArrayLike<number> }) => {
    for (let i = 0; i < b.ts.length; i++) { ts.push(b.ts[i]); values.push(b.values[i]); quality.push(b.quality[i]); }
    if (ts.length > MAX_SAMPLES_PER_TAG) {
      throw new HttpError(400, 'bad_request', `query: "${tag}" has more than ${MAX_SAMPLES_PER_TAG} samples in the range; narrow from/to`, { field: 'from' });
    }
  };
  if (from > 0) for await (const b of store.raw({ tag, from: 0, to: from, order: 'desc', limit: 1 })) push(b);
  for await (const b of store.raw({ tag, from, to: to + 1 })) push(b);
  if (linear) for await (const b of store.raw({ tag, from: to + 1, to: Number.MAX_SAFE_INTEGER, limit: 1 })) push(b);
  return { ts, values, quality };
}

async function evaluate(storeFor: StoreLookup, q: EvaluateRequest, allowsTag: (tag: string) => boolean) {
  if (q.to < q.from) throw new HttpError(400, 'bad_request', `to: must not be before from (from ${new Date(q.from).toISOString()}, to ${new Date(q.to).toISOString()})`, { field: 'to' });
  const points = Math.floor((q.to - q.from) / q.stepMs) + 1;
  if (points > MAX_HTTP_POINTS) {
    throw new HttpError(400, 'bad_request', `stepMs: the grid has ${points} points; at most ${MAX_HTTP_POINTS} per request (use a larger stepMs)`, { field: 'stepMs' });
  }
  let expr;
  try {
    expr = compile(q.expression, { aliases: q.aliases, staleAfterMs: q.staleAfterMs });
  } catch (e) {
    if (e instanceof CalcError) throw new HttpError(400, 'bad_request', `expression: ${e.message}`, { field: 'expression', reason: e.reason, pos: e.pos });
    throw e;
  }
  const outside = expr.inputs.find((t) => !allowsTag(t));
  if (outside) throw new HttpError(403, 'forbidden', `tag: "${outside}" is outside this token's tag pattern`);
  const store = await storeFor(q.store);
  const series = new Map<string, HistorySeries>();
  for (const tag of expr.inputs) series.set(tag, await collect(store, tag, q.from, q.to, q.interpolation === 'linear'));
  const r = evaluateOverHistory(expr, series, { from: q.from, to: q.to, stepMs: q.stepMs }, q.interpolation, MAX_HTTP_POINTS);
  return {
    expression: q.expression, inputs: expr.inputs, from: q.from, to: q.to, stepMs: q.stepMs, interpolation: q.interpolation,
    ts: r.ts, values: r.values, quality: r.quality.map((c) => qualityName(c)),
  };
}

export function calcRoutes(deps: { stores?: StoreRegistry } = {}): RouteDef[] {
  const storeFor = storeLookup(deps.stores);
  const summary = 'Evaluate a calculated-tag expression over stored history on a time grid (from, to inclusive, stepMs; step or linear interpolation); window functions see one point per step';
  const response = { description: '{expression, inputs, from, to, stepMs, interpolation, ts[], values[] (null when not finite), quality[] (names)}' };
  return [
    defineRoute({
      method: 'get', path: '/calc/evaluate', group: 'calc', permission: 'query', summary, response,
      query: request,
      handler: ({ query, principal }) => evaluate(storeFor, query, (t) => principal!.allowsTag(t)),
    }),
    defineRoute({
      method: 'post', path: '/calc/evaluate', group: 'calc', permission: 'query', summary: `${summary} (JSON body, for long expressions)`, response,
      body: request,
      handler: ({ body, principal }) => evaluate(storeFor, body, (t) => principal!.allowsTag(t)),
    }),
  ];
}
