// First-order-plus-dead-time process model, the workhorse of process control:
// τ·dy/dt = -(y - y0) + K·(u(t - θ) - u0). Sampled every Δt it is the difference equation
// y[k+1] = a·y[k] + b·u[k-d] + c with a = exp(-Δt/τ), K = b/(1-a), θ = d·Δt; for each
// candidate dead time d the rest is linear least squares, so a grid over d finds the fit.
import { TwinFitError } from './errors';
import { leastSquares } from './linalg';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type FopdtModel } from './model';
import { fitMetrics, stdDev, summariseResiduals } from './stats';
import { column, samplePeriodS, trainingWindow, validationRows, type TrainingData } from './training-data';

export interface FopdtSpec {
  target: string;
  input: string;
  /** largest dead time tried, in samples; default 30 */
  maxDeadSteps?: number;
  name?: string;
  validationFraction?: number;
  detector?: DetectorConfig;
}

interface Fit { a: number; b: number; c: number; d: number; sse: number }

function fitAt(y: number[], u: number[], d: number, from: number, to: number): Fit {
  const X: number[][] = [];
  const Y: number[] = [];
  for (let k = Math.max(d, from); k + 1 < to; k++) { X.push([y[k], u[k - d], 1]); Y.push(y[k + 1]); }
  // Scale columns so the QR sees comparable magnitudes; a tiny ridge keeps a flat input finite.
  const sy = stdDev(y) || 1, su = stdDev(u) || 1;
  const Xs = X.map((r) => [r[0] / sy, r[1] / su, 1]);
  const [ca, cb, cc] = leastSquares(Xs, Y, 1e-9 * X.length);
  const a = ca / sy, b = cb / su, c = cc;
  let sse = 0;
  for (let i = 0; i < X.length; i++) { const e = Y[i] - (a * X[i][0] + b * X[i][1] + c); sse += e * e; }
  return { a, b, c, d, sse: sse / Math.max(1, X.length) };
}

function simulateOneStep(y: number[], u: number[], f: Fit, from: number, to: number): { act: number[]; pred: number[] } {
  const act: number[] = [], pred: number[] = [];
  for (let k = Math.max(f.d, from); k + 1 < to; k++) { act.push(y[k + 1]); pred.push(f.a * y[k] + f.b * u[k - f.d] + f.c); }
  return { act, pred };
}

export function fitFopdt(data: TrainingData, spec: FopdtSpec): FopdtModel {
  if (spec.input === spec.target) throw new TwinFitError('input', 'the input must differ from the target');
  const y = column(data, spec.target, 'target');
  const u = column(data, spec.input, `inputs.${spec.input}`);
  const maxD = spec.maxDeadSteps ?? 30;
  if (!Number.isInteger(maxD) || maxD < 0) throw new TwinFitError('maxDeadSteps', `must be an integer ≥ 0 (got ${maxD})`);
  const n = y.length;
  if (n < maxD + 10) throw new TwinFitError('rows', `too few rows for a FOPDT fit with dead time up to ${maxD} samples: got ${n}, need at least ${maxD + 10}`);
  if (!(stdDev(u) > 0)) throw new TwinFitError(`inputs.${spec.input}`, 'is constant over the training window: gain and time constant cannot be identified without input movement');
  const dt = samplePeriodS(data);
  const nv = validationRows(n, spec.validationFraction ?? 0.2);
  const nt = n - nv;
  let best: Fit | null = null;
  for (let d = 0; d <= maxD && d + 3 < nt; d++) {
    const f = fitAt(y, u, d, 0, nt);
    if (!best || f.sse < best.sse) best = f;
  }
  if (!best) throw new TwinFitError('rows', 'too few rows left after the validation split');
  if (!(best.a > 0 && best.a < 1)) throw new TwinFitError('target', `the data do not show a stable first-order response (pole a = ${best.a.toFixed(4)}; expected 0 < a < 1)`);
  const head = best;
  const final = nv >= 3 ? fitAt(y, u, head.d, 0, n) : head;
  const check = nv >= 3 ? simulateOneStep(y, u, head, nt - 1, n) : simulateOneStep(y, u, final, 0, n);
  const a = final.a > 0 && final.a < 1 ? final : head;
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'fopdt',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    target: spec.target, inputs: [spec.input],
    validation: { ...fitMetrics(check.act, check.pred), ...(nv >= 3 ? {} : { rows: 0 }) },
    residual: summariseResiduals(check.act.map((v, i) => v - check.pred[i])),
    params: {
      gain: a.b / (1 - a.a), timeConstantS: -dt / Math.log(a.a), deadTimeS: a.d * dt, sampleS: dt,
      a: a.a, b: a.b, c: a.c, deadSteps: a.d,
    },
    ...(spec.detector ? { detector: spec.detector } : {}),
  };
}
