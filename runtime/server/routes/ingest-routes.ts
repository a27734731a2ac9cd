// HTTP ingestion (POST /api/v1/metrics): machines push samples with an API token. Items
// are validated one by one (errors name index and field), limited to the token's tag
// pattern, de-duplicated by dedupe_id, rate-limited per token, and acknowledged (202)
// only once durable in the store. A sample the store refuses (too old, too far in the
// future) is reported as rejected with its reason, never counted as accepted; when every
// item is rejected the answer is 422.
import { z } from 'zod';
import type { DedupeLog } from '../../ingest';
import { parseIngestItems, type IngestItemError } from '../../ingest';
import { mapRejections } from '../../ingest';
import type { Sample } from '../../model';
import type { RateLimiter } from '../../ingest';
import type { TokenTagBudget } from '../../ingest';
import type { TokenTagLedger } from '../../ingest';
import { DiskLowError, type DiskWatermark } from '../../disk';
import { defineRoute, HttpError, type RouteDef, type RouteContext } from '../api/route';
import { sinkFor } from '../../ingest';
import { storeLookup, type StoreRegistry } from './store-lookup';

/** Largest accepted request body (413 above). */
export const INGEST_BODY_LIMIT = '8mb';
/** Items per request at most. */
export const MAX_ITEMS = 100_000;

export interface IngestDeps { dedupe: DedupeLog; limiter: RateLimiter; newTags?: TokenTagBudget; tagLedger?: TokenTagLedger; disk?: DiskWatermark | null; stores?: StoreRegistry }

function diskFull(e: DiskLowError): HttpError {
  return new HttpError(507, 'insufficient_storage', e.message, { accepted: 0, disk: { freeBytes: e.state.freeBytes, watermarkBytes: e.state.watermarkBytes } });
}

export function ingestRoutes(deps: IngestDeps): RouteDef[] {
  const storeFor = storeLookup(deps.stores);
  const handler = async ({ body, principal, res, params, query }: RouteContext<{ store?: string }, { store?: string }, unknown>) => {
    const storeName = params.store ?? query.store;
    const count = Array.isArray(body) ? body.length : 1;
    if (count > MAX_ITEMS) throw new HttpError(413, 'payload_too_large', `body: at most ${MAX_ITEMS} items per request (got ${count})`);
    // below the disk watermark nothing is written: 507 before any work (README "Disk pressure")
    const disk = deps.disk?.state();
    if (disk?.low) throw diskFull(new DiskLowError(disk));
    const wait = deps.limiter.take(principal!.tokenId ?? principal!.userId, count);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, 'rate_limited', `too many samples for this client; retry after ${wait} s`, { retryAfterSec: wait });
    }
    const store = await storeFor(storeName);
    const scope = storeName ?? 'default';
    const { items, errors } = parseIngestItems(body, Date.now());
    const keep: Sample[] = [];
    const itemOf: number[] = [];
    const idOf: Array<string | null> = [];
    const inRequest = new Set<string>();
    const client = principal!.tokenId ?? principal!.userId;
    // tags this request creates: charged once each to the client's new-tag budget
    const newTag = new Map<string, string | null>();
    let admitted = 0;
    let createdBefore: number | undefined;
    let duplicates = 0;
    for (const it of items) {
      if (!principal!.allowsTag(it.sample.tag)) {
        errors.push({ index: it.index, field: 'tag', message: `"${it.sample.tag}" is outside this token's tag pattern (${principal!.tagPattern})` });
        continue;
      }
      if (it.dedupeId !== null) {
        if (inRequest.has(it.dedupeId) || deps.dedupe.seen(scope, it.dedupeId)) { duplicates++; continue; }
        inRequest.add(it.dedupeId);
      }
      if ((deps.newTags || deps.tagLedger) && !store.tags.has(it.sample.tag)) {
        let refusal = newTag.get(it.sample.tag);
        if (refusal === undefined) {
          if (deps.tagLedger && createdBefore === undefined) createdBefore = deps.tagLedger.created(client);
          refusal = deps.tagLedger?.refusal(client, admitted + 1, it.sample.tag, createdBefore) ?? deps.newTags?.take(client, it.sample.tag) ?? null;
          if (refusal === null) admitted++;
          newTag.set(it.sample.tag, refusal);
        }
        if (refusal !== null) { errors.push({ index: it.index, field: 'tag', reason: 'tag_limit', message: refusal }); continue; }
      }
      keep.push(it.sample);
      itemOf.push(it.index);
      idOf.push(it.dedupeId);
    }
    let accepted = 0;
    let overwrites = 0;
    const all: Array<IngestItemError & { reason?: string }> = errors;
    if (keep.length) {
      let r;
      // every sample as sent: the decision for this path is in runtime/ingest/write-policy.ts
      try { r = await sinkFor('http-ingest', store).write(keep); } catch (e) { throw e instanceof DiskLowError ? diskFull(e) : e; }
      accepted = r.accepted;
      overwrites = r.overwrites ?? 0;
      // only what the store kept counts as accepted, and only its dedupe ids are remembered
      const refused = new Set((r.errors ?? []).map((e) => e.index));
      for (const e of mapRejections(r.errors, itemOf, { ts: 'timestamp', value: 'value', tag: 'tag' })) all.push(e);
      // the client's total counts the tags the store really created
      if (deps.tagLedger && newTag.size) deps.tagLedger.record(client, [...newTag].filter(([tag, r]) => r === null && store.tags.has(tag)).length);
      const ids = idOf.filter((id, i): id is string => id !== null && !refused.has(i));
      if (ids.length) deps.dedupe.record(scope, ids);
    }
    all.sort((a, b) => a.index - b.index);
    const answer = { accepted, duplicates, overwrites, rejected: all.length, errors: all.slice(0, 1000) };
    if (accepted === 0 && duplicates === 0 && all.length > 0) {
      throw new HttpError(422, 'unprocessable', `every item was rejected; first: [${all[0].index}].${all[0].field}: ${all[0].message}`, answer);
    }
    res.status(202);
    return answer;
  };
  const common = {
    group: 'ingest', permission: 'ingest',
    body: z.unknown(),
    response: { status: 202, description: '{accepted, duplicates, overwrites, rejected, errors: [{index, field, reason?, message}]}: accepted counts only samples the store keeps; duplicates counts items skipped because their dedupe_id was seen; overwrites counts accepted samples that replaced a stored value of the same tag and timestamp (last write wins); 422 with the same body when every item is rejected (reason tag_limit: a new tag over a cardinality limit); 507 insufficient_storage when the data disk is below its low-space watermark (nothing stored)' },
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
