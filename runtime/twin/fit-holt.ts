// EWMA / Holt baseline for a tag with no explanatory inputs: the prediction is the
// smoothed level (plus trend). Smoothing weights are chosen by one-step-ahead error.
import { TwinFitError } from './errors';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type HoltModel } from './model';
import { fitMetrics, summariseResiduals } from './stats';
import { column, trainingWindow, validationRows, type TrainingData } from './training-data';

export interface HoltSpec {
  target: string;
  /** false (default): EWMA of the level only; true: Holt's linear trend */
  trend?: boolean;
  alpha?: number;
  beta?: number;
  name?: string;
  validationFraction?: number;
  detector?: DetectorConfig;
}

export interface HoltState { level: number; slope: number }

export function holtStep(s: HoltState, y: number, alpha: number, beta: number, trend: boolean): HoltState {
  const prevLevel = s.level;
  const level = alpha * y + (1 - alpha) * (prevLevel + (trend ? s.slope : 0));
  const slope = trend ? beta * (level - prevLevel) + (1 - beta) * s.slope : 0;
  return { level, slope };
}

function run(y: number[], alpha: number, beta: number, trend: boolean, from: number, to: number, s0: HoltState) {
  let s = s0;
  const act: number[] = [], pred: number[] = [];
  for (let i = from; i < to; i++) {
    act.push(y[i]);
    pred.push(s.level + (trend ? s.slope : 0));
    s = holtStep(s, y[i], alpha, beta, trend);
  }
  return { act, pred, state: s };
}

const GRID = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1];

export function fitHolt(data: TrainingData, spec: HoltSpec): HoltModel {
  const y = column(data, spec.target, 'target');
  const trend = spec.trend ?? false;
  const n = y.length;
  if (n < 10) throw new TwinFitError('rows', `too few rows for an EWMA/Holt fit: got ${n}, need at least 10`);
  for (const [k, v] of [['alpha', spec.alpha], ['beta', spec.beta]] as const) {
    if (v !== undefined && !(v > 0 && v <= 1)) throw new TwinFitError(k, `must be in (0, 1] (got ${v})`);
  }
  const nv = validationRows(n, spec.validationFraction ?? 0.2);
  const nt = n - nv;
  const s0: HoltState = { level: y[0], slope: 0 };
  let best = { alpha: spec.alpha ?? 0.5, beta: trend ? spec.beta ?? 0.1 : 0, sse: Infinity };
  for (const alpha of spec.alpha !== undefined ? [spec.alpha] : GRID) {
    for (const beta of !trend ? [0] : spec.beta !== undefined ? [spec.beta] : GRID.slice(0, 6)) {
      const r = run(y, alpha, beta, trend, 1, nt, s0);
      let sse = 0;
      for (let i = 0; i < r.act.length; i++) sse += (r.act[i] - r.pred[i]) ** 2;
      if (sse < best.sse) best = { alpha, beta, sse };
    }
  }
  const head = run(y, best.alpha, best.beta, trend, 1, nt, s0);
  const tail = nv >= 3 ? run(y, best.alpha, best.beta, trend, nt, n, head.state) : run(y, best.alpha, best.beta, trend, 1, n, s0);
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'holt',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    target: spec.target, inputs: [],
    validation: { ...fitMetrics(tail.act, tail.pred), ...(nv >= 3 ? {} : { rows: 0 }) },
    residual: summariseResiduals(tail.act.map((v, i) => v - tail.pred[i])),
    params: { alpha: best.alpha, beta: best.beta, trend, level: tail.state.level, slope: tail.state.slope },
    ...(spec.detector ? { detector: spec.detector } : {}),
  };
}
