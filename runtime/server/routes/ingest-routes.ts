// HTTP ingestion (POST /api/v1/metrics): machines push samples with an API token. Items
// are validated one by one (errors name index and field), limited to the token's tag
// pattern, de-duplicated by dedupe_id, rate-limited per token, and acknowledged (202)
// only once durable in the store.
import { z } from 'zod';
import type { DedupeLog } from '../../ingest/dedupe-log';
import { parseIngestItems, type IngestItemError } from '../../ingest/metric-item';
import type { RateLimiter } from '../../ingest/rate-limiter';
import { defineRoute, HttpError, type RouteDef, type RouteContext } from '../api/route';
import { storeFor } from './store-lookup';

/** Largest accepted request body (413 above). */
export const INGEST_BODY_LIMIT = '8mb';
/** Items per request at most. */
export const MAX_ITEMS = 100_000;

export interface IngestDeps { dedupe: DedupeLog; limiter: RateLimiter }

export function ingestRoutes(deps: IngestDeps): RouteDef[] {
  const handler = async ({ body, principal, res, params, query }: RouteContext<{ store?: string }, { store?: string }, unknown>) => {
    const storeName = params.store ?? query.store;
    const count = Array.isArray(body) ? body.length : 1;
    if (count > MAX_ITEMS) throw new HttpError(413, 'payload_too_large', `body: at most ${MAX_ITEMS} items per request (got ${count})`);
    const wait = deps.limiter.take(principal!.tokenId ?? principal!.userId, count);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, 'rate_limited', `too many samples for this client; retry after ${wait} s`, { retryAfterSec: wait });
    }
    const store = await storeFor(storeName);
    const scope = storeName ?? 'default';
    const { items, errors } = parseIngestItems(body, Date.now());
    const keep = [];
    const ids: string[] = [];
    const inRequest = new Set<string>();
    let duplicates = 0;
    for (const it of items) {
      if (!principal!.allowsTag(it.sample.tag)) {
        errors.push({ index: it.index, field: 'tag', message: `"${it.sample.tag}" is outside this token's tag pattern (${principal!.tagPattern})` });
        continue;
      }
      if (it.dedupeId !== null) {
        if (inRequest.has(it.dedupeId) || deps.dedupe.seen(scope, it.dedupeId)) { duplicates++; continue; }
        inRequest.add(it.dedupeId);
        ids.push(it.dedupeId);
      }
      keep.push(it.sample);
    }
    if (keep.length) await store.write(keep);
    if (ids.length) deps.dedupe.record(scope, ids);
    errors.sort((a: IngestItemError, b: IngestItemError) => a.index - b.index);
    res.status(202);
    return { accepted: keep.length, duplicates, rejected: errors.length, errors: errors.slice(0, 1000) };
  };
  const common = {
    group: 'ingest', permission: 'ingest',
    body: z.unknown(),
    response: { status: 202, description: '{accepted, duplicates, rejected, errors: [{index, field, message}]}' },
  } as const;
  return [
    defineRoute({
      ...common, method: 'post', path: '/metrics', query: z.object({ store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional() }),
      summary: 'Ingest one metric or an array ({tag|metric_name, value, timestamp?, quality?, labels?, dedupe_id?}) into the default store',
      handler,
    }),
    defineRoute({
      ...common, method: 'post', path: '/stores/:store/metrics', params: z.object({ store: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
      summary: 'Ingest metrics into the named store', handler,
    }),
  ];
}
