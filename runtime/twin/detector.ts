// The streaming twin: samples in; prediction, band, anomaly state and events out. Single-
// target models evaluate when a sample of their target arrives (inputs at their latest
// value); group models evaluate once every tag of the group has a fresh value.
import { qualityClassOf, SampleError, type Sample } from '../model';

/** A sample as the detector reads it: without a quality it counts as good. */
export type DetectorSample = Omit<Sample, 'quality'> & { quality?: number };
import { ConfidenceTracker, type ConfidenceOptions } from './confidence';
import { TwinModelError } from './errors';
import { createGroupScorer, type GroupScorer } from './group-scorer';
import type { IntervalOptions } from './interval';
import { isGroupModel, type DetectorConfig, type DetectorMethod, type TwinModel } from './model';
import { parseModel } from './model-file';
import { createPredictor, type PredictionPoint, type Predictor } from './predictor';
import { Baseline, resolveAdapt, type AdaptOptions } from './baseline';
import { RecordWindow } from './record-window';
import { createStatistic, resolveDetectorConfig, type Statistic } from './residual-detectors';

export interface DetectorOptions {
  model: TwinModel | unknown;
  /** overrides the model's stored detector (partly or fully) */
  detector?: Partial<DetectorConfig>;
  interval?: IntervalOptions;
  confidence?: ConfidenceOptions;
  /** re-baselining (default off), see baseline.ts */
  adapt?: AdaptOptions;
}

/** A row of values at one time, the alternative to individual samples. */
export interface RowInput { ts: number; values: Record<string, number> }

export interface AnomalyEvent {
  /** 'start' when the anomaly is raised, 'end' when the residual has returned */
  phase: 'start' | 'end';
  /** tag the event is about: the model's target, or the group tag deviating most */
  tag: string;
  model: string;
  detector: DetectorMethod;
  start: number;
  end?: number;
  /** residual (actual - predicted; standardised for group models) when the event started/ended */
  residual: number;
  /** detector statistic at this moment and the largest seen during the event */
  score: number;
  peakScore: number;
  threshold: number;
  confidence: number;
  /** on an 'end' event: the operator confirmed the state as the new normal */
  rebaselined?: boolean;
  /**
   * tags contributing to the deviation when the event started, largest first (share of the
   * squared standardised residual; at most 3 listed, shares ≥ 5 %); the target for single-target models
   */
  channels: Array<{ tag: string; share: number }>;
}

export interface DetectorUpdate {
  ts: number;
  /** false while the model lacks inputs or history; nothing else is meaningful then */
  ready: boolean;
  predicted?: number;
  lo?: number;
  hi?: number;
  actual?: number;
  residual?: number;
  /** detector statistic compared with threshold */
  score?: number;
  /** share of recent normal samples inside the band [lo, hi] (single-target models; see ConfidenceTracker) */
  coverage?: number;
  threshold: number;
  anomaly: boolean;
  confidence: number;
  events: AnomalyEvent[];
}

export interface TwinDetector {
  readonly model: TwinModel;
  readonly config: Required<DetectorConfig>;
  update(input: DetectorSample | DetectorSample[] | RowInput): DetectorUpdate;
  /** h-step-ahead forecast (single-target models only) */
  forecast(h: number): PredictionPoint[];
  readonly anomaly: boolean;
  readonly confidence: number;
  /**
   * An operator confirms the current state as the new normal (adapt mode 'confirm' or
   * 'auto'): the baseline takes the recent samples' mean deviation, an open event ends
   * (returned, with `rebaselined: true`) and the statistic restarts. Returns null when
   * re-baselining is off or nothing was seen yet.
   */
  confirmNewNormal(ts: number): { ended: AnomalyEvent | null } | null;
  /** current baseline offsets: [residual offset] for single-target models, one per tag for group models */
  readonly baseline: number[];
}

function defaultConfig(model: TwinModel): Partial<DetectorConfig> & { method: DetectorMethod } {
  if (model.detector) return model.detector;
  return isGroupModel(model) ? { method: 'score' } : { method: 'ksigma' };
}

function modelName(m: TwinModel): string {
  return m.name ?? (isGroupModel(m) ? `${m.kind}(${m.tags.join(',')})` : `${m.kind}:${m.target}`);
}

