// MSET-style similarity model (auto-associative kernel regression): the expected state is a
// similarity-weighted blend of remembered normal states; the squared distance between the
// observed and the expected state is the anomaly score. Memory rows are every other training
// row (thinned to `memorySize`), the remaining rows calibrate the limit, so the limit is
// measured on states the memory has not seen.
import { TwinFitError } from './errors';
import { checkGroupSpec, fitGroupScaler, groupRows, laggedRows, type GroupSpecBase } from './group-rows';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type MsetModel } from './model';
import { smoothedScoreLimit } from './score-limit';
import { fitMetrics, quantile } from './stats';
import { trainingWindow, type TrainingData } from './training-data';

export interface MsetSpec extends GroupSpecBase {
  /** remembered states; default 100 */
  memorySize?: number;
  /** similarity bandwidth in standardised units; default 1 */
  bandwidth?: number;
  limitQuantile?: number;
  smoothing?: number;
  minDurationMs?: number;
}

/** Writes the expected state into `est` and returns the squared reconstruction error. */
export function msetError(memory: number[][], bandwidth: number, z: ArrayLike<number>, est: number[]): number {
  const n = z.length;
  const inv = 1 / (2 * bandwidth * bandwidth);
  est.fill(0);
  let wsum = 0;
  // Subtract the smallest distance before exponentiating so far-away states do not underflow to 0/0.
  const d2s = new Array<number>(memory.length);
  let dmin = Infinity;
  for (let m = 0; m < memory.length; m++) {
    const d = memory[m];
    let d2 = 0;
    for (let j = 0; j < n; j++) d2 += (z[j] - d[j]) * (z[j] - d[j]);
    d2s[m] = d2;
    if (d2 < dmin) dmin = d2;
  }
  for (let m = 0; m < memory.length; m++) {
    const w = Math.exp(-(d2s[m] - dmin) * inv);
    wsum += w;
    const d = memory[m];
    for (let j = 0; j < n; j++) est[j] += w * d[j];
  }
  let e = 0;
  for (let j = 0; j < n; j++) { est[j] /= wsum; e += (z[j] - est[j]) * (z[j] - est[j]); }
  return e;
}

export function fitMset(data: TrainingData, spec: MsetSpec): MsetModel {
  const lags = checkGroupSpec(spec);
  const memorySize = spec.memorySize ?? 100;
  const bandwidth = spec.bandwidth ?? 1;
  const limitQuantile = spec.limitQuantile ?? 0.99;
  if (!Number.isInteger(memorySize) || memorySize < 2) throw new TwinFitError('memorySize', `must be an integer ≥ 2 (got ${memorySize})`);
  if (!(bandwidth > 0) || !Number.isFinite(bandwidth)) throw new TwinFitError('bandwidth', `must be a finite number > 0 (got ${bandwidth})`);
  if (!(limitQuantile > 0.5 && limitQuantile <= 1)) throw new TwinFitError('limitQuantile', `must be in (0.5, 1] (got ${limitQuantile})`);
  const rows = laggedRows(groupRows(data, spec.tags), lags);
  if (rows.length < 20) throw new TwinFitError('rows', `too few rows for a similarity model: got ${rows.length}, need at least 20`);
  const scaler = fitGroupScaler(rows, spec, lags);
  const Z = rows.map((r) => r.map((v, j) => (v - scaler.mean[j]) / scaler.scale[j]));
  const even = Z.filter((_, i) => i % 2 === 0);
  const odd = Z.filter((_, i) => i % 2 === 1);
  const step = Math.max(1, Math.floor(even.length / memorySize));
  const memory = even.filter((_, k) => k % step === 0).slice(0, memorySize);
  const width = Z[0].length;
  const est = new Array<number>(width);
  const act: number[] = [], rec: number[] = [];
  const calib = odd.map((z) => {
    const e = msetError(memory, bandwidth, z, est);
    for (let j = 0; j < width; j++) { act.push(z[j]); rec.push(est[j]); }
    return e;
  });
  const limit = Math.max(quantile(calib, limitQuantile), 1e-12);
  const scores = Z.map((z, i) => (i % 2 === 1 ? calib[(i - 1) / 2] : msetError(memory, bandwidth, z, est)) / limit);
  const smoothing = spec.smoothing ?? 0.1;
  const detector: DetectorConfig = {
    method: 'score', lambda: smoothing, threshold: smoothedScoreLimit(scores, smoothing, lags), minDurationMs: spec.minDurationMs ?? 4000,
  };
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'mset',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    tags: [...spec.tags],
    // Validation: reconstruction of the calibration rows, which are not in memory.
    validation: { ...fitMetrics(act, rec), rows: odd.length },
    params: { lags, scaler, memory, bandwidth, limitQuantile, limit },
    detector,
  };
}
