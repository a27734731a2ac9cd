// EWMA / Holt baseline for a tag with no explanatory inputs: the prediction is the
// smoothed level (plus trend, plus a daily profile when the training window shows one).
// Smoothing weights are chosen by one-step-ahead error on the training part of the window;
// by default (robust) that error is the mean absolute error and the residual scale the MAD,
// so a fault inside the window neither picks the weights nor widens the band.
import { TwinFitError } from './errors';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type HoltModel } from './model';
import { MAD_TO_SIGMA, median } from './robust';
import { estimateDailyProfile, slotOf, type SeasonProfile } from './season';
import { fitMetrics, summariseResiduals } from './stats';
import { buildReport } from './training-report';
import { column, samplePeriodS, trainingWindow, validationRows, type TrainingData } from './training-data';

export interface HoltSpec {
  target: string;
  /** false (default): EWMA of the level only; true: Holt's linear trend */
  trend?: boolean;
  alpha?: number;
  beta?: number;
  /** 'auto' (default): a daily profile when the window spans ≥ 2 days and shows one; 'off': none */
  season?: 'auto' | 'off';
  /**
   * robust fit (default true): weights by mean absolute error, residual σ from the MAD, and a
   * stored default detector (see SIGNAL_DETECTOR)
   */
  robust?: boolean;
  name?: string;
  validationFraction?: number;
  detector?: DetectorConfig;
}

/**
 * Default detector of a robust single-signal model: |z| on the robust residual scale must
 * exceed 5 to raise an event (a level that normal noise reaches about once in 3 million
 * samples; real residuals have heavier tails, which is why 3 is too low), and the event ends
 * only when |z| falls below 2.5 (hysteresis: a noisy fault does not open and close events
 * sample after sample), and a new event needs a deviation larger than any seen outside events
 * in the previous 7 days (record-window.ts: about one false alarm a week at most on a
 * stationary residual, whatever the sampling rate).
 */
export const SIGNAL_DETECTOR: DetectorConfig = { method: 'ksigma', threshold: 5, clearRatio: 0.5, minDurationMs: 0, recordWindowMs: 7 * 86_400_000 };

export interface HoltState { level: number; slope: number }

export function holtStep(s: HoltState, y: number, alpha: number, beta: number, trend: boolean): HoltState {
  const prevLevel = s.level;
  const level = alpha * y + (1 - alpha) * (prevLevel + (trend ? s.slope : 0));
  const slope = trend ? beta * (level - prevLevel) + (1 - beta) * s.slope : 0;
  return { level, slope };
}

interface Season { periodMs: number; slots: number; profile: number[]; gamma: number }

function run(y: number[], ts: ArrayLike<number> | undefined, alpha: number, beta: number, trend: boolean, season: Season | null, from: number, to: number, s0: HoltState) {
  let s = s0;
  const act: number[] = [], pred: number[] = [];
  for (let i = from; i < to; i++) {
    const slot = season && ts ? slotOf(ts[i], season.periodMs, season.slots) : -1;
    const off = slot >= 0 ? season!.profile[slot] : 0;
    act.push(y[i]);
    pred.push(s.level + (trend ? s.slope : 0) + off);
    s = holtStep(s, y[i] - off, alpha, beta, trend);
    if (slot >= 0 && season!.gamma > 0) season!.profile[slot] += season!.gamma * (y[i] - s.level - off);
  }
  return { act, pred, state: s };
}

const GRID = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1];
const GAMMAS = [0, 0.05, 0.2];

function loss(act: number[], pred: number[], robust: boolean): number {
  let s = 0;
  for (let i = 0; i < act.length; i++) s += robust ? Math.abs(act[i] - pred[i]) : (act[i] - pred[i]) ** 2;
  return s;
}

export function fitHolt(data: TrainingData, spec: HoltSpec): HoltModel {
  const y = column(data, spec.target, 'target');
  const trend = spec.trend ?? false;
  const robust = spec.robust ?? true;
  const n = y.length;
  if (n < 10) throw new TwinFitError('rows', `too few rows for an EWMA/Holt fit: got ${n}, need at least 10`);
  for (const [k, v] of [['alpha', spec.alpha], ['beta', spec.beta]] as const) {
    if (v !== undefined && !(v > 0 && v <= 1)) throw new TwinFitError(k, `must be in (0, 1] (got ${v})`);
  }
  if (spec.season !== undefined && spec.season !== 'auto' && spec.season !== 'off') throw new TwinFitError('season', `must be "auto" or "off" (got ${JSON.stringify(spec.season)})`);
  const nv = validationRows(n, spec.validationFraction ?? 0.2);
  const nt = n - nv;
  const ts = data.ts;
  const profile: SeasonProfile | null = spec.season !== 'off' && ts ? estimateDailyProfile(ts, y, samplePeriodS(data) * 1000) : null;
  const seasonOf = (gamma: number): Season | null => (profile ? { periodMs: profile.periodMs, slots: profile.slots, profile: profile.profile.slice(), gamma } : null);
  const s0: HoltState = { level: y[0] - (profile && ts ? profile.profile[slotOf(ts[0], profile.periodMs, profile.slots)] : 0), slope: 0 };
  let best = { alpha: spec.alpha ?? 0.5, beta: trend ? spec.beta ?? 0.1 : 0, gamma: 0, loss: Infinity };
  for (const alpha of spec.alpha !== undefined ? [spec.alpha] : GRID) {
    for (const beta of !trend ? [0] : spec.beta !== undefined ? [spec.beta] : GRID.slice(0, 6)) {
      for (const gamma of profile ? GAMMAS : [0]) {
        const r = run(y, ts, alpha, beta, trend, seasonOf(gamma), 1, nt, s0);
        const l = loss(r.act, r.pred, robust);
        if (l < best.loss) best = { alpha, beta, gamma, loss: l };
      }
    }
  }
  const season = seasonOf(best.gamma);
  const head = run(y, ts, best.alpha, best.beta, trend, season, 1, nt, s0);
  const tail = nv >= 3 ? run(y, ts, best.alpha, best.beta, trend, season, nt, n, head.state) : run(y, ts, best.alpha, best.beta, trend, seasonOf(best.gamma), 1, n, s0);
  const res = tail.act.map((v, i) => v - tail.pred[i]);
  const residual = summariseResiduals(res);
  let rejected = 0;
  if (robust) {
    // σ from the MAD of residuals (all one-step residuals of the window, so the band rests on
    // as many rows as possible); rows beyond 6 robust σ are counted for the report.
    const all = [...head.act.map((v, i) => v - head.pred[i]), ...(nv >= 3 ? res : [])];
    const m = median(all);
    const mad = MAD_TO_SIGMA * median(all.map((e) => Math.abs(e - m)));
    if (mad > 0) {
      residual.mean = m;
      residual.sigma = mad;
      rejected = all.filter((e) => Math.abs(e - m) > 6 * mad).length;
    }
  }
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'holt',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    target: spec.target, inputs: [],
    validation: { ...fitMetrics(tail.act, tail.pred), ...(nv >= 3 ? {} : { rows: 0 }) },
    residual,
    params: {
      alpha: best.alpha, beta: best.beta, trend, level: tail.state.level, slope: tail.state.slope,
      ...(season ? { season: { periodMs: season.periodMs, slots: season.slots, gamma: season.gamma, profile: season.profile } } : {}),
    },
    ...(spec.detector ? { detector: spec.detector } : robust ? { detector: { ...SIGNAL_DETECTOR } } : {}),
    ...(robust ? { report: buildReport(n, rejected, 200) } : {}),
  };
}