class Detector implements TwinDetector {
  readonly model: TwinModel;
  readonly config: Required<DetectorConfig>;
  private readonly predictor: Predictor | null;
  private readonly scorer: GroupScorer | null;
  private readonly stat: Statistic;
  private readonly conf: ConfidenceTracker;
  private readonly latest = new Map<string, number>();
  private readonly fresh = new Set<string>();
  private readonly watched: Set<string>;
  private readonly name: string;
  private overSince: number | null = null;
  private record: RecordWindow | null;
  private readonly base: Baseline;
  private channels: Array<{ tag: string; share: number }> = [];
  private open: AnomalyEvent | null = null;
  private lastTs = -Infinity;

  constructor(opts: DetectorOptions) {
    this.model = parseModel(opts.model);
    this.name = modelName(this.model);
    const base = defaultConfig(this.model);
    const merged = { ...base, ...(opts.detector ?? {}) } as Partial<DetectorConfig> & { method: DetectorMethod };
    if (opts.detector?.method && opts.detector.method !== base.method && opts.detector.threshold === undefined) {
      // A different method does not inherit the stored threshold, which is in other units.
      delete merged.threshold;
    }
    this.config = resolveDetectorConfig(merged);
    const group = isGroupModel(this.model);
    if (group !== (this.config.method === 'score')) {
      throw new TwinModelError('detector.method', group ? 'group models (pca, mset) use the "score" detector' : `"score" applies to group models; use ksigma, ewma or cusum for a ${this.model.kind} model`);
    }
    this.predictor = isGroupModel(this.model) ? null : createPredictor(this.model, opts.interval);
    this.scorer = isGroupModel(this.model) ? createGroupScorer(this.model) : null;
    this.stat = createStatistic(this.config, 0);
    this.record = this.config.recordWindowMs > 0 ? new RecordWindow(this.config.recordWindowMs) : null;
    this.conf = new ConfidenceTracker(this.model.validation.rmse, this.model.window.rows, opts.confidence);
    this.base = new Baseline(isGroupModel(this.model) ? this.model.tags.length : 1, resolveAdapt(opts.adapt));
    this.watched = new Set(isGroupModel(this.model) ? this.model.tags : [this.model.target, ...this.model.inputs]);
  }

  get anomaly(): boolean { return this.open !== null; }
  get baseline(): number[] { return Array.from(this.base.offsets); }

  confirmNewNormal(ts: number): { ended: AnomalyEvent | null } | null {
    if (!this.base.confirm()) return null;
    let ended: AnomalyEvent | null = null;
    if (this.open) ended = { ...this.open, phase: 'end', end: ts, confidence: this.conf.value(), rebaselined: true };
    this.open = null;
    this.overSince = null;
    this.stat.reset();
    if (this.record) this.record = new RecordWindow(this.config.recordWindowMs);
    return { ended };
  }
  get confidence(): number { return this.conf.value(); }

  forecast(h: number): PredictionPoint[] {
    if (!this.predictor) throw new TwinModelError('model.kind', 'forecasts need a single-target model (regression, arx, fopdt, holt)');
    return this.predictor.forecast(h);
  }

  update(input: DetectorSample | DetectorSample[] | RowInput): DetectorUpdate {
    let ts: number;
    if (Array.isArray(input)) {
      if (!input.length) return this.idle(this.lastTs);
      ts = -Infinity;
      input.forEach((s, i) => { this.take(s.tag, s.value, s.quality, i); ts = Math.max(ts, s.ts); });
    } else if ('values' in input) {
      if (typeof input.ts !== 'number' || !Number.isFinite(input.ts)) throw new SampleError('ts', `must be epoch milliseconds (got ${String(input.ts)})`);
      ts = input.ts;
      for (const tag in input.values) this.take(tag, input.values[tag], 0);
    } else {
      ts = input.ts;
      this.take(input.tag, input.value, input.quality);
    }
    if (!Number.isFinite(ts)) throw new SampleError('ts', `must be epoch milliseconds (got ${ts})`);
    if (ts < this.lastTs) return this.idle(ts);
    if (isGroupModel(this.model)) {
      for (const t of this.model.tags) if (!this.fresh.has(t)) return this.idle(ts);
      return this.evaluateGroup(ts);
    }
    if (!this.fresh.has(this.model.target)) return this.idle(ts);
    return this.evaluateTarget(ts);
  }

