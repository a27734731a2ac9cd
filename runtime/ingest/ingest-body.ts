// The HTTP ingest body (POST /api/v1/metrics), in either of its two forms and either of
// its two framings (README "Ingest: acknowledged means stored"):
//   rows      {tag|metric_name, value, timestamp?, quality?, labels?, dedupe_id?}     one sample
//   columnar  {tag|metric_name, timestamps:[...], values:[...], qualities?, labels?, dedupe_id?}
//   framing   application/json: one item or an array of items (index = array position);
//             application/x-ndjson (or application/jsonl): one item per line (index = line
//             number from 0; blank lines are skipped, a line that is not JSON is refused alone).
// The columnar form is what collectors batch anyway and costs a fraction to parse: one tag
// check per item instead of per sample, and numbers instead of objects.
import type { IngestItemError, ParsedItem } from './metric-item';
import { parseRowItem } from './metric-item';
import { isSeriesItem, parseSeriesItem, seriesSize, type ParsedSeriesItem } from './series-item';
import { SeriesLineScanner } from './series-line';

export type IngestEntry = ParsedItem | ParsedSeriesItem;

/** A body that cannot be read at all (not JSON): the HTTP layer answers 400. */
export class IngestBodyError extends Error {}

export type IngestFraming = 'json' | 'lines';

/** The framing a Content-Type asks for, or null when it is not one of ours. */
export function framingOf(contentType: string | undefined): IngestFraming | null {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (t === 'application/json' || (t.startsWith('application/') && t.endsWith('+json'))) return 'json';
  if (t === 'application/x-ndjson' || t === 'application/jsonl' || t === 'application/json-lines' || t === 'application/jsonlines') return 'lines';
  return null;
}

/** A line the scan read and checked whole (runtime/ingest/series-line.ts): it needs no parseSeriesItem. */
class ScannedItem {
  constructor(readonly item: ParsedSeriesItem) {}
}

/**
 * The items of a body (UTF-8 bytes, or text). A hole (undefined) stands for a blank line;
 * lines that are not JSON are reported in `errors` and left as holes, so indexes stay line
 * numbers. A line of the common columnar shape is scanned straight from the bytes
 * (series-line.ts), any other through JSON.parse.
 */
export function splitItems(body: string | Uint8Array, framing: IngestFraming, errors: IngestItemError[]): unknown[] {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (framing === 'json') {
    let parsed: unknown;
    try { parsed = JSON.parse(typeof body === 'string' ? body : bytes.toString()); } catch (e) { throw new IngestBodyError(`body: invalid JSON (${(e as Error).message})`); }
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  const out: unknown[] = [];
  const scanner = new SeriesLineScanner(bytes.length);
  for (let p = 0, i = 0; p < bytes.length; i++) {
    let nl = bytes.indexOf(10, p);
    if (nl < 0) nl = bytes.length;
    const scanned = scanner.scan(bytes, p, nl, i);
    if (scanned) out[i] = new ScannedItem(scanned);
    else {
      const line = bytes.toString('utf8', p, nl);
      if (line.trim() !== '') {
        try { out[i] = JSON.parse(line); } catch (e) { errors.push({ index: i, field: 'line', message: `not JSON (${(e as Error).message})` }); }
      }
    }
    p = nl + 1;
    if (p === bytes.length) out.length = i + 1;
  }
  return out;
}

/** Samples the items carry (columnar items count their arrays), for the limits checked before any parsing. */
export function countSamples(items: readonly unknown[]): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it === undefined) continue;
    n += it instanceof ScannedItem ? it.item.length : isSeriesItem(it) ? seriesSize(it) : 1;
  }
  return n;
}

/** Checks every item; valid ones in body order, each refusal in `errors` with its index (and sample position) and field. */
export function parseIngestEntries(items: readonly unknown[], now: number, errors: IngestItemError[]): IngestEntry[] {
  const out: IngestEntry[] = [];
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    if (raw === undefined) continue;
    if (raw instanceof ScannedItem) { out.push(raw.item); continue; }
    if (isSeriesItem(raw)) {
      const s = parseSeriesItem(raw, index, errors);
      if (s && s.length) out.push(s);
      continue;
    }
    const r = parseRowItem(raw, index, now);
    if ('dedupeId' in r) out.push(r); else errors.push(r);
  }
  return out;
}

export function isSeriesEntry(e: IngestEntry): e is ParsedSeriesItem {
  return 'values' in e;
}
