// Control-chart statistics on a standardised residual z = (residual - mean)/σ. Each returns a
// statistic compared with the configured threshold:
//  k-sigma — |z|: catches large sudden deviations;
//  EWMA    — |smoothed z| in units of its own σ = sqrt(λ/(2-λ)): small sustained shifts;
//  CUSUM   — two-sided cumulative sum with slack k: the earliest signal for a persistent drift.
// Defaults (k-sigma 3; EWMA λ 0.2, L 3.5; CUSUM k 0.5, h 8) keep the in-control run length
// in the thousands of samples: at 1 Hz a false alarm every few minutes would be ignored.
// 'score' smooths an already-normalised multivariate score with an EWMA.
import { TwinModelError } from './errors';
import type { DetectorConfig, DetectorMethod } from './model';

export interface Statistic { next(z: number): number; reset(): void }

export const DETECTOR_DEFAULTS: Record<DetectorMethod, Required<Omit<DetectorConfig, 'method'>>> = {
  ksigma: { threshold: 3, lambda: 1, k: 0, minDurationMs: 0, clearRatio: 1, recordWindowMs: 0 },
  ewma: { threshold: 3.5, lambda: 0.2, k: 0, minDurationMs: 0, clearRatio: 1, recordWindowMs: 0 },
  cusum: { threshold: 8, lambda: 1, k: 0.5, minDurationMs: 0, clearRatio: 1, recordWindowMs: 0 },
  score: { threshold: 1, lambda: 0.1, k: 0, minDurationMs: 0, clearRatio: 1, recordWindowMs: 0 },
};

export function resolveDetectorConfig(c: Partial<DetectorConfig> & { method: DetectorMethod }): Required<DetectorConfig> {
  const d = DETECTOR_DEFAULTS[c.method];
  if (!d) throw new TwinModelError('detector.method', `must be one of ${Object.keys(DETECTOR_DEFAULTS).join(', ')} (got ${String(c.method)})`);
  const r = { method: c.method, threshold: c.threshold ?? d.threshold, lambda: c.lambda ?? d.lambda, k: c.k ?? d.k, minDurationMs: c.minDurationMs ?? d.minDurationMs, clearRatio: c.clearRatio ?? d.clearRatio, recordWindowMs: c.recordWindowMs ?? d.recordWindowMs };
  if (!(r.threshold > 0) || !Number.isFinite(r.threshold)) throw new TwinModelError('detector.threshold', `must be a finite number > 0 (got ${r.threshold})`);
  if (!(r.lambda > 0 && r.lambda <= 1)) throw new TwinModelError('detector.lambda', `must be in (0, 1] (got ${r.lambda})`);
  if (!(r.k >= 0) || !Number.isFinite(r.k)) throw new TwinModelError('detector.k', `must be a finite number ≥ 0 (got ${r.k})`);
  if (!(r.minDurationMs >= 0) || !Number.isFinite(r.minDurationMs)) throw new TwinModelError('detector.minDurationMs', `must be a finite number ≥ 0 (got ${r.minDurationMs})`);
  if (!(r.clearRatio > 0 && r.clearRatio <= 1)) throw new TwinModelError('detector.clearRatio', `must be in (0, 1] (got ${r.clearRatio})`);
  if (!(r.recordWindowMs >= 0) || !Number.isFinite(r.recordWindowMs)) throw new TwinModelError('detector.recordWindowMs', `must be a finite number ≥ 0 (got ${r.recordWindowMs})`);
  return r;
}

export function createStatistic(c: Required<DetectorConfig>, initial = 0): Statistic {
  switch (c.method) {
    case 'ksigma':
      return { next: (z) => Math.abs(z), reset() {} };
    case 'ewma': {
      const norm = Math.sqrt(c.lambda / (2 - c.lambda));
      let e = 0;
      return { next: (z) => { e = c.lambda * z + (1 - c.lambda) * e; return Math.abs(e) / norm; }, reset() { e = 0; } };
    }
    case 'cusum': {
      let sp = 0, sn = 0;
      return {
        next: (z) => { sp = Math.max(0, sp + z - c.k); sn = Math.max(0, sn - z - c.k); return Math.max(sp, sn); },
        reset() { sp = 0; sn = 0; },
      };
    }
    case 'score': {
      let e = initial;
      return { next: (s) => { e = c.lambda * s + (1 - c.lambda) * e; return e; }, reset() { e = initial; } };
    }
  }
}