  private take(tag: string, value: number, quality: number | undefined, index?: number): void {
    if (!this.watched.has(tag)) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SampleError('value', `of ${tag} must be a finite number (got ${String(value)})`, index);
    }
    // Bad-quality values say nothing about the process; the last good value stands.
    if (quality !== undefined && qualityClassOf(quality) === 'BAD') return;
    this.latest.set(tag, value);
    this.fresh.add(tag);
  }

  private idle(ts: number): DetectorUpdate {
    return { ts, ready: false, threshold: this.config.threshold, anomaly: this.open !== null, confidence: this.conf.value(), events: [] };
  }

  private inputsRecord(): Record<string, number> {
    const r: Record<string, number> = {};
    for (const [k, v] of this.latest) r[k] = v;
    return r;
  }

  private evaluateTarget(ts: number): DetectorUpdate {
    const m = this.model as Exclude<TwinModel, { kind: 'pca' | 'mset' }>;
    const p = this.predictor!;
    const inputs = this.inputsRecord();
    const actual = this.latest.get(m.target)!;
    this.fresh.clear();
    this.lastTs = ts;
    const predicted = p.predict(inputs, ts);
    p.commit(inputs, actual, predicted, ts);
    if (predicted === null) return this.idle(ts);
    const band = p.interval(predicted);
    const residual = actual - predicted;
    const sigma = m.residual.sigma > 0 ? m.residual.sigma : Math.max(m.validation.rmse, 1e-12);
    const dev = residual - m.residual.mean;
    const z = (dev - this.base.offsets[0]) / sigma;
    const score = this.stat.next(z);
    this.channels = [{ tag: m.target, share: 1 }];
    const events = this.judge(ts, score, residual, m.target, Math.abs(residual - this.base.offsets[0]), actual >= band.lo && actual <= band.hi);
    this.base.observe([dev], this.open === null && this.overSince === null);
    return { ts, ready: true, predicted, lo: band.lo, hi: band.hi, actual, residual, score, coverage: this.conf.coverage(), threshold: this.config.threshold, anomaly: this.open !== null, confidence: this.conf.value(), events };
  }

  private evaluateGroup(ts: number): DetectorUpdate {
    const m = this.model as Extract<TwinModel, { kind: 'pca' | 'mset' }>;
    const raw = m.tags.map((t) => this.latest.get(t)!);
    const row = raw.map((v, j) => v - this.base.offsets[j]);
    this.fresh.clear();
    this.lastTs = ts;
    const g = this.scorer!.score(row);
    const score = this.stat.next(g.score);
    this.channels = g.shares.map((share, j) => ({ tag: m.tags[j], share })).filter((c) => c.share >= 0.05).sort((a, b) => b.share - a.share).slice(0, 3);
    const events = this.judge(ts, score, g.topResidual, m.tags[g.top], g.error);
    const mean = m.params.scaler.mean;
    this.base.observe(raw.map((v, j) => v - mean[j]), this.open === null && this.overSince === null);
    return { ts, ready: true, residual: g.topResidual, score, threshold: this.config.threshold, anomaly: this.open !== null, confidence: this.conf.value(), events };
  }

  /** Minimum-duration logic and event bookkeeping; `error` feeds the confidence when normal. */
  private judge(ts: number, score: number, residual: number, tag: string, error: number, inBand?: boolean): AnomalyEvent[] {
    const over = score > this.config.threshold && (!this.record || this.open !== null || score > this.record.max(ts));
    this.record?.push(ts, score);
    const events: AnomalyEvent[] = [];
    if (this.open) {
      if (score > this.open.peakScore) this.open.peakScore = score;
      if (!(score > this.config.threshold * this.config.clearRatio)) {
        const ended: AnomalyEvent = { ...this.open, phase: 'end', end: ts, residual, score, confidence: this.conf.value() };
        this.open = null;
        this.overSince = null;
        events.push(ended);
      }
      return events;
    }
    if (!over) {
      this.overSince = null;
      this.conf.observe(error, inBand);
      return events;
    }
    if (this.overSince === null) this.overSince = ts;
    if (ts - this.overSince >= this.config.minDurationMs) {
      this.open = {
        phase: 'start', tag, model: this.name, detector: this.config.method, start: this.overSince,
        residual, score, peakScore: score, threshold: this.config.threshold, confidence: this.conf.value(), channels: this.channels,
      };
      events.push({ ...this.open });
    }
    return events;
  }
}

/** Builds a streaming detector from a model (object or parsed JSON) or from options around one. */
export function createDetector(modelOrConfig: TwinModel | DetectorOptions): TwinDetector {
  const opts: DetectorOptions = modelOrConfig && typeof modelOrConfig === 'object' && 'model' in modelOrConfig && !('kind' in modelOrConfig)
    ? modelOrConfig as DetectorOptions
    : { model: modelOrConfig };
  return new Detector(opts);
}
