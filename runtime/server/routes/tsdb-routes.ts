// Tag registry and query routes over the stores deployed by flows.
import { z } from 'zod';
import { patternSchema, tagSchema } from '../../model';
import type { Response } from 'express';
import { qualityName } from '../../model';
import { parseQueryRequest, executeQuery, QUERY_LIMITS } from '../../tsdb';
import { QueryBudget } from '../../tsdb';
import { defineRoute, HttpError, type Principal, type RouteDef } from '../api/route';
import type { TagDetail } from '../api/contract';
import { storeLookup, type StoreRegistry } from './store-lookup';
import { actorFields, type AuditTrail, type SignatureService } from '../../audit';
import { signatureFor } from './audit-routes';

export interface TsdbRouteDeps { trail: AuditTrail; signatures: SignatureService }

const storeParam = z.string().regex(/^[A-Za-z0-9_-]+$/).optional();
const tagParam = z.object({ tag: tagSchema });

const queryKind = z.enum(['raw', 'aggregate', 'downsample', 'latest', 'at', 'aligned']);
const queryResponse = { description: 'the answer; shape depends on kind (see README "Storage engine and query API"). 400 naming the field before any byte for a bad field, range or an answer over the limits; 503 query_budget_exceeded when the time budget runs out before the answer starts (after that, the JSON ends with an "error" member)' };

const tagMetaPatch = z.strictObject({
  description: z.string().max(1000).optional(),
  unit: z.string().max(50).optional(),
  spanLow: z.number().nullable().optional(),
  spanHigh: z.number().nullable().optional(),
  valueType: z.enum(['number', 'boolean']).optional(),
  interpolation: z.enum(['step', 'linear']).optional(),
  states: z.array(z.string().max(50)).max(64).nullable().optional(),
  loggingMode: z.enum(['every', 'on-change', 'deadband', 'swinging-door']).optional(),
  deviation: z.number().nonnegative().nullable().optional(),
  deviationPercent: z.number().nonnegative().max(100).nullable().optional(),
  maxIntervalMs: z.number().int().positive().nullable().optional(),
  retentionMs: z.number().int().positive().nullable().optional(),
  /** discrete tags: name of each state, index = value */
});

/** Waits for the socket to take more, or to close; leaves no listener behind either way. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function tsdbRoutes(deps: TsdbRouteDeps & { stores?: StoreRegistry }): RouteDef[] {
  const storeFor = storeLookup(deps.stores);
  /** Runs a query and streams its answer; the first piece is made before any byte is sent. */
  const runQuery = async (query: Record<string, unknown>, res: Response, principal: Principal): Promise<undefined> => {
    const request = parseQueryRequest(query);
    const tags = 'tags' in request ? request.tags : [request.tag];
    const outside = tags.find((t) => !principal.allowsTag(t));
    if (outside) throw new HttpError(403, 'forbidden', `tag: "${outside}" is outside this token's tag pattern`);
    const store = await storeFor(query.store as string | undefined);
    const budget = new QueryBudget(QUERY_LIMITS.budgetMs);
    const it = executeQuery(store, request, { budget });
    // The first piece (header and first batch) is produced before any byte is sent, so
    // anything that fails early still gets its status and a message naming the field.
    // (a budget that runs out here is 503 query_budget_exceeded with Retry-After: the domain error table)
    const first = await it.next();
    res.status(200).type('application/json');
    if (!first.done) res.write(first.value);
    for await (const piece of it) {
      if (res.destroyed) break; // the client went away: stop reading the store
      if (!res.write(piece)) await drained(res);
    }
    res.end();
    return undefined;
  };
  return [
    defineRoute({
      method: 'get', path: '/tags', group: 'tags', permission: 'tags.read',
      summary: 'List tags and their metadata, optionally filtered by a NATS-style pattern (acme.*.line1.>)',
      query: z.object({
        pattern: patternSchema.default('>'),
        limit: z.coerce.number().int().positive().max(100_000).default(10_000),
        store: storeParam,
      }),
      handler: async ({ query, principal }) => {
        const store = await storeFor(query.store);
        const tags = store.tags.search(query.pattern, query.limit).filter((t) => principal!.allowsTag(t.tag));
        return { tags };
      },
    }),
    defineRoute({
      method: 'get', path: '/tags/:tag', group: 'tags', permission: 'tags.read',
      summary: 'One tag: metadata and latest value',
      params: tagParam, query: z.object({ store: storeParam }),
      handler: async ({ params, query, principal }) => {
        if (!principal!.allowsTag(params.tag)) throw new HttpError(403, 'forbidden', `tag: outside this token's tag pattern`);
        const store = await storeFor(query.store);
        const meta = store.tags.get(params.tag);
        if (!meta) throw new HttpError(404, 'not_found', `tag: "${params.tag}" is not in store`);
        const [latest] = await store.latest([params.tag]);
        // quality by name, as every other answer gives it
        return { ...meta, latest: latest ? { ...latest, quality: qualityName(latest.quality) } : null } satisfies TagDetail;
      },
    }),
    defineRoute({
      method: 'put', path: '/tags/:tag', group: 'tags', permission: 'tags.write',
      summary: 'Create a tag or change its metadata (description, unit, span, type, interpolation, discrete state names, logging mode, retention); a retention change needs retention.manage and a signature (retention.change)',
      alsoChecks: ['retention.manage'], signs: ['retention.change'],
      params: tagParam, query: z.object({ store: storeParam }), body: tagMetaPatch,
      handler: async (ctx) => {
        const { params, query, body, principal, req } = ctx;
        const store = await storeFor(query.store);
        const before = store.tags.get(params.tag) ?? null;
        // A retention change deletes data: it needs an electronic signature (Part 11).
        const retentionChange = body.retentionMs !== undefined && body.retentionMs !== (before?.retentionMs ?? null);
        if (retentionChange && !principal!.permissions.has('retention.manage')) {
          throw new HttpError(403, 'forbidden', `role ${principal!.role} lacks permission "retention.manage" (retentionMs)`, { field: 'retentionMs', permission: 'retention.manage' });
        }
        const signature = retentionChange ? signatureFor(ctx, deps.signatures, 'retention.change', params.tag) : null;
        const after = store.tags.update(params.tag, body);
        await deps.trail.appendAsync({
          action: retentionChange ? 'retention.change' : 'tags.metadata.change', target: params.tag, ...actorFields(principal),
          previousValue: before, newValue: after, reason: null, clientAddress: req.ip ?? null, signature,
        });
        return after;
      },
    }),
    defineRoute({
      method: 'get', path: '/query', group: 'query', permission: 'query',
      summary: 'Query stored samples: kind=raw|aggregate|downsample|latest|at|aligned (streamed JSON)',
      query: z.looseObject({ kind: queryKind, store: storeParam }),
      response: queryResponse,
      handler: ({ query, res, principal }) => runQuery(query, res, principal!),
    }),
    defineRoute({
      method: 'post', path: '/query', group: 'query', permission: 'query',
      summary: 'The same query with its parameters in a JSON body, for tag lists too long for an address (browsers and proxies refuse addresses over a few kB): {kind, tags: [..] or "a,b", from, to, ...}',
      body: z.looseObject({ kind: queryKind, store: storeParam }),
      response: queryResponse,
      handler: ({ body, res, principal }) => runQuery(body, res, principal!),
    }),
  ];
}
