// One item of the HTTP ingest body (POST /api/v1/metrics): `tag` or `metric_name`,
// `value`, optional `timestamp`, `quality`, `labels`, `dedupe_id`. Labels are kept for
// the caller's own bookkeeping; they are not part of the tag identity.
import { parseSample, quickSample, SampleError, type Sample } from '../model';

export interface IngestItemError { index: number; field: string; message: string; reason?: string }

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
    const raw: unknown = list[index];
    const quick = quickItem(raw, index, now);
    if (quick) { items.push(quick); continue; }
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
      items.push({ index, sample, dedupeId });
    } catch (e) {
      const err = e instanceof SampleError ? e : new SampleError('item', String(e));
      const field = err.field === 'ts' ? 'timestamp' : err.field;
      errors.push({ index, field, message: err.message.replace(/^[^:]*: /, '') });
    }
  }
  return { items, errors };
}
