// One-step (and h-step) prediction for the single-target models. The predictor keeps the
// history a dynamic model needs (past target values, lagged inputs, Holt state).
import { TwinModelError } from './errors';
import { intervalOffsets, resolveInterval, type IntervalOptions, type ResolvedInterval } from './interval';
import { slotOf } from './season';
import type { ArxModel, FopdtModel, HoltModel, PredictiveModel, RegressionModel } from './model';

export interface PredictionPoint {
  predicted: number;
  lo: number;
  hi: number;
}

export interface Predictor {
  readonly model: PredictiveModel;
  /** prediction for the current step given the current inputs; null until enough history (ts: the step's time, for daily profiles) */
  predict(inputs: Record<string, number>, ts?: number): number | null;
  /** records the step: the current inputs and the actual target (or the prediction when missing) */
  commit(inputs: Record<string, number>, actual: number | null, predicted: number | null, ts?: number): void;
  /** h steps ahead from the last committed step, inputs held at their last values */
  forecast(h: number): PredictionPoint[];
  /** interval around a one-step prediction */
  interval(predicted: number): PredictionPoint;
}

function need(inputs: Record<string, number>, tag: string): number | undefined {
  const v = inputs[tag];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

abstract class Base<M extends PredictiveModel> implements Predictor {
  protected readonly iv: ResolvedInterval;
  constructor(readonly model: M, interval?: IntervalOptions) { this.iv = resolveInterval(interval); }
  abstract predict(inputs: Record<string, number>, ts?: number): number | null;
  abstract commit(inputs: Record<string, number>, actual: number | null, predicted: number | null, ts?: number): void;
  /** forecast path and the spread multiplier of each step's interval */
  protected abstract path(h: number): { values: number[]; spread: number[] } | null;
  interval(predicted: number): PredictionPoint {
    const [lo, hi] = intervalOffsets(this.model.residual, this.iv);
    return { predicted, lo: predicted + lo, hi: predicted + hi };
  }
  forecast(h: number): PredictionPoint[] {
    if (!Number.isInteger(h) || h < 1 || h > 10_000) throw new TwinModelError('h', `must be an integer in 1..10000 (got ${h})`);
    const p = this.path(h);
    if (!p) return [];
    return p.values.map((v, i) => {
      const [lo, hi] = intervalOffsets(this.model.residual, this.iv, p.spread[i]);
      return { predicted: v, lo: v + lo, hi: v + hi };
    });
  }
}

class RegressionPredictor extends Base<RegressionModel> {
  private last: number[] | null = null;
  predict(inputs: Record<string, number>): number | null {
    const { coefficients, intercept, scaler } = this.model.params;
    let s = intercept;
    for (let j = 0; j < this.model.inputs.length; j++) {
      const x = need(inputs, this.model.inputs[j]) ?? this.last?.[j];
      if (x === undefined) return null;
      s += coefficients[j] * ((x - scaler.mean[j]) / scaler.scale[j]);
    }
    return s;
  }
  commit(inputs: Record<string, number>): void {
    const row = this.model.inputs.map((t, j) => need(inputs, t) ?? this.last?.[j] ?? NaN);
    if (row.every(Number.isFinite)) this.last = row;
  }
  protected path(h: number) {
    if (!this.last) return null;
    const v = this.predict({});
    return v === null ? null : { values: new Array<number>(h).fill(v), spread: new Array<number>(h).fill(1) };
  }
}

class ArxPredictor extends Base<ArxModel> {
  private readonly ys: number[] = [];
  private readonly us: number[][] = [];
  private readonly maxY: number;
  private readonly maxU: number;
  private readonly x: number[];
  constructor(model: ArxModel, interval?: IntervalOptions) {
    super(model, interval);
    this.maxY = Math.max(0, ...model.params.targetLags);
    this.maxU = Math.max(0, ...model.params.inputLags);
    this.x = new Array<number>(model.params.coefficients.length);
  }
  private predictAt(ys: number[], us: number[][], cur: number[]): number | null {
    const { targetLags, inputLags, coefficients, intercept, scaler } = this.model.params;
    if (ys.length < this.maxY) return null;
    let j = 0;
    for (const l of targetLags) this.x[j++] = ys[ys.length - l];
    for (let i = 0; i < this.model.inputs.length; i++) {
      for (const l of inputLags) {
        const v = l === 0 ? cur[i] : us[us.length - l]?.[i];
        if (v === undefined) return null;
        this.x[j++] = v;
      }
    }
    let s = intercept;
    for (let k = 0; k < coefficients.length; k++) s += coefficients[k] * ((this.x[k] - scaler.mean[k]) / scaler.scale[k]);
    return s;
  }
  private current(inputs: Record<string, number>): number[] | null {
    const cur: number[] = [];
    for (let i = 0; i < this.model.inputs.length; i++) {
      const v = need(inputs, this.model.inputs[i]) ?? this.us[this.us.length - 1]?.[i];
      if (v === undefined) return null;
      cur.push(v);
    }
    return cur;
  }
  predict(inputs: Record<string, number>): number | null {
    const cur = this.current(inputs);
    return cur ? this.predictAt(this.ys, this.us, cur) : null;
  }
  commit(inputs: Record<string, number>, actual: number | null, predicted: number | null): void {
    const cur = this.current(inputs);
    const y = actual ?? predicted;
    if (y === null || !cur) return;
    this.ys.push(y);
    if (this.ys.length > this.maxY) this.ys.shift();
    this.us.push(cur);
    if (this.us.length > Math.max(1, this.maxU)) this.us.shift();
  }
  protected path(h: number) {
    const ys = this.ys.slice();
    const us = this.us.map((r) => r.slice());
    const cur = us[us.length - 1] ?? [];
    if (this.model.inputs.length && !us.length) return null;
    const values: number[] = [];
    for (let i = 0; i < h; i++) {
      const v = this.predictAt(ys, us, cur);
      if (v === null) return null;
      values.push(v);
      ys.push(v);
      if (ys.length > this.maxY) ys.shift();
      us.push(cur);
      if (us.length > Math.max(1, this.maxU)) us.shift();
    }
    // ψ-weights of the autoregressive part in engineering units: errors compound through y lags.
    const { targetLags, coefficients, scaler } = this.model.params;
    const phi = new Map<number, number>();
    targetLags.forEach((l, j) => phi.set(l, coefficients[j] / scaler.scale[j]));
    const psi = [1];
    for (let k = 1; k < h; k++) {
      let s = 0;
      for (const [l, a] of phi) if (k - l >= 0) s += a * psi[k - l];
      psi.push(s);
    }
    const spread: number[] = [];
    let acc = 0;
    for (let k = 0; k < h; k++) { acc += psi[k] * psi[k]; spread.push(Math.sqrt(acc)); }
    return { values, spread };
  }
}

class FopdtPredictor extends Base<FopdtModel> {
  private y: number | null = null;
  private readonly us: number[] = [];
  predict(inputs: Record<string, number>): number | null {
    const { a, b, c, deadSteps } = this.model.params;
    // y[t] = a·y[t-1] + b·u[t-1-d] + c: the input d+1 samples back.
    const u = this.us.length >= deadSteps + 1 ? this.us[this.us.length - 1 - deadSteps] : undefined;
    if (this.y === null || u === undefined) return null;
    void inputs;
    return a * this.y + b * u + c;
  }
  commit(inputs: Record<string, number>, actual: number | null, predicted: number | null): void {
    const u = need(inputs, this.model.inputs[0]) ?? this.us[this.us.length - 1];
    const y = actual ?? predicted;
    if (u === undefined || y === null) return;
    this.y = y;
    this.us.push(u);
    if (this.us.length > this.model.params.deadSteps + 1) this.us.shift();
  }
  protected path(h: number) {
    const { a, b, c, deadSteps } = this.model.params;
    if (this.y === null || !this.us.length) return null;
    const us = this.us.slice();
    const last = us[us.length - 1];
    let y = this.y;
    const values: number[] = [], spread: number[] = [];
    let acc = 0;
    for (let k = 0; k < h; k++) {
      const u = us.length >= deadSteps + 1 ? us[us.length - 1 - deadSteps] : us[0];
      y = a * y + b * u + c;
      values.push(y);
      us.push(last);
      acc += Math.pow(a, 2 * k);
      spread.push(Math.sqrt(acc));
    }
    return { values, spread };
  }
}

class HoltPredictor extends Base<HoltModel> {
  private level: number;
  private slope: number;
  private readonly profile: number[] | null;
  private lastTs: number | null = null;
  constructor(model: HoltModel, interval?: IntervalOptions) {
    super(model, interval);
    this.level = model.params.level;
    this.slope = model.params.slope;
    this.profile = model.params.season ? model.params.season.profile.slice() : null;
  }
  private slot(ts: number | undefined): number {
    const se = this.model.params.season;
    return se && this.profile && ts !== undefined ? slotOf(ts, se.periodMs, se.slots) : -1;
  }
  predict(_inputs?: Record<string, number>, ts?: number): number | null {
    const k = this.slot(ts);
    return this.level + (this.model.params.trend ? this.slope : 0) + (k >= 0 ? this.profile![k] : 0);
  }
  commit(_inputs: Record<string, number>, actual: number | null, _predicted?: number | null, ts?: number): void {
    if (actual === null) return;
    const { alpha, beta, trend } = this.model.params;
    const k = this.slot(ts);
    const off = k >= 0 ? this.profile![k] : 0;
    const prev = this.level;
    this.level = alpha * (actual - off) + (1 - alpha) * (prev + (trend ? this.slope : 0));
    if (trend) this.slope = beta * (this.level - prev) + (1 - beta) * this.slope;
    const gamma = this.model.params.season?.gamma ?? 0;
    if (k >= 0 && gamma > 0) this.profile![k] += gamma * (actual - this.level - off);
    if (ts !== undefined) this.lastTs = ts;
  }
  /** Moves the level (after an operator confirms a new normal, or slow re-baselining). */
  shiftLevel(delta: number): void { this.level += delta; }
  protected path(h: number) {
    const { alpha, beta, trend, season } = this.model.params;
    const values: number[] = [], spread: number[] = [];
    let acc = 1;
    // forecast steps are spaced like the training rows; without sample times the profile is left out
    const w = this.model.window;
    const stepMs = season && this.lastTs !== null && w.rows > 1 && w.from !== null && w.to !== null ? (w.to - w.from) / (w.rows - 1) : 0;
    for (let k = 1; k <= h; k++) {
      const slot = stepMs > 0 ? this.slot(this.lastTs! + k * stepMs) : -1;
      values.push(this.level + (trend ? k * this.slope : 0) + (slot >= 0 ? this.profile![slot] : 0));
      spread.push(Math.sqrt(acc));
      const c = alpha * (1 + (trend ? k * beta : 0));
      acc += c * c;
    }
    return { values, spread };
  }
}

export function createPredictor(model: PredictiveModel, interval?: IntervalOptions): Predictor {
  switch (model.kind) {
    case 'regression': return new RegressionPredictor(model, interval);
    case 'arx': return new ArxPredictor(model, interval);
    case 'fopdt': return new FopdtPredictor(model, interval);
    case 'holt': return new HoltPredictor(model, interval);
    default: throw new TwinModelError('kind', `no predictor for kind "${(model as { kind: string }).kind}"`);
  }
}
