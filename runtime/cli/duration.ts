// Lifetimes on the command line: a duration in the one grammar (runtime/platform/DURATIONS.md:
// "90d", "12h", "1h30m", "2w") or "never".
import { durationOrError } from '../platform';
import { UsageError } from './args';

/** Milliseconds, or null for "never". */
export function parseDuration(text: string, option: string): number | null {
  if (text === 'never') return null;
  const ms = durationOrError(text);
  if (typeof ms === 'string') throw new UsageError(`--${option} must be a positive duration like 90d, 12h, 30m or "never" (got "${text}")`);
  return ms;
}
