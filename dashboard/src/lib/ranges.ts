// Range presets of the trend: "the last <span>" with a moving right edge.
import { HOUR } from './format';

export interface Preset { id: string; label: string; ms: number }

const H = 3_600_000;
const D = 24 * H;
export const PRESETS: Preset[] = [
  { id: '1h', label: '1 h', ms: H },
  { id: '8h', label: '8 h', ms: 8 * H },
  { id: '24h', label: '24 h', ms: D },
  { id: '7d', label: '7 d', ms: 7 * D },
  { id: '30d', label: '30 d', ms: 30 * D },
  { id: '1y', label: '1 y', ms: 365 * D },
  { id: '10y', label: '10 y', ms: 3652 * D },
];

export function presetMs(id: string): number {
  return PRESETS.find((p) => p.id === id)?.ms ?? H;
}

/** `yyyy-MM-ddTHH:mm` in local time, for datetime-local inputs. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

export function fromLocalInput(s: string): number {
  return new Date(s).getTime();
}

// formatters are built once: a formatter per call costs about a millisecond
let longFormat: Intl.DateTimeFormat | undefined;
let shortFormat: Intl.DateTimeFormat | undefined;

export function fmtTime(ms: number, spanMs = 0): string {
  if (spanMs > 2 * D) return (longFormat ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: HOUR, minute: '2-digit' })).format(ms);
  return (shortFormat ??= new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: HOUR, minute: '2-digit', second: '2-digit' })).format(ms);
}

/** A time range as a URL or a control carries it: a moving preset, or fixed from/to. */
export type TimeRange = { preset: string } | { from: number; to: number };

/** The [from, to) a range stands for now. */
export function rangeBounds(r: TimeRange, now = Date.now()): { from: number; to: number } {
  return 'preset' in r ? { from: now - presetMs(r.preset), to: now } : { from: r.from, to: r.to };
}
