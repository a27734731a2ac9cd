// Durations in configuration: a number of milliseconds or "<n><unit>" (s, m, h, d, w, y).
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

export function parseDuration(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)?\s*$/.exec(v) : null;
  if (!m) throw new Error(`${field}: must be a duration like "30d", "12h" or a number of milliseconds (got ${JSON.stringify(v)})`);
  return Number(m[1]) * UNITS[m[2] ?? 'ms'];
}
