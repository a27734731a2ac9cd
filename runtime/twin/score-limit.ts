import { TwinFitError } from './errors';

// Threshold of a smoothed anomaly score, set from the training window alone: the largest
// EWMA-smoothed score seen in normal operation. The EWMA starts at the mean score and the
// first rows (while it settles and the lag buffer fills) are not counted.

export function ewmaWarmup(lambda: number, lags: number): number {
  return Math.max(lags + 1, Math.ceil(5 / lambda));
}

export function smoothedScoreLimit(scores: number[], lambda: number, lags: number): number {
  if (!(lambda > 0 && lambda <= 1)) throw new TwinFitError('smoothing', `must be in (0, 1] (got ${lambda})`);
  let e = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
  const skip = Math.min(ewmaWarmup(lambda, lags), Math.floor(scores.length / 2));
  let max = 0;
  scores.forEach((s, i) => {
    e = lambda * s + (1 - lambda) * e;
    if (i >= skip) max = Math.max(max, e);
  });
  return max > 0 ? max : 1;
}
