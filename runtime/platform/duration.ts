// The one duration grammar of Historian (see DURATIONS.md): a number and a unit, optionally
// compound, as Go and Prometheus write them. Used by the command line, node and tier
// configuration, calc expressions and query times, so a duration written in one place is
// valid everywhere.

/** Milliseconds per unit; `min` is an alias of `m` (calc accepted it before the grammars merged). */
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ms', 1], ['s', 1000], ['m', 60_000], ['min', 60_000], ['h', 3_600_000],
  ['d', 86_400_000], ['w', 7 * 86_400_000], ['y', 365 * 86_400_000],
]);

export const DURATION_UNITS = 'ms, s, m (or min), h, d, w, y';

// a number (integer, decimal, or leading-dot decimal), optional blanks, a unit
const PART = /\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)/y;

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

export interface DurationOptions {
  /** accept a duration of zero (default false: a duration must be greater than zero) */
  allowZero?: boolean;
}

/** Milliseconds of a duration text such as 500ms, 30s, 5m, 1.5h, 1h30m, 2d, 2w, 1y. */
export function parseDuration(text: string, o: DurationOptions = {}): number {
  const r = durationOrError(text, o);
  if (typeof r === 'string') throw new DurationError(r);
  return r;
}

/** As parseDuration, but the error comes back as its message (for parsers that add a position). */
export function durationOrError(text: string, o: DurationOptions = {}): number | string {
  const t = text.trim();
  if (t === '') return 'a duration must not be empty';
  let ms = 0;
  let i = 0;
  while (i < t.length) {
    PART.lastIndex = i;
    const m = PART.exec(t);
    if (!m) return `invalid duration "${text}" (expected e.g. 500ms, 30s, 5m, 1h30m; units ${DURATION_UNITS})`;
    const unit = UNIT_MS.get(m[2]);
    if (unit === undefined) return `unknown duration unit "${m[2]}" in "${text}" (use ${DURATION_UNITS})`;
    ms += Number(m[1]) * unit;
    i = PART.lastIndex;
  }
  if (!Number.isFinite(ms)) return `duration "${text}" is too long`;
  if (o.allowZero ? ms < 0 : ms <= 0) return `duration "${text}" must be greater than zero`;
  return Math.round(ms);
}

/**
 * A duration in configuration (node config, settings.js): the grammar above, or a number of
 * milliseconds given as a number or as digits. Errors name the field.
 */
export function parseDurationSetting(field: string, v: unknown, o: DurationOptions = { allowZero: true }): number {
  const bad = (): never => {
    throw new DurationError(`${field}: must be a duration like "30d", "12h" or a number of milliseconds (got ${JSON.stringify(v)})`);
  };
  let ms: number | string;
  if (typeof v === 'number') ms = Number.isFinite(v) ? v : -1;
  else if (typeof v !== 'string') return bad();
  else if (/^\s*\d+(?:\.\d+)?\s*$/.test(v)) ms = Number(v);
  else ms = durationOrError(v, o);
  if (typeof ms === 'string' || (o.allowZero ? ms < 0 : ms <= 0)) return bad();
  return ms;
}
