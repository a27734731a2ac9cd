// Value, quality and time formatting shared by every view. Quality arrives as a name on
// the WebSocket and as the stored numeric code from some HTTP answers: both are accepted
// here, through the runtime's own code table (written once, in runtime/model/quality.ts).
import { qualityName, qualityClassOf } from '../../../runtime/model/quality';

export type QualityLevel = 'GOOD' | 'UNCERTAIN' | 'BAD';

/** The quality's name whatever form it came in (number code, name, missing = GOOD). */
export function qualityText(q: unknown): string {
  if (typeof q === 'number' && Number.isInteger(q)) return qualityName(q);
  if (typeof q === 'string' && q) return q;
  return 'GOOD';
}

export function qualityLevel(q: unknown): QualityLevel {
  if (typeof q === 'number' && Number.isInteger(q)) return qualityClassOf(q);
  const s = qualityText(q);
  return s.startsWith('BAD') ? 'BAD' : s.startsWith('UNCERTAIN') ? 'UNCERTAIN' : 'GOOD';
}

/** Readable quality: "Bad – not connected". */
export function qualityLabel(q: unknown): string {
  const s = qualityText(q);
  const [cls, ...rest] = s.split('_');
  const head = cls.charAt(0) + cls.slice(1).toLowerCase();
  return rest.length ? `${head} – ${rest.join(' ').toLowerCase()}` : head;
}

export interface TagInfo {
  tag: string; description?: string; unit?: string; spanLow?: number | null; spanHigh?: number | null;
  valueType?: string; interpolation?: 'step' | 'linear' | string; states?: string[] | null;
}

/**
 * Decimals for a tag: from its span when known (about four significant digits across
 * the span), so every value of one tag has the same number of decimals.
 */
export function decimalsFor(meta: TagInfo | undefined, sample?: number): number {
  if (meta?.valueType === 'boolean' || meta?.states?.length) return 0;
  const lo = meta?.spanLow;
  const hi = meta?.spanHigh;
  if (lo != null && hi != null && hi > lo) return fromSpan(hi - lo);
  // no span: judged once from the first value seen, then kept, so the decimals of a tag
  // do not change as its value crosses a power of ten
  const known = meta ? guessed.get(meta.tag) : undefined;
  if (known !== undefined) return known;
  const d = fromSpan(Math.max(10, Math.abs(sample ?? 0) * 2));
  if (meta && sample !== undefined) guessed.set(meta.tag, d);
  return d;
}

const guessed = new Map<string, number>();

function fromSpan(span: number): number {
  return Math.max(0, Math.min(6, 3 - Math.floor(Math.log10(span))));
}

function capital(s: string): string { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

/** A value as the operator reads it: state words for discrete tags, fixed decimals otherwise. */
export function formatValue(v: number | null | undefined, meta?: TagInfo): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const states = meta?.states;
  if (states?.length) { const s = states[Math.round(v)]; return s ? capital(s) : String(v); }
  if (meta?.valueType === 'boolean') return v ? 'On' : 'Off';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-4)) return v.toExponential(3);
  return v.toFixed(decimalsFor(meta, v));
}

/** A value with its unit ("66.9 °C"); a state name or a missing value has none. */
export function formatWithUnit(v: number | null | undefined, meta?: TagInfo): string {
  const text = formatValue(v, meta);
  const discrete = !!meta?.states?.length || meta?.valueType === 'boolean';
  return meta?.unit && !discrete && text !== '—' ? `${text} ${meta.unit}` : text;
}

/** Short free-form number (axes, widgets without metadata). */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Math.round(v * 1000) / 1000);
}

/** The equipment path of a tag (everything before the point) and its point name. */
export function splitTag(tag: string): { equipment: string; point: string } {
  const i = tag.lastIndexOf('.');
  return i < 0 ? { equipment: '', point: tag } : { equipment: tag.slice(0, i), point: tag.slice(i + 1) };
}

// toLocale*String with options builds a new formatter on every call (about a millisecond
// each): the live table formats a time per row on every update, so the formatters are kept.
let clockFormat: Intl.DateTimeFormat | undefined;

/**
 * The hour as the reader's locale writes it: two digits on a 24-hour clock ("06:05"), one
 * where a 12-hour clock is the custom ("6:05 AM", not "06:05 AM").
 */
export function hourStyleOf(locale?: string): 'numeric' | '2-digit' {
  return /^h1[12]$/.test(new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '') ? 'numeric' : '2-digit';
}

/** The hour style of the page's locale, for every time the dashboard writes. */
export const HOUR = hourStyleOf();
let dateTimeFormat: Intl.DateTimeFormat | undefined;

export function fmtClock(ms: number): string {
  return (clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: HOUR, minute: '2-digit', second: '2-digit' })).format(ms);
}

/**
 * Builds the formatters ahead of first use: the first one of a page loads the locale's
 * data (tens of milliseconds), which is better spent while waiting for the server.
 */
export function warmFormats(): void {
  fmtClock(0);
  fmtDateTime(0);
}

export function fmtDateTime(ms: number): string {
  return (dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: HOUR, minute: '2-digit', second: '2-digit' })).format(ms);
}

/** "in 3 h 12 min" / "12 min ago" style durations. */
export function fmtDuration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  if (m < 1) return `${Math.round(Math.abs(ms) / 1000)} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
