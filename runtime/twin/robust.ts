// Robust estimators for training on windows that may hold a fault: median / MAD location
// and scale, and the outlier rule used to set rows aside before the final fit.
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
