// Shared core of regression and ARX: standardised least squares with a held-out check.
import { TwinFitError } from './errors';
import { leastSquares } from './linalg';
import { fitScaler, type Scaler } from './scaler';
import { fitMetrics, summariseResiduals, type FitMetrics, type ResidualSummary } from './stats';
import { validationRows } from './training-data';

export interface LinearFit {
  intercept: number;
  coefficients: number[];
  scaler: Scaler;
}

/** Default ridge per row: small enough not to bias a well-posed fit, large enough to keep collinear inputs finite. */
export const DEFAULT_RIDGE_PER_ROW = 1e-6;

export function fitLinear(X: number[][], y: number[], names: string[], ridge: number): LinearFit {
  const n = X.length;
  const p = names.length;
  if (n < p + 2) throw new TwinFitError('rows', `too few rows to fit ${p} input coefficient(s): got ${n}, need at least ${p + 2}`);
  const cols = names.map((_, j) => X.map((r) => r[j]));
  const scaler = fitScaler(cols, names);
  const Z = X.map((r) => r.map((v, j) => (v - scaler.mean[j]) / scaler.scale[j]));
  let ym = 0;
  for (const v of y) ym += v / n;
  const yc = y.map((v) => v - ym);
  const coefficients = leastSquares(Z, yc, ridge);
  if (coefficients.some((c) => !Number.isFinite(c))) throw new TwinFitError('inputs', 'the fit produced non-finite coefficients (inputs too ill-conditioned); increase ridge');
  return { intercept: ym, coefficients, scaler };
}

export function predictLinear(f: LinearFit, x: ArrayLike<number>): number {
  let s = f.intercept;
  for (let j = 0; j < f.coefficients.length; j++) s += f.coefficients[j] * ((x[j] - f.scaler.mean[j]) / f.scaler.scale[j]);
  return s;
}

/**
 * Fits on the leading rows, measures on the held-out tail, then refits on every row: the
 * stored model uses all the data while its metrics and residual spread stay out-of-sample.
 */
export function fitLinearValidated(X: number[][], y: number[], names: string[], opts: { ridge?: number; validationFraction?: number }):
  { fit: LinearFit; validation: FitMetrics; residual: ResidualSummary; ridge: number } {
  const n = X.length;
  const ridge = opts.ridge ?? DEFAULT_RIDGE_PER_ROW * n;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new TwinFitError('ridge', `must be a finite number ≥ 0 (got ${ridge})`);
  const nv = validationRows(n, opts.validationFraction ?? 0.2);
  let validation: FitMetrics;
  let residual: ResidualSummary;
  if (nv >= 3 && n - nv >= names.length + 2) {
    const head = fitLinear(X.slice(0, n - nv), y.slice(0, n - nv), names, ridge);
    const pred = X.slice(n - nv).map((r) => predictLinear(head, r));
    const act = y.slice(n - nv);
    validation = fitMetrics(act, pred);
    residual = summariseResiduals(act.map((v, i) => v - pred[i]));
  } else {
    validation = { rows: 0, rmse: 0, mae: 0, r2: 0 };
    residual = summariseResiduals([]);
  }
  const fit = fitLinear(X, y, names, ridge);
  if (validation.rows === 0) {
    // Too little data to hold any back: fall back to in-sample figures, flagged by rows = 0.
    const pred = X.map((r) => predictLinear(fit, r));
    validation = { ...fitMetrics(y, pred), rows: 0 };
    residual = summariseResiduals(y.map((v, i) => v - pred[i]));
  }
  return { fit, validation, residual, ridge };
}
