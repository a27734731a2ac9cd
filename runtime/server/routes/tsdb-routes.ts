// Tag registry and query routes over the stores deployed by flows.
import { z } from 'zod';
import { patternSchema, tagSchema } from '../../model/schemas';
import { parseQueryRequest, executeQuery, QueryRequestError } from '../../tsdb/query-request';
import { TagMetaError } from '../../tsdb/tag-registry';
import { QueryError } from '../../tsdb/query';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { storeFor } from './store-lookup';
import { actorFields, type AuditTrail, type SignatureService } from '../../audit';
import { signatureFor } from './audit-routes';

export interface TsdbRouteDeps { trail: AuditTrail; signatures: SignatureService }

const storeParam = z.string().regex(/^[A-Za-z0-9_-]+$/).optional();
const tagParam = z.object({ tag: tagSchema });

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
});

function asHttp(e: unknown): never {
  if (e instanceof QueryRequestError || e instanceof QueryError || e instanceof TagMetaError) {
    throw new HttpError(400, 'bad_request', e.message, { field: e.field });
  }
  throw e;
}

export function tsdbRoutes(deps: TsdbRouteDeps): RouteDef[] {
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
        return { ...meta, latest: latest ?? null };
      },
    }),
    defineRoute({
      method: 'put', path: '/tags/:tag', group: 'tags', permission: 'tags.write',
      summary: 'Create a tag or change its metadata (description, unit, span, type, interpolation, logging mode, retention)',
      params: tagParam, query: z.object({ store: storeParam }), body: tagMetaPatch,
      handler: async (ctx) => {
        const { params, query, body, principal, req } = ctx;
        const store = await storeFor(query.store);
        const before = store.tags.get(params.tag) ?? null;
        // A retention change deletes data: it needs an electronic signature (Part 11).
        const retentionChange = body.retentionMs !== undefined && body.retentionMs !== (before?.retentionMs ?? null);
        const signature = retentionChange ? signatureFor(ctx, deps.signatures, 'retention.change', params.tag) : null;
        let after;
        try {
          after = store.tags.update(params.tag, body);
        } catch (e) { asHttp(e); }
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
      query: z.looseObject({ kind: z.enum(['raw', 'aggregate', 'downsample', 'latest', 'at', 'aligned']), store: storeParam }),
      response: { description: 'the answer; shape depends on kind (see README "Query API")' },
      handler: async ({ query, res, principal }) => {
        let request;
        try {
          request = parseQueryRequest(query);
        } catch (e) { asHttp(e); }
        const tags = 'tags' in request ? request.tags : [request.tag];
        const outside = tags.find((t) => !principal!.allowsTag(t));
        if (outside) throw new HttpError(403, 'forbidden', `tag: "${outside}" is outside this token's tag pattern`);
        const store = await storeFor(query.store);
        const it = executeQuery(store, request);
        // The first piece is produced before any byte is sent, so a bad range still gets a 400.
        let first: IteratorResult<string>;
        try {
          first = await it.next();
        } catch (e) { asHttp(e); }
        res.status(200).type('application/json');
        if (!first.done) res.write(first.value);
        for await (const piece of it) {
          if (!res.write(piece)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
          if (res.destroyed) break; // the client went away: stop reading the store
        }
        res.end();
        return undefined;
      },
    }),
  ];
}
