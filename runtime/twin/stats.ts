// Descriptive statistics used for validation metrics, residual distributions and limits.

export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : 0;
}

/** Sample standard deviation (n-1). */
export function stdDev(v: ArrayLike<number>, m = mean(v)): number {
  if (v.length < 2) return 0;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) * (v[i] - m);
  return Math.sqrt(s / (v.length - 1));
}

/** Linear-interpolated quantile (type 7, as numpy's default) of unsorted values. */
export function quantile(v: ArrayLike<number>, q: number): number {
  const s = Array.from(v).sort((a, b) => a - b);
  return quantileSorted(s, q);
}

export function quantileSorted(s: number[], q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export interface FitMetrics {
  /** rows the metrics were computed on */
  rows: number;
  rmse: number;
  mae: number;
  /** 1 - SSE/SST; 1 when the target is constant and exactly reproduced, 0 when constant and missed */
  r2: number;
}

export function fitMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): FitMetrics {
  const n = actual.length;
  const m = mean(actual);
  let sse = 0, sae = 0, sst = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i] - predicted[i];
    sse += e * e;
    sae += Math.abs(e);
    sst += (actual[i] - m) * (actual[i] - m);
  }
  const r2 = sst > 0 ? 1 - sse / sst : (sse <= 1e-24 * Math.max(1, n) ? 1 : 0);
  return { rows: n, rmse: n ? Math.sqrt(sse / n) : 0, mae: n ? sae / n : 0, r2 };
}

/** Quantile levels kept in a model file so intervals of several coverages can be drawn. */
export const RESIDUAL_LEVELS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.99, 0.995] as const;

export interface ResidualSummary {
  /** residual = actual - predicted */
  mean: number;
  sigma: number;
  /** [level, value] pairs at RESIDUAL_LEVELS */
  quantiles: [number, number][];
  rows: number;
}

export function summariseResiduals(res: ArrayLike<number>): ResidualSummary {
  const s = Array.from(res).sort((a, b) => a - b);
  const m = mean(s);
  return {
    mean: m,
    sigma: stdDev(s, m),
    quantiles: RESIDUAL_LEVELS.map((q) => [q, quantileSorted(s, q)] as [number, number]),
    rows: s.length,
  };
}

/** The stored quantile whose level is nearest to q. */
export function residualQuantile(r: ResidualSummary, q: number): number {
  let best = r.quantiles[0];
  for (const e of r.quantiles) if (Math.abs(e[0] - q) < Math.abs(best[0] - q)) best = e;
  return best[1];
}
