// Lifetimes on the command line: "90d", "12h", "30m", "3600s", "2w", or "never".
import { UsageError } from './args';

const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Milliseconds, or null for "never". */
export function parseDuration(text: string, option: string): number | null {
  if (text === 'never') return null;
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--${option} must be a positive duration like 90d, 12h, 30m or "never" (got "${text}")`);
  return Math.round(Number(m[1]) * UNIT[m[2]]);
}
