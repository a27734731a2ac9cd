// PCA monitoring of a group of tags: Hotelling's T² measures how far a state is from normal
// inside the plane of usual variation, Q (SPE) how far it is off that plane — a broken
// relation between signals that no single tag's limit would catch.
import { TwinFitError } from './errors';
import { covariance, symmetricEigen } from './linalg';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type PcaModel } from './model';
import { checkGroupSpec, fitGroupScaler, groupRows, laggedRows, type GroupSpecBase } from './group-rows';
import { mcdOutliers, robustLocationScale, stretchesOnly, upperOutliers } from './robust';
import { smoothedScoreLimit } from './score-limit';
import { buildReport } from './training-report';
import { fitMetrics, quantile } from './stats';
import { trainingWindow, validationRows, type TrainingData } from './training-data';

export interface PcaSpec extends GroupSpecBase {
  /** keep the fewest components explaining this share of variance; default 0.85 */
  varianceFraction?: number;
  /** T² and Q limits are this quantile of the training rows' statistics; default 0.99 */
  limitQuantile?: number;
  /** EWMA weight for the default detector's score smoothing; default 0.1 */
  smoothing?: number;
  minDurationMs?: number;
  /**
   * Robust training (default true): rows far from the bulk (per-column robust z beyond 6,
   * or T² / Q in the far tail, see robust.ts) are set aside over up to three refits, so a
   * fault inside the training window does not become part of "normal".
   */
  robust?: boolean;
  /** the alarm threshold is this multiple of the largest smoothed training score; default 1.5 */
  limitMargin?: number;
  /** hysteresis of the stored detector (see DetectorConfig.clearRatio); default 1 */
  clearRatio?: number;
}

interface Pca { components: number[][]; eigenvalues: number[] }

function fitPcaCore(Z: number[][], varianceFraction: number): Pca {
  const { values, vectors } = symmetricEigen(covariance(Z));
  const total = values.reduce((a, b) => a + Math.max(0, b), 0);
  if (!(total > 0)) throw new TwinFitError('tags', 'every tag is constant over the training window');
  let k = 0, acc = 0;
  while (k < values.length && acc / total < varianceFraction) { acc += Math.max(0, values[k]); k++; }
  k = Math.max(1, Math.min(k, values.length - 1));
  // A zero eigenvalue would give an infinite T² weight; floor it relative to the largest.
  const floor = values[0] * 1e-9;
  return { components: vectors.slice(0, k), eigenvalues: values.slice(0, k).map((v) => Math.max(v, floor)) };
}

/** T² and Q of one standardised row; `proj` is scratch space of the row's width. */
export function pcaStats(p: Pca, z: ArrayLike<number>, proj: number[]): { t2: number; q: number } {
  const n = z.length;
  proj.fill(0);
  let t2 = 0;
  for (let c = 0; c < p.components.length; c++) {
    const v = p.components[c];
    let s = 0;
    for (let j = 0; j < n; j++) s += v[j] * z[j];
    t2 += (s * s) / p.eigenvalues[c];
    for (let j = 0; j < n; j++) proj[j] += s * v[j];
  }
  let q = 0;
  for (let j = 0; j < n; j++) q += (z[j] - proj[j]) * (z[j] - proj[j]);
  return { t2, q };
}

