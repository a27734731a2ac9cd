// Bounds that keep a hostile or accidental expression from costing more than a
// well-formed one: parsing is linear in the length, recursion is bounded by the depth,
// and window buffers cannot grow without limit.

export interface CalcLimits {
  /** characters in the expression text */
  maxLength: number;
  /** tokens after lexing */
  maxTokens: number;
  /** nesting of parentheses, calls, unary and right-associative operators */
  maxDepth: number;
  /** samples in a count window, e.g. avg(x, N) */
  maxWindowSamples: number;
  /** points kept by one time window (avg(x, 5m), twa, minw, delay ...) */
  maxWindowPoints: number;
  /** longest time window or delay, milliseconds */
  maxWindowMs: number;
}

export const DEFAULT_LIMITS: Readonly<CalcLimits> = Object.freeze({
  maxLength: 4096,
  maxTokens: 2048,
  maxDepth: 64,
  maxWindowSamples: 100_000,
  maxWindowPoints: 200_000,
  maxWindowMs: 31 * 24 * 3600_000,
});

export function resolveLimits(partial?: Partial<CalcLimits>): CalcLimits {
  const out: CalcLimits = { ...DEFAULT_LIMITS };
  if (!partial) return out;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof CalcLimits)[]) {
    const v = partial[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new Error(`limits.${key}: must be a positive integer (got ${String(v)})`);
    }
    out[key] = v;
  }
  return out;
}
