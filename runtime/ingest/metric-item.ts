// One item of the HTTP ingest body (POST /api/v1/metrics): `tag` or `metric_name`,
// `value`, optional `timestamp`, `quality`, `labels`, `dedupe_id`. Labels are kept for
// the caller's own bookkeeping; they are not part of the tag identity.
import { parseSample, quickSample, SampleError, type Sample } from '../model';

export interface IngestItemError {
  /** the item's position in the body (JSON array index, or line number of a JSON-lines body, from 0) */
  index: number;
  /** for a columnar item: the position of the refused sample in its arrays */
  sample?: number;
  /** for a columnar item refused whole: how many samples it carried */
  samples?: number;
  field: string;
  message: string;
  reason?: string;
}

export interface ParsedItem { index: number; sample: Sample; dedupeId: string | null }

const KNOWN = new Set(['tag', 'metric_name', 'value', 'timestamp', 'quality', 'labels', 'dedupe_id']);

/**
 * The usual item — known fields only, no labels, `tag` or `metric_name`, a plain sample,
 * a well-formed dedupe_id if any — checked in one pass; null sends the item through the
 * full check, which names the field that is wrong.
 */
function quickItem(raw: unknown, index: number, now: number): ParsedItem | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  for (const k in o) if (!KNOWN.has(k)) return null;
  if (o.labels !== undefined || (o.tag !== undefined && o.metric_name !== undefined)) return null;
  const id = o.dedupe_id;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 200)) return null;
  const sample = quickSample(o.tag ?? o.metric_name, o.timestamp, o.value, o.quality, now);
  return sample ? { index, sample, dedupeId: id === undefined ? null : id as string } : null;
}

export function parseIngestItems(body: unknown, now: number): { items: ParsedItem[]; errors: IngestItemError[] } {
  const list = Array.isArray(body) ? body : [body];
  const items: ParsedItem[] = [];
  const errors: IngestItemError[] = [];
  for (let index = 0; index < list.length; index++) {
    const r = parseRowItem(list[index], index, now);
    if ('dedupeId' in r) items.push(r); else errors.push(r);
  }
  return { items, errors };
}

/** One row item: the parsed sample, or the error naming its index and field. */
export function parseRowItem(raw: unknown, index: number, now: number): ParsedItem | IngestItemError {
  const quick = quickItem(raw, index, now);
  if (quick) return quick;
  try {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SampleError('item', 'must be an object');
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new SampleError(k, `unknown field (expected ${[...KNOWN].join(', ')})`);
    if (o.tag !== undefined && o.metric_name !== undefined && o.tag !== o.metric_name) throw new SampleError('tag', 'give tag or metric_name, not both');
    if (o.labels !== undefined) {
      if (o.labels === null || typeof o.labels !== 'object' || Array.isArray(o.labels)) throw new SampleError('labels', 'must be an object of strings');
      for (const [k, v] of Object.entries(o.labels)) {
        if (typeof v !== 'string') throw new SampleError(`labels.${k}`, `must be a string (labels are an object of strings; got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v})`);
      }
    }
    let dedupeId: string | null = null;
    if (o.dedupe_id !== undefined) {
      if (typeof o.dedupe_id !== 'string' || o.dedupe_id.length === 0 || o.dedupe_id.length > 200) throw new SampleError('dedupe_id', 'must be a string of 1 to 200 characters');
      dedupeId = o.dedupe_id;
    }
    const sample = parseSample({ tag: o.tag ?? o.metric_name, ts: o.timestamp, value: o.value, quality: o.quality }, now);
    return { index, sample, dedupeId };
  } catch (e) {
    const err = e instanceof SampleError ? e : new SampleError('item', String(e));
    const field = err.field === 'ts' ? 'timestamp' : err.field;
    return { index, field, message: err.message.replace(/^[^:]*: /, '') };
  }
}