export function fitPca(data: TrainingData, spec: PcaSpec): PcaModel {
  const lags = checkGroupSpec(spec);
  const varianceFraction = spec.varianceFraction ?? 0.85;
  const limitQuantile = spec.limitQuantile ?? 0.99;
  if (!(varianceFraction > 0 && varianceFraction <= 1)) throw new TwinFitError('varianceFraction', `must be in (0, 1] (got ${varianceFraction})`);
  if (!(limitQuantile > 0.5 && limitQuantile <= 1)) throw new TwinFitError('limitQuantile', `must be in (0.5, 1] (got ${limitQuantile})`);
  const rows = laggedRows(groupRows(data, spec.tags), lags);
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  if (n < Math.max(20, width + 2)) throw new TwinFitError('rows', `too few rows for PCA over ${width} columns: got ${n}, need at least ${Math.max(20, width + 2)}`);

  // Held-out check: fit on the head, reconstruct the tail.
  const nv = validationRows(n, spec.validationFraction ?? 0.2);
  let validation = { rows: 0, rmse: 0, mae: 0, r2: 0 };
  if (nv >= 3 && n - nv >= Math.max(20, width + 2)) {
    const head = rows.slice(0, n - nv);
    const sc = fitGroupScaler(head, spec, lags);
    const zh = head.map((r) => r.map((v, j) => (v - sc.mean[j]) / sc.scale[j]));
    const p = fitPcaCore(zh, varianceFraction);
    const act: number[] = [], rec: number[] = [];
    const proj = new Array<number>(width);
    for (const r of rows.slice(n - nv)) {
      const z = r.map((v, j) => (v - sc.mean[j]) / sc.scale[j]);
      pcaStats(p, z, proj);
      for (let j = 0; j < width; j++) { act.push(z[j]); rec.push(proj[j]); }
    }
    validation = fitMetrics(act, rec);
    validation.rows = nv;
  }

  const kept = spec.robust === false ? rows : robustRows(rows, varianceFraction, lags);
  const scaler = fitGroupScaler(kept, spec, lags);
  const Z = kept.map((r) => r.map((v, j) => (v - scaler.mean[j]) / scaler.scale[j]));
  const core = fitPcaCore(Z, varianceFraction);
  const proj = new Array<number>(width);
  const stats = Z.map((z) => pcaStats(core, z, proj));
  const t2Limit = Math.max(quantile(stats.map((s) => s.t2), limitQuantile), 1e-12);
  const qLimit = Math.max(quantile(stats.map((s) => s.q), limitQuantile), 1e-12);
  const scores = stats.map((s) => Math.max(s.t2 / t2Limit, s.q / qLimit));
  const smoothing = spec.smoothing ?? 0.1;
  const margin = spec.limitMargin ?? 1.5;
  if (!(margin >= 1) || !Number.isFinite(margin)) throw new TwinFitError('limitMargin', `must be a finite number ≥ 1 (got ${margin})`);
  const detector: DetectorConfig = {
    method: 'score', lambda: smoothing, threshold: margin * smoothedScoreLimit(scores, smoothing, lags), minDurationMs: spec.minDurationMs ?? 4000,
    ...(spec.clearRatio !== undefined && spec.clearRatio !== 1 ? { clearRatio: spec.clearRatio } : {}),
  };
  const report = buildReport(n, n - kept.length, Math.max(200, 10 * width));
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'pca',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    tags: [...spec.tags], validation,
    params: { lags, scaler, components: core.components, eigenvalues: core.eigenvalues, varianceFraction, limitQuantile, t2Limit, qLimit },
    detector,
    report,
  };
}

/**
 * Rows kept for the final fit: first rows flagged by the MCD screen of the current tag values
 * where they form a stretch of time (robust.ts mcdOutliers, stretchesOnly) or with a column beyond 6 robust σ of its median, then, up to three times, rows whose T² or Q is in the far tail of a fit on the rest.
 * At least half the window is always kept (beyond that the window is not "normal" at all,
 * and the report says so).
 */
function robustRows(rows: number[][], varianceFraction: number, lags: number): number[][] {
  const width = rows[0].length;
  const loc = Array.from({ length: width }, (_, j) => robustLocationScale(rows.map((r) => r[j])));
  // the current values of each tag (the first columns; lagged copies repeat them) screened by MCD
  const tags = width / (lags + 1);
  const mcd = stretchesOnly(mcdOutliers(rows.map((r) => r.slice(0, tags))));
  let keep = rows.map((r, i) => !mcd[i] && r.every((v, j) => loc[j].scale <= 0 || Math.abs(v - loc[j].location) <= 6 * loc[j].scale));
  if (keep.filter(Boolean).length < rows.length / 2) keep = rows.map(() => true);
  for (let it = 0; it < 3; it++) {
    const sub = rows.filter((_, i) => keep[i]);
    if (sub.length < Math.max(20, width + 2)) break;
    const sc = fitScalerRows(sub);
    const core = fitPcaCore(sub.map((r) => r.map((v, j) => (v - sc.mean[j]) / sc.scale[j])), varianceFraction);
    const proj = new Array<number>(width);
    const st = rows.map((r) => pcaStats(core, r.map((v, j) => (v - sc.mean[j]) / sc.scale[j]), proj));
    const outT = upperOutliers(st.map((s) => s.t2));
    const outQ = upperOutliers(st.map((s) => s.q));
    const next = rows.map((_, i) => keep[i] && !outT[i] && !outQ[i]);
    const count = next.filter(Boolean).length;
    if (count < rows.length / 2 || count === sub.length) break;
    keep = next;
  }
  return rows.filter((_, i) => keep[i]);
}

function fitScalerRows(rows: number[][]): { mean: number[]; scale: number[] } {
  const width = rows[0].length;
  const mean: number[] = [], scale: number[] = [];
  for (let j = 0; j < width; j++) {
    const col = rows.map((r) => r[j]);
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, col.length - 1));
    mean.push(m);
    scale.push(sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1);
  }
  return { mean, scale };
}
