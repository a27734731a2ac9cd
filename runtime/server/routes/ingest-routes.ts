// HTTP ingestion (POST /api/v1/metrics): machines push samples with an API token, as row
// items or columnar items (one tag, arrays of timestamps and values), in a JSON body or as
// JSON lines (runtime/ingest/ingest-body.ts). The caller is authenticated and authorized
// before the body is read: an unauthenticated client cannot make the server buffer and
// parse 8 MB. Items are validated one by one (errors name the index, the sample position
// of a columnar item, and the field), limited to the token's tag pattern, de-duplicated by
// dedupe_id, rate-limited per token, and acknowledged (202) only once durable in the store.
// A sample the store refuses (too old, too far in the future) is reported as rejected with
// its reason, never counted as accepted; when every sample is rejected the answer is 422.
import express, { type Request, type Response } from 'express';
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import type { DedupeLog, IngestEntry, IngestItemError, ParsedItem } from '../../ingest';
import { countSamples, framingOf, IngestBodyError, isSeriesEntry, parseIngestEntries, rejectionField, splitItems } from '../../ingest';
import { allocColumns, type SampleColumns } from '../../model';
import type { RateLimiter } from '../../ingest';
import type { TokenTagBudget } from '../../ingest';
import type { TokenTagLedger } from '../../ingest';
import { DiskLowError, type DiskWatermark } from '../../disk';
import { defineRoute, HttpError, type RouteDef, type RouteContext } from '../api/route';
import { sinkFor } from '../../ingest';
import { storeLookup, type StoreRegistry } from './store-lookup';

/** Largest accepted request body (413 above). */
export const INGEST_BODY_LIMIT = '8mb';
/** Samples per request at most (a columnar item counts each of its values). */
export const MAX_SAMPLES = 100_000;

export interface IngestDeps { dedupe: DedupeLog; limiter: RateLimiter; newTags?: TokenTagBudget; tagLedger?: TokenTagLedger; disk?: DiskWatermark | null; stores?: StoreRegistry }

function diskFull(e: DiskLowError): HttpError {
  return new HttpError(507, 'insufficient_storage', e.message, { accepted: 0, disk: { freeBytes: e.state.freeBytes, watermarkBytes: e.state.watermarkBytes } });
}

// body-parser's reader: size limit and Content-Encoding (gzip, deflate), as bytes
const readRaw = express.raw({ type: () => true, limit: INGEST_BODY_LIMIT });

// charsets whose bytes are UTF-8 already (US-ASCII is a subset)
const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/**
 * The request body as UTF-8 bytes, read only now (after authentication). Another charset
 * named in the Content-Type is decoded; a UTF-8 byte-order mark is dropped.
 */
async function bodyBytes(req: Request, res: Response): Promise<Buffer> {
  try {
    await new Promise<void>((ok, fail) => readRaw(req, res, (err?: unknown) => (err ? fail(err) : ok())));
  } catch (e) {
    const type = (e as { type?: string }).type;
    if (type === 'entity.too.large') throw new HttpError(413, 'payload_too_large', `request body is larger than ${INGEST_BODY_LIMIT}`);
    if (type === 'encoding.unsupported') throw new HttpError(415, 'unsupported_media_type', (e as Error).message);
    throw new HttpError(400, 'bad_request', `body: could not be read (${(e as Error).message})`);
  }
  let body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1].toLowerCase() ?? 'utf-8';
  if (!UTF8.has(charset)) {
    let decoder: TextDecoder;
    try { decoder = new TextDecoder(charset); } catch { throw new HttpError(415, 'unsupported_media_type', `unsupported charset "${charset.toUpperCase()}"`); }
    body = Buffer.from(decoder.decode(body));
  }
  return body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
}

// documentation of the body (the handler checks items itself, naming index, sample and field)
const TIME = z.union([z.number().int().describe('epoch milliseconds'), z.string().describe('ISO 8601')]);
const QUALITY = z.union([z.string(), z.number().int()]).describe('quality name (GOOD, BAD_NOT_CONNECTED, ...) or its code');
const ROW_ITEM = z.object({
  tag: z.string().optional(), metric_name: z.string().optional(), value: z.union([z.number(), z.boolean(), z.string()]),
  timestamp: TIME.optional(), quality: QUALITY.optional(), labels: z.record(z.string(), z.string()).optional(), dedupe_id: z.string().max(200).optional(),
}).strict().describe('one sample');
const SERIES_ITEM = z.object({
  tag: z.string().optional(), metric_name: z.string().optional(),
  timestamps: z.array(TIME), values: z.array(z.union([z.number(), z.boolean(), z.string()])).describe('as many as timestamps'),
  qualities: z.array(QUALITY.nullable()).optional().describe('as many as values; null = GOOD'),
  labels: z.record(z.string(), z.string()).optional(), dedupe_id: z.string().max(200).optional().describe('for the whole item'),
}).strict().describe('samples of one tag, columnar');
const INGEST_ITEM = z.union([ROW_ITEM, SERIES_ITEM]);

