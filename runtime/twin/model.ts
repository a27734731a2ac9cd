// The model file: one JSON document per trained model (see FORMAT-model.md). Every kind
// keeps what prediction needs (coefficients with their scaler), how it was trained, and
// how well it did on held-out data, so the confidence of its predictions can be judged.
import type { Scaler } from './scaler';
import type { FitMetrics, ResidualSummary } from './stats';
import type { TrainingReport } from './training-report';

export const MODEL_FORMAT = 'historian.twin.model';
export const MODEL_VERSION = 1;

export type ModelKind = 'regression' | 'arx' | 'fopdt' | 'holt' | 'pca' | 'mset';
export const MODEL_KINDS: readonly ModelKind[] = ['regression', 'arx', 'fopdt', 'holt', 'pca', 'mset'];

export type DetectorMethod = 'ksigma' | 'ewma' | 'cusum' | 'score';

/** How residuals (or a multivariate score) become anomaly events; stored as the model's default. */
export interface DetectorConfig {
  method: DetectorMethod;
  /** ksigma: |z| limit; ewma: L in units of the EWMA's own sigma; cusum: decision interval h; score: limit on the smoothed score */
  threshold: number;
  /** ewma smoothing weight in (0, 1]; also smooths the multivariate score when method = 'score' */
  lambda?: number;
  /** cusum reference value k (allowed slack, in sigmas) */
  k?: number;
  /** the condition must hold this long (ms) before an event starts */
  minDurationMs?: number;
  /**
   * hysteresis: an open event ends only when the statistic falls below clearRatio × threshold
   * (in (0, 1]; default 1 = ends at the first value below the threshold)
   */
  clearRatio?: number;
  /**
   * alarm-rate bound: an event starts only when the statistic also exceeds every value it
   * took over this many ms before (see record-window.ts); 0 = off (default)
   */
  recordWindowMs?: number;
}

export interface TrainingWindow {
  from: number | null;
  to: number | null;
  rows: number;
}

interface ModelBase {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  kind: ModelKind;
  name?: string;
  trainedAt: string;
  window: TrainingWindow;
  /** metrics on the held-out tail of the training window */
  validation: FitMetrics;
  detector?: DetectorConfig;
  /** how the training went: rows set aside as abnormal, warnings (optional, see FORMAT-model.md) */
  report?: TrainingReport;
}

/** Models that predict one target tag. */
interface PredictiveBase extends ModelBase {
  target: string;
  inputs: string[];
  /** out-of-sample residuals (actual - predicted) used for prediction intervals */
  residual: ResidualSummary;
}

export interface RegressionModel extends PredictiveBase {
  kind: 'regression';
  params: {
    /** prediction = intercept + Σ coefficients[j] · (x_j - scaler.mean[j]) / scaler.scale[j] */
    intercept: number;
    coefficients: number[];
    scaler: Scaler;
    ridge: number;
    /** the same model in engineering units, for people: target = rawIntercept + Σ raw[tag]·tag */
    rawIntercept: number;
    rawCoefficients: Record<string, number>;
  };
}

export interface ArxModel extends PredictiveBase {
  kind: 'arx';
  params: {
    /** lags (in samples, ≥ 1) of the target */
    targetLags: number[];
    /** lags (in samples, ≥ 0) applied to every input */
    inputLags: number[];
    /** feature order: target lags, then for each input its lags */
    features: string[];
    intercept: number;
    coefficients: number[];
    scaler: Scaler;
    ridge: number;
  };
}

export interface FopdtModel extends PredictiveBase {
  kind: 'fopdt';
  params: {
    gain: number;
    timeConstantS: number;
    deadTimeS: number;
    sampleS: number;
    /** discrete form y[k+1] = a·y[k] + b·u[k-deadSteps] + c */
    a: number;
    b: number;
    c: number;
    deadSteps: number;
  };
}

export interface HoltModel extends PredictiveBase {
  kind: 'holt';
  params: {
    alpha: number;
    /** 0 and trend=false: plain EWMA */
    beta: number;
    trend: boolean;
    /** state at the end of the training window, a warm start for prediction */
    level: number;
    slope: number;
    /** additive daily profile by time slot (UTC), updated with weight gamma as samples arrive */
    season?: { periodMs: number; slots: number; gamma: number; profile: number[] };
  };
}

/** Multivariate models watch a group of tags at once; their validation is reconstruction error in standardised units. */
interface GroupBase extends ModelBase {
  tags: string[];
  params: {
    /** lagged copies of each tag appended to the row (dynamic model); 0 = current row only */
    lags: number;
    scaler: Scaler;
  };
}

export interface PcaModel extends GroupBase {
  kind: 'pca';
  params: GroupBase['params'] & {
    /** retained principal directions, one row per component, over the standardised (lagged) row */
    components: number[][];
    eigenvalues: number[];
    varianceFraction: number;
    /** control limits: quantile `limitQuantile` of T² and Q on the training rows */
    limitQuantile: number;
    t2Limit: number;
    qLimit: number;
  };
}

export interface MsetModel extends GroupBase {
  kind: 'mset';
  params: GroupBase['params'] & {
    /** memory of standardised normal-operation states */
    memory: number[][];
    /** Gaussian similarity bandwidth in standardised units */
    bandwidth: number;
    limitQuantile: number;
    /** limit on the squared reconstruction error */
    limit: number;
  };
}

export type PredictiveModel = RegressionModel | ArxModel | FopdtModel | HoltModel;
export type GroupModel = PcaModel | MsetModel;
export type TwinModel = PredictiveModel | GroupModel;

export function isGroupModel(m: TwinModel): m is GroupModel {
  return m.kind === 'pca' || m.kind === 'mset';
}
