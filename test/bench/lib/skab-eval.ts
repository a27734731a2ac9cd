// SKAB evaluation protocol shared by the twin benchmark: fit on the first 400 rows of each
// experiment file, detect on the rest, pool confusion counts over the test rows. Also the
// hyper-parameter selection for the leave-one-group-out splits: it sees the training
// group's files only and picks, by pooled F1 on them, from a fixed grid.
import { SKAB_CHANNELS, type SkabFile } from './skab';
import { PooledScore, type DetectorScore } from './twin-eval';
import { createDetector, fitPca, type PcaSpec, type TwinDetector } from '../../../runtime/twin';
import { stdDev } from '../../../runtime/twin/stats';

export const TRAIN = 400;
export const TAGS = SKAB_CHANNELS.map((c) => `skab.${c.replace(/[^A-Za-z0-9]/g, '_')}`);

export type Build = (f: SkabFile) => TwinDetector[];

export function trainingData(f: SkabFile) {
  const columns: Record<string, number[]> = {};
  SKAB_CHANNELS.forEach((c, j) => { columns[TAGS[j]] = f.channels[c].slice(0, TRAIN); });
  return { ts: f.ts.slice(0, TRAIN), columns };
}

function rowAt(f: SkabFile, i: number): { ts: number; values: Record<string, number> } {
  const values: Record<string, number> = {};
  SKAB_CHANNELS.forEach((c, j) => { values[TAGS[j]] = f.channels[c][i]; });
  return { ts: f.ts[i], values };
}

/**
 * Runs detectors over the whole file (the training rows warm their lag buffers and
 * smoothing up, as a detector running continuously would be) and returns test-row flags:
 * a row is flagged when any of the detectors is in the anomaly state.
 */
export function flagsOf(f: SkabFile, detectors: TwinDetector[]): number[] {
  const flags: number[] = [];
  for (let i = 0; i < f.ts.length; i++) {
    const row = rowAt(f, i);
    let on = 0;
    for (const d of detectors) if (d.update(row).anomaly) on = 1;
    if (i >= TRAIN) flags.push(on);
  }
  return flags;
}

function addFile(score: PooledScore, f: SkabFile, flags: number[]): void {
  score.addFile(flags, f.anomaly!.slice(TRAIN), f.changepoint!.slice(TRAIN), f.ts.slice(TRAIN));
}

export function evaluate(files: SkabFile[], build: Build): DetectorScore {
  const score = new PooledScore();
  for (const f of files) addFile(score, f, flagsOf(f, build(f)));
  return score.result();
}

/** The naive peer: a fixed mean ± 3σ band per raw channel from the same 400 training rows. */
export function evaluateBand(files: SkabFile[]): DetectorScore {
  const score = new PooledScore();
  for (const f of files) {
    const bands = SKAB_CHANNELS.map((c) => {
      const tr = f.channels[c].slice(0, TRAIN);
      const m = tr.reduce((a, b) => a + b, 0) / TRAIN;
      const s = stdDev(tr, m);
      return [m - 3 * s, m + 3 * s];
    });
    const flags: number[] = [];
    for (let i = TRAIN; i < f.ts.length; i++) {
      flags.push(SKAB_CHANNELS.some((c, j) => f.channels[c][i] < bands[j][0] || f.channels[c][i] > bands[j][1]) ? 1 : 0);
    }
    addFile(score, f, flags);
  }
  return score.result();
}

export type PcaHyper = Required<Pick<PcaSpec, 'lags' | 'smoothing' | 'limitMargin' | 'clearRatio'>>;

/**
 * The grid the selection searches: lags (how much dynamics the model sees), score smoothing,
 * threshold margin over the largest smoothed training score, and alarm hysteresis. Ordered
 * from the simplest model up, so that ties go to the simpler one.
 */
export const PCA_GRID: PcaHyper[] = (() => {
  const out: PcaHyper[] = [];
  for (const lags of [1, 3, 5, 8]) {
    for (const smoothing of [0.05, 0.1, 0.2]) {
      for (const limitMargin of [1.5, 2, 2.5, 3]) {
        for (const clearRatio of [1, 0.7, 0.5]) out.push({ lags, smoothing, limitMargin, clearRatio });
      }
    }
  }
  return out;
})();

export const pcaBuild = (h: Partial<PcaHyper>): Build => (f) => [createDetector(fitPca(trainingData(f), { tags: TAGS, ...h }))];

/**
 * Picks a grid point from the pooled F1 over `training` (no other file is read). The rule is
 * "best when any one hyper-parameter is changed": each point is rated by the mean F1 of
 * itself and every point that differs from it in one hyper-parameter, and the best-rated
 * point wins. On a handful of files the single best point is often a narrow peak that does
 * not carry over to other faults; a point in a broad good region does. The fit depends on lags and smoothing only; margin and hysteresis only change the stored
 * detector, so one fit per file serves them all (the same as fitting with each margin).
 */
export function selectPca(training: SkabFile[]): { hyper: PcaHyper; trainF1: number; rating: number } {
  const scores = new Map<PcaHyper, PooledScore>();
  for (const h of PCA_GRID) scores.set(h, new PooledScore());
  const fits = new Map<string, PcaHyper[]>();
  for (const h of PCA_GRID) {
    const key = `${h.lags}/${h.smoothing}`;
    fits.set(key, [...(fits.get(key) ?? []), h]);
  }
  for (const f of training) {
    for (const hs of fits.values()) {
      const model = fitPca(trainingData(f), { tags: TAGS, lags: hs[0].lags, smoothing: hs[0].smoothing, limitMargin: 1 });
      const base = model.detector!.threshold;
      const detectors = hs.map((h) => createDetector({ model, detector: { threshold: base * h.limitMargin, clearRatio: h.clearRatio } }));
      const flags = detectors.map(() => [] as number[]);
      for (let i = 0; i < f.ts.length; i++) {
        const row = rowAt(f, i);
        detectors.forEach((d, k) => { const on = d.update(row).anomaly ? 1 : 0; if (i >= TRAIN) flags[k].push(on); });
      }
      hs.forEach((h, k) => addFile(scores.get(h)!, f, flags[k]));
    }
  }
  const f1 = new Map(PCA_GRID.map((h) => [h, scores.get(h)!.result().f1]));
  const keys = ['lags', 'smoothing', 'limitMargin', 'clearRatio'] as const;
  let best = { hyper: PCA_GRID[0], trainF1: -1, rating: -1 };
  for (const h of PCA_GRID) {
    const near = PCA_GRID.filter((o) => keys.filter((k) => o[k] !== h[k]).length <= 1);
    const rating = near.reduce((a, o) => a + f1.get(o)!, 0) / near.length;
    if (rating > best.rating) best = { hyper: h, trainF1: f1.get(h)!, rating };
  }
  return best;
}