/** The kept entries as one set of columns; `starts[k]` is the first row of entry k. */
function rowsOf(kept: readonly IngestEntry[], n: number): { rows: SampleColumns; starts: Uint32Array } {
  const rows = allocColumns(n);
  const starts = new Uint32Array(kept.length);
  let j = 0;
  for (let k = 0; k < kept.length; k++) {
    const it = kept[k];
    starts[k] = j;
    if (isSeriesEntry(it)) {
      const m = it.length, q = it.quality;
      rows.ts.set(it.ts, j); rows.value.set(it.values, j);
      if (q) rows.quality.set(q, j);
      rows.tag.fill(it.tag, j, j + m);
      j += m;
    } else {
      const s = (it as ParsedItem).sample;
      rows.tag[j] = s.tag; rows.ts[j] = s.ts; rows.value[j] = s.value; rows.quality[j] = s.quality; j++;
    }
  }
  return { rows, starts };
}

/** The entry a row belongs to: the last k with starts[k] <= row. */
function entryOfRow(starts: Uint32Array, row: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) { const m = (lo + hi + 1) >>> 1; if (starts[m] <= row) lo = m; else hi = m - 1; }
  return lo;
}

interface Answer { accepted: number; duplicates: number; overwrites: number; rejected: number; errors: IngestItemError[] }

