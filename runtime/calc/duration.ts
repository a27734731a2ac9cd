// Durations are written like Go/Prometheus durations: a number and a unit, optionally
// compound, e.g. 250ms, 30s, 5m, 1.5h, 1h30m, 2d. They appear bare (`avg(x, 5m)`) or
// quoted (`avg(x, '5m')`); both go through parseDuration.

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ms', 1], ['s', 1000], ['m', 60_000], ['min', 60_000], ['h', 3_600_000], ['d', 86_400_000],
]);

export const DURATION_UNITS = 'ms, s, m (or min), h, d';

const PART = /(\d+(?:\.\d+)?|\.\d+)([a-z]+)/y;

/** Milliseconds of a duration text, or an error message string. */
export function parseDuration(text: string): number | string {
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
  if (!Number.isFinite(ms) || ms <= 0) return `duration "${text}" must be greater than zero`;
  return Math.round(ms);
}
