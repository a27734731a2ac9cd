// Logging-mode configuration of a tag (ARCHITECTURE.md §2, tag metadata "logging mode").

export type LoggingMode = 'every' | 'on-change' | 'deadband' | 'swinging-door';
export const LOGGING_MODES: readonly LoggingMode[] = ['every', 'on-change', 'deadband', 'swinging-door'];

export interface FilterConfig {
  mode: LoggingMode;
  /**
   * deadband: the exception deviation; swinging-door: the compression deviation (PI's
   * CompDev). Absolute in engineering units, or percent of span when `deviationUnit` is
   * 'percent'.
   */
  deviation?: number;
  deviationUnit?: 'absolute' | 'percent';
  /** engineering span, required for percent deviations */
  span?: { low: number; high: number };
  /** maximum time in ms between stored samples (PI's CompMax / ExcMax); 0 or absent = none */
  compMax?: number;
}

export class FilterConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FilterConfigError';
  }
}

export interface ResolvedFilterConfig {
  mode: LoggingMode;
  /** absolute deviation, 0 when the mode has none */
  deviation: number;
  /** ms; Infinity when unset */
  compMax: number;
}

/** Validates a configuration and resolves a percent deviation against the span. */
export function resolveFilterConfig(c: FilterConfig): ResolvedFilterConfig {
  if (c === null || typeof c !== 'object') throw new FilterConfigError('config', 'must be an object');
  if (!LOGGING_MODES.includes(c.mode)) throw new FilterConfigError('mode', `must be one of ${LOGGING_MODES.join(', ')} (got ${String(c.mode)})`);
  let compMax = Infinity;
  if (c.compMax !== undefined && c.compMax !== 0) {
    if (typeof c.compMax !== 'number' || !Number.isFinite(c.compMax) || c.compMax < 0) {
      throw new FilterConfigError('compMax', `must be a non-negative number of milliseconds (got ${String(c.compMax)})`);
    }
    compMax = c.compMax;
  }
  let deviation = 0;
  if (c.mode === 'deadband' || c.mode === 'swinging-door') {
    const d = c.deviation;
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) {
      throw new FilterConfigError('deviation', `must be a non-negative number for ${c.mode} (got ${String(d)})`);
    }
    const unit = c.deviationUnit ?? 'absolute';
    if (unit === 'percent') {
      const s = c.span;
      if (!s || !Number.isFinite(s.low) || !Number.isFinite(s.high) || s.high <= s.low) {
        throw new FilterConfigError('span', 'a percent deviation needs a span with finite low < high');
      }
      deviation = ((s.high - s.low) * d) / 100;
    } else if (unit === 'absolute') {
      deviation = d;
    } else {
      throw new FilterConfigError('deviationUnit', `must be 'absolute' or 'percent' (got ${String(unit)})`);
    }
  }
  return { mode: c.mode, deviation, compMax };
}