export function ingestRoutes(deps: IngestDeps): RouteDef[] {
  const storeFor = storeLookup(deps.stores);
  const handler = async ({ req, principal, res, params, query }: RouteContext<{ store?: string }, { store?: string }, unknown>) => {
    const storeName = params.store ?? query.store;
    const framing = framingOf(req.headers['content-type']);
    if (!framing) throw new HttpError(415, 'unsupported_media_type', 'body: send application/json (an item or an array of items) or application/x-ndjson (one item per line)');
    // below the disk watermark nothing is written: 507 before any work (README "Disk pressure")
    const disk = deps.disk?.state();
    if (disk?.low) throw diskFull(new DiskLowError(disk));
    const errors: IngestItemError[] = [];
    let list: unknown[];
    try { list = splitItems(await bodyBytes(req, res), framing, errors); } catch (e) {
      if (e instanceof IngestBodyError) throw new HttpError(400, 'bad_request', e.message);
      throw e;
    }
    const count = countSamples(list) + errors.length;
    if (count > MAX_SAMPLES) throw new HttpError(413, 'payload_too_large', `body: at most ${MAX_SAMPLES} samples per request (got ${count})`);
    const wait = deps.limiter.take(principal!.tokenId ?? principal!.userId, count);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, 'rate_limited', `too many samples for this client; retry after ${wait} s`, { retryAfterSec: wait });
    }
    const store = await storeFor(storeName);
    const scope = storeName ?? 'default';
    const entries = parseIngestEntries(list, Date.now(), errors);
    // the entries kept, each a run of rows of the one write (a row item is a run of one)
    const kept: IngestEntry[] = [];
    const inRequest = new Set<string>();
    const keptIds = new Set<string>();
    const client = principal!.tokenId ?? principal!.userId;
    // tags this request creates: charged once each to the client's new-tag budget
    const newTag = new Map<string, string | null>();
    let admitted = 0;
    let createdBefore: number | undefined;
    let duplicates = 0;
    let rowCount = 0;
    const refuseEntry = (index: number, size: number | null, e: Omit<IngestItemError, 'index'>) => errors.push(size === null ? { index, ...e } : { index, ...e, samples: size });
    for (const it of entries) {
      const series = isSeriesEntry(it) ? it : null;
      const tag = series ? series.tag : (it as ParsedItem).sample.tag;
      const size = series ? series.length : null;
      if (!principal!.allowsTag(tag)) {
        refuseEntry(it.index, size, { field: 'tag', message: `"${tag}" is outside this token's tag pattern (${principal!.tagPattern})` });
        continue;
      }
      if (it.dedupeId !== null) {
        if (inRequest.has(it.dedupeId) || deps.dedupe.seen(scope, it.dedupeId)) { duplicates += size ?? 1; continue; }
        inRequest.add(it.dedupeId);
      }
      if ((deps.newTags || deps.tagLedger) && !store.tags.has(tag)) {
        let refusal = newTag.get(tag);
        if (refusal === undefined) {
          if (deps.tagLedger && createdBefore === undefined) createdBefore = deps.tagLedger.created(client);
          refusal = deps.tagLedger?.refusal(client, admitted + 1, tag, createdBefore) ?? deps.newTags?.take(client, tag) ?? null;
          if (refusal === null) admitted++;
          newTag.set(tag, refusal);
        }
        if (refusal !== null) { refuseEntry(it.index, size, { field: 'tag', reason: 'tag_limit', message: refusal }); continue; }
      }
      if (it.dedupeId !== null) keptIds.add(it.dedupeId);
      kept.push(it);
      rowCount += size ?? 1;
    }
    let accepted = 0;
    let overwrites = 0;
    if (rowCount) {
      const { rows, starts } = rowsOf(kept, rowCount);
      let r;
      // every sample as sent: the decision for this path is in runtime/ingest/write-policy.ts
      try { r = await sinkFor('http-ingest', store).writeRows(rows); } catch (e) { throw e instanceof DiskLowError ? diskFull(e) : e; }
      accepted = r.accepted;
      overwrites = r.overwrites ?? 0;
      // only what the store kept counts as accepted, and only ids of items it kept whole are remembered
      const refusedIds = new Set<string>();
      for (const e of r.errors ?? []) {
        const k = entryOfRow(starts, e.index);
        const it = kept[k];
        const series = isSeriesEntry(it) ? it : null;
        const at = series ? (series.at ? series.at[e.index - starts[k]] : e.index - starts[k]) : -1;
        const field = rejectionField(e.reason, at < 0 ? { ts: 'timestamp', value: 'value', tag: 'tag' } : { ts: `timestamps[${at}]`, value: `values[${at}]`, tag: 'tag' });
        errors.push({ index: it.index, ...(at < 0 ? {} : { sample: at }), field, reason: e.reason, message: e.message.replace(/^[^:]*: /, '') });
        if (it.dedupeId !== null) refusedIds.add(it.dedupeId);
      }
      // the client's total counts the tags the store really created
      if (deps.tagLedger && newTag.size) deps.tagLedger.record(client, [...newTag].filter(([tag, r]) => r === null && store.tags.has(tag)).length);
      if (keptIds.size) deps.dedupe.record(scope, [...keptIds].filter((id) => !refusedIds.has(id)));
    }
    errors.sort((a, b) => a.index - b.index || (a.sample ?? -1) - (b.sample ?? -1));
    let rejected = 0;
    for (const e of errors) rejected += e.samples ?? 1;
    const answer: Answer = { accepted, duplicates, overwrites, rejected, errors: errors.slice(0, 1000) };
    if (accepted === 0 && duplicates === 0 && errors.length > 0) {
      const f = errors[0];
      throw new HttpError(422, 'unprocessable', `every sample was rejected; first: [${f.index}].${f.field}: ${f.message}`, { ...answer });
    }
    res.status(202);
    return answer;
  };
  const common = {
    group: 'ingest', permission: 'ingest',
    body: z.unknown(),
    bodyDoc: {
      description: 'Row items (one sample each) or columnar items (one tag, parallel arrays), mixed freely: application/json takes one item or an array; application/x-ndjson (or application/jsonl) one item per line. At most 100,000 samples and 8 MB per request. Columnar items cost far less to parse: send those when a client batches. Read only after the caller is authenticated.',
      content: { 'application/json': z.union([INGEST_ITEM, z.array(INGEST_ITEM)]), 'application/x-ndjson': INGEST_ITEM.describe('one item per line') },
    },
    response: { status: 202, description: '{accepted, duplicates, overwrites, rejected, errors: [{index, sample?, samples?, field, reason?, message}]}: accepted counts only samples the store keeps; rejected counts refused samples, each error naming the item (index: array position or line number), for a columnar item the sample position (sample; field e.g. values[3]), or samples when the whole item was refused; duplicates counts samples skipped because their item\'s dedupe_id was seen; overwrites counts accepted samples that replaced a stored value of the same tag and timestamp (last write wins); 422 with the same body when every sample is rejected (reason tag_limit: a new tag over a cardinality limit); 400 when the body is not JSON; 413 above 8 MB or 100,000 samples; 415 for another Content-Type; 507 insufficient_storage when the data disk is below its low-space watermark (nothing stored)' },
  } as const;
  return [
    defineRoute({
      ...common, method: 'post', path: '/metrics', query: z.object({ store: z.string().regex(/^[A-Za-z0-9_-]+$/).optional() }),
      summary: 'Ingest samples into the default store: row items {tag|metric_name, value, timestamp?, quality?, labels?, dedupe_id?} or columnar items {tag|metric_name, timestamps[], values[], qualities[]?, labels?, dedupe_id?}, as JSON or JSON lines',
      handler,
    }),
    defineRoute({
      ...common, method: 'post', path: '/stores/:store/metrics', params: z.object({ store: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
      summary: 'Ingest samples into the named store (same body as POST /metrics)', handler,
    }),
  ];
}
