// One columnar item of the HTTP ingest body (POST /api/v1/metrics): many samples of one
// tag as parallel arrays, `{tag|metric_name, timestamps:[...], values:[...], qualities?,
// labels?, dedupe_id?}`. The tag, labels and dedupe_id are checked once for the item; each
// sample is checked on its own, and a bad sample is reported by its position
// (`values[3]`) while the others of the item are kept. An item whose shape is wrong
// (unknown field, arrays of different lengths, bad tag) is refused whole.
import {
  GOOD, isQualityCode, isQualityName, QUALITY_CODES, SampleError, tagError, toEpochMs, toQuality, toValue,
} from '../model';
import type { IngestItemError } from './metric-item';

/** A checked columnar item: its valid samples as columns (no object per sample). */
export interface ParsedSeriesItem {
  index: number;
  tag: string;
  /** valid samples, in the order sent */
  length: number;
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
  /** quality codes; null when every sample is GOOD */
  quality: ArrayLike<number> | null;
  /** position of each valid sample in the item's arrays; null when all were valid (position = row) */
  at: number[] | null;
  dedupeId: string | null;
}

const KNOWN = new Set(['tag', 'metric_name', 'timestamps', 'values', 'qualities', 'labels', 'dedupe_id']);
const KNOWN_LIST = [...KNOWN].join(', ');

/** True for an object that means to be a columnar item (it carries `timestamps` or `values` as arrays). */
export function isSeriesItem(raw: unknown): raw is Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const o = raw as Record<string, unknown>;
  return Array.isArray(o.timestamps) || Array.isArray(o.values);
}

/** Samples the item claims to carry (for limits before any sample is checked). */
export function seriesSize(o: Record<string, unknown>): number {
  return Math.max(Array.isArray(o.values) ? o.values.length : 0, Array.isArray(o.timestamps) ? o.timestamps.length : 0, 1);
}

// Year 1970 .. 2200 in ms; 1e9 .. 1e11 look like epoch seconds (runtime/model/sample.ts says why).
const MAX_TS = 7_258_118_400_000;

/**
 * Checks one columnar item. Returns the parsed item (with its valid samples; possibly none)
 * and adds an error per refused sample, or one error for a refused item, to `errors`.
 * Returns null when the whole item is refused.
 */
export function parseSeriesItem(o: Record<string, unknown>, index: number, errors: IngestItemError[]): ParsedSeriesItem | null {
  const size = seriesSize(o);
  const refuse = (field: string, message: string): null => { errors.push({ index, field, message, samples: size }); return null; };
  for (const k in o) if (!KNOWN.has(k)) return refuse(k, `unknown field (a columnar item has ${KNOWN_LIST})`);
  if (o.tag !== undefined && o.metric_name !== undefined && o.tag !== o.metric_name) return refuse('tag', 'give tag or metric_name, not both');
  const tag = o.tag ?? o.metric_name;
  const te = tagError(tag);
  if (te) return refuse('tag', te.replace(/^tag /, ''));
  const ts = o.timestamps, vs = o.values, qs = o.qualities;
  if (!Array.isArray(ts)) return refuse('timestamps', 'must be an array of epoch milliseconds or ISO 8601 strings, one per value');
  if (!Array.isArray(vs)) return refuse('values', 'must be an array of finite numbers or booleans, one per timestamp');
  if (ts.length !== vs.length) return refuse('values', `has ${vs.length} entries for ${ts.length} timestamps (must be equal)`);
  if (vs.length === 0) return refuse('values', 'must hold at least one value');
  if (qs !== undefined && (!Array.isArray(qs) || qs.length !== vs.length)) return refuse('qualities', `must be an array of ${vs.length} qualities (one per value; null = GOOD) or left out`);
  if (o.labels !== undefined) {
    if (o.labels === null || typeof o.labels !== 'object' || Array.isArray(o.labels)) return refuse('labels', 'must be an object of strings');
    for (const [k, v] of Object.entries(o.labels)) if (typeof v !== 'string') return refuse(`labels.${k}`, 'must be a string (labels are an object of strings)');
  }
  let dedupeId: string | null = null;
  if (o.dedupe_id !== undefined) {
    if (typeof o.dedupe_id !== 'string' || o.dedupe_id.length === 0 || o.dedupe_id.length > 200) return refuse('dedupe_id', 'must be a string of 1 to 200 characters');
    dedupeId = o.dedupe_id;
  }
  const quality = qs as unknown[] | undefined;
  // the usual item (integer ms in range, finite numbers, no qualities): its own arrays are the columns
  if (quality === undefined) {
    let k = 0;
    for (; k < vs.length; k++) {
      const t = ts[k], v = vs[k];
      if (!(typeof t === 'number' && Number.isInteger(t) && t >= 0 && t <= MAX_TS && !(t >= 1e9 && t < 1e11) && typeof v === 'number' && Number.isFinite(v))) break;
    }
    if (k === vs.length) return { index, tag: tag as string, length: k, ts: ts as number[], values: vs as number[], quality: null, at: null, dedupeId };
  }
  const tOut: number[] = [], vOut: number[] = [], qOut: number[] = [], at: number[] = [];
  for (let k = 0; k < vs.length; k++) {
    const t = ts[k], v = vs[k];
    const q = quality === undefined ? undefined : quality[k];
    // the usual sample in one pass; anything else through the model's converters, which name what is wrong
    if (typeof t === 'number' && Number.isInteger(t) && t >= 0 && t <= MAX_TS && !(t >= 1e9 && t < 1e11)
      && typeof v === 'number' && Number.isFinite(v)
      && (q === undefined || q === null || (typeof q === 'number' && isQualityCode(q)) || (typeof q === 'string' && isQualityName(q)))) {
      tOut.push(t); vOut.push(v); qOut.push(q === undefined || q === null ? GOOD : typeof q === 'number' ? q : QUALITY_CODES[q]);
    } else {
      try {
        const tt = toEpochMs(t, `timestamps[${k}]`), vv = toValue(v, `values[${k}]`), qq = toQuality(q, `qualities[${k}]`);
        tOut.push(tt); vOut.push(vv); qOut.push(qq);
      } catch (e) {
        if (!(e instanceof SampleError)) throw e;
        errors.push({ index, sample: k, field: e.field, message: e.message.replace(/^[^:]*: /, '') });
        continue;
      }
    }
    at.push(k);
  }
  return { index, tag: tag as string, length: at.length, ts: tOut, values: vOut, quality: qOut, at, dedupeId };
}
