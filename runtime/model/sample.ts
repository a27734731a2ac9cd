// The sample, the unit of data everywhere (ARCHITECTURE.md §2), and its validation at
// the boundary. Inside the runtime a sample carries its quality as a numeric code.
import { GOOD, isQualityCode, isQualityName, QUALITY_CODES } from './quality';
import { tagError } from './tag';

export interface Sample {
  tag: string;
  /** epoch milliseconds, UTC, integer */
  ts: number;
  /** finite float64; booleans are stored as 0/1 */
  value: number;
  /** quality code, see quality.ts */
  quality: number;
}

/** A sample as it arrives from outside: a flow message, an HTTP body, a wire envelope. */
export interface SampleInput {
  tag?: unknown;
  ts?: unknown;
  value?: unknown;
  quality?: unknown;
}

export class SampleError extends Error {
  constructor(readonly field: string, message: string, readonly index?: number) {
    super(index === undefined ? `${field}: ${message}` : `[${index}].${field}: ${message}`);
    this.name = 'SampleError';
  }
}

// Year 1970 .. 2200 keeps timestamps inside the engine's delta ranges.
const MIN_TS = 0;
const MAX_TS = 7_258_118_400_000;
// Epoch *seconds* of 2001 .. 5138 read as milliseconds fall in 1970-01-12 .. 1973-03-03,
// a span no plant data comes from: such a number is refused as "looks like seconds"
// instead of being stored in 1970 (the mix-up is common with Unix tools and PLC clocks).
const SECONDS_LO = 1e9;
const SECONDS_HI = 1e11;

/** Converts ms / ISO string / Date to epoch ms or throws a SampleError on `field`. */
export function toEpochMs(ts: unknown, field = 'ts'): number {
  let ms: number;
  let numeric = false;
  if (typeof ts === 'number') { ms = ts; numeric = true; }
  else if (ts instanceof Date) ms = ts.getTime();
  else if (typeof ts === 'string' && ts.trim() !== '') {
    numeric = /^-?\d+(\.\d+)?$/.test(ts.trim());
    ms = numeric ? Number(ts) : Date.parse(ts);
  } else throw new SampleError(field, 'must be epoch milliseconds, an ISO 8601 string or a Date');
  if (!Number.isFinite(ms)) throw new SampleError(field, `is not a valid time (${String(ts)})`);
  ms = Math.round(ms);
  if (numeric && ms >= SECONDS_LO && ms < SECONDS_HI) {
    throw new SampleError(field, `${ms} looks like epoch seconds (${new Date(ms * 1000).toISOString()}); send epoch milliseconds (× 1000) or an ISO 8601 string`);
  }
  if (ms < MIN_TS || ms > MAX_TS) throw new SampleError(field, `is out of range (${ms} ms; expected 1970..2200 in milliseconds)`);
  return ms;
}

/** Plain decimal notation only: "0x1F", "1_000", "Infinity" or " " are not numbers here. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Converts a value to a finite float64, booleans to 0/1; throws on NaN/Infinity/other types. */
export function toValue(value: unknown, field = 'value'): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SampleError(field, `must be a finite number (got ${value})`);
    return value;
  }
  if (typeof value === 'string' && DECIMAL.test(value.trim()) && Number.isFinite(Number(value))) return Number(value);
  throw new SampleError(field, `must be a finite number or boolean (got ${describe(value)})`);
}

export function toQuality(quality: unknown, field = 'quality'): number {
  if (quality === undefined || quality === null) return GOOD;
  if (typeof quality === 'string') {
    const q = quality.toUpperCase();
    if (isQualityName(q)) return QUALITY_CODES[q];
  }
  // only known codes: an arbitrary number would be stored and shown as "GOOD_0x3039"
  if (typeof quality === 'number' && isQualityCode(quality)) return quality;
  throw new SampleError(field, `must be one of ${Object.keys(QUALITY_CODES).join(', ')} or its numeric code (got ${describe(quality)})`);
}

/**
 * The common case of parseSample without its error bookkeeping: a valid tag, a finite
 * number, an integer millisecond time in range (or none: `now`) and no quality or a known
 * one (code or upper-case name). Anything else answers null, and the caller runs
 * parseSample, which converts what may be converted and names what is wrong; so both give
 * the same sample for every input this accepts.
 */
export function quickSample(tag: unknown, ts: unknown, value: unknown, quality: unknown, now: number): Sample | null {
  if (typeof tag !== 'string' || tagError(tag) !== null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  let t: number;
  if (ts === undefined || ts === null) t = now;
  else if (typeof ts === 'number' && Number.isInteger(ts) && ts >= MIN_TS && ts <= MAX_TS && !(ts >= SECONDS_LO && ts < SECONDS_HI)) t = ts;
  else return null;
  let q: number;
  if (quality === undefined || quality === null) q = GOOD;
  else if (typeof quality === 'number' && isQualityCode(quality)) q = quality;
  else if (typeof quality === 'string' && isQualityName(quality)) q = QUALITY_CODES[quality];
  else return null;
  return { tag, ts: t, value, quality: q };
}

/** Validates one external sample; `now` fills a missing timestamp. */
export function parseSample(input: SampleInput, now: number = Date.now(), index?: number): Sample {
  try {
    if (input === null || typeof input !== 'object') throw new SampleError('sample', 'must be an object');
    const err = tagError(input.tag);
    if (err) throw new SampleError('tag', err);
    return {
      tag: input.tag as string,
      ts: input.ts === undefined || input.ts === null ? now : toEpochMs(input.ts),
      value: toValue(input.value),
      quality: toQuality(input.quality),
    };
  } catch (e) {
    if (e instanceof SampleError && index !== undefined) throw new SampleError(e.field, e.message.replace(/^[^:]*: /, ''), index);
    throw e;
  }
}

export interface ParsedBatch {
  samples: Sample[];
  errors: SampleError[];
}

/** Validates a batch; invalid items are reported with their index, the rest are kept. */
export function parseBatch(items: readonly SampleInput[], now: number = Date.now()): ParsedBatch {
  const samples: Sample[] = [];
  const errors: SampleError[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      samples.push(parseSample(items[i], now, i));
    } catch (e) {
      errors.push(e instanceof SampleError ? e : new SampleError('sample', String(e), i));
    }
  }
  return { samples, errors };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return `${typeof v} ${String(v)}`;
}
