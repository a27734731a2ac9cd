// Robust estimators for training on windows that may hold a fault: median / MAD location
// and scale, and the outlier rule used to set rows aside before the final fit.
import { covariance, symmetricEigen } from './linalg';
import { quantileSorted } from './stats';

/** MAD → σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

export function median(v: ArrayLike<number>): number {
  return quantileSorted(Array.from(v).sort((a, b) => a - b), 0.5);
}

/** Median and MAD-based σ; σ falls back to the mean absolute deviation when over half the values tie. */
export function robustLocationScale(v: ArrayLike<number>): { location: number; scale: number } {
  const m = median(v);
  const dev = Array.from(v, (x) => Math.abs(x - m));
  let s = MAD_TO_SIGMA * median(dev);
  if (!(s > 0)) s = dev.reduce((a, b) => a + b, 0) / Math.max(1, dev.length) * 1.2533;
  return { location: m, scale: s };
}

/**
 * Flags values of a non-negative statistic (T², Q, squared error) far in the upper tail:
 * cube roots of χ²-like statistics are close to normal (Wilson–Hilferty), so a value whose
 * cube root lies more than `z` robust σ above the median cube root is an outlier whatever
 * the degrees of freedom.
 */
export function upperOutliers(stat: ArrayLike<number>, z = 4): boolean[] {
  const r = Array.from(stat, (x) => Math.cbrt(Math.max(0, x)));
  const { location, scale } = robustLocationScale(r);
  const cut = location + z * Math.max(scale, 1e-12 * Math.max(1, location));
  return r.map((x) => x > cut);
}

/**
 * Rows of a training window that look like normal operation, by a deterministic
 * minimum-covariance-determinant search (in the spirit of DetMCD): the window is cut into
 * `blocks` stretches of time; starting from each, the covariance is refitted three times on
 * the half of the rows closest to it (Mahalanobis distance), and the start whose half has the
 * smallest covariance determinant wins. Rows whose squared distance to that fit is in the far
 * tail (upperOutliers) are flagged. A fault that occupies up to nearly half the window — for
 * instance its first rows — is found this way, where a fit on every row would have absorbed
 * it as one more direction of normal variation. Columns are robustly standardised first.
 */
export function mcdOutliers(rows: number[][], blocks = 5): boolean[] {
  const n = rows.length;
  const p = rows[0]?.length ?? 0;
  const none = rows.map(() => false);
  const size = Math.floor(n / blocks);
  if (p === 0 || size < 2 * p + 2) return none;
  const ls = Array.from({ length: p }, (_, j) => robustLocationScale(rows.map((r) => r[j])));
  const Z = rows.map((r) => r.map((v, j) => (v - ls[j].location) / (ls[j].scale > 0 ? ls[j].scale : 1)));
  const h = Math.ceil(n / 2);
  const fit = (idx: number[]) => {
    const m = new Array<number>(p).fill(0);
    for (const i of idx) for (let j = 0; j < p; j++) m[j] += Z[i][j] / idx.length;
    const { values, vectors } = symmetricEigen(covariance(idx.map((i) => Z[i])));
    const floor = Math.max(values[0] * 1e-9, 1e-12);
    const ev = values.map((v) => Math.max(v, floor));
    const logDet = ev.reduce((a, v) => a + Math.log(v), 0);
    const d2 = Z.map((z) => {
      let s = 0;
      for (let c = 0; c < p; c++) {
        let t = 0;
        for (let j = 0; j < p; j++) t += vectors[c][j] * (z[j] - m[j]);
        s += (t * t) / ev[c];
      }
      return s;
    });
    return { logDet, d2 };
  };
  let best: { logDet: number; d2: number[] } | null = null;
  for (let b = 0; b < blocks; b++) {
    let idx = Array.from({ length: size }, (_, k) => b * size + k);
    let f = fit(idx);
    for (let step = 0; step < 3; step++) {
      idx = f.d2.map((d, i) => [d, i] as const).sort((a, c) => a[0] - c[0]).slice(0, h).map(([, i]) => i);
      f = fit(idx);
    }
    if (!best || f.logDet < best.logDet) best = f;
  }
  return upperOutliers(best!.d2);
}

/**
 * Keeps only flags that form a stretch of time: a flagged row stays flagged when at least 80 %
 * of the rows within ±w/2 of it are flagged (w = max(10, n/40)). A fault is one persistent
 * state — a stretch; rows that a screen flags here and there throughout the window are a
 * normal mode that recurs (a pump cycling, a quantised channel) and stay in the fit.
 */
export function stretchesOnly(flags: boolean[]): boolean[] {
  const n = flags.length;
  const half = Math.floor(Math.max(10, Math.round(n / 40)) / 2);
  const pre = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + (flags[i] ? 1 : 0);
  return flags.map((f, i) => {
    if (!f) return false;
    const a = Math.max(0, i - half), b = Math.min(n, i + half + 1);
    return (pre[b] - pre[a]) >= 0.8 * (b - a);
  });
}
