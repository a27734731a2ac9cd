// Prediction intervals from the model's out-of-sample residuals: ±k·σ when residuals are
// roughly symmetric, or the empirical quantiles when they are skewed (a valve that sticks
// only one way, a sensor that saturates).
import { TwinModelError } from './errors';
import { residualQuantile, type ResidualSummary } from './stats';

export interface IntervalOptions {
  /** 'sigma' (default): predicted ± k·σ; 'quantile': predicted + residual quantiles */
  method?: 'sigma' | 'quantile';
  /** sigma multiplier; default 3 */
  k?: number;
  /** central coverage for 'quantile'; default 0.99 (nearest stored levels are used) */
  coverage?: number;
}

export interface ResolvedInterval { method: 'sigma' | 'quantile'; k: number; coverage: number }

export function resolveInterval(o: IntervalOptions = {}): ResolvedInterval {
  const method = o.method ?? 'sigma';
  if (method !== 'sigma' && method !== 'quantile') throw new TwinModelError('interval.method', `must be "sigma" or "quantile" (got ${String(method)})`);
  const k = o.k ?? 3;
  if (!(k > 0) || !Number.isFinite(k)) throw new TwinModelError('interval.k', `must be a finite number > 0 (got ${k})`);
  const coverage = o.coverage ?? 0.99;
  if (!(coverage > 0 && coverage < 1)) throw new TwinModelError('interval.coverage', `must be in (0, 1) (got ${coverage})`);
  return { method, k, coverage };
}

/** Offsets [lo, hi] to add to a prediction; `spread` widens them for h-step forecasts. */
export function intervalOffsets(r: ResidualSummary, iv: ResolvedInterval, spread = 1): [number, number] {
  if (iv.method === 'sigma') return [-iv.k * r.sigma * spread, iv.k * r.sigma * spread];
  const a = (1 - iv.coverage) / 2;
  return [residualQuantile(r, a) * spread, residualQuantile(r, 1 - a) * spread];
}
