// Public surface of the digital-twin capability: fit models of normal operation, save and
// load them as JSON model files, and run them as streaming predictors / anomaly detectors.
export { TwinFitError, TwinModelError } from './errors';
export { twinCompanionTags, type TwinCompanionTags } from './companions';
export * from './model';
export { parseModel, serializeModel } from './model-file';
export type { TrainingData } from './training-data';
export { fitRegression, type RegressionSpec } from './fit-regression';
export { fitArx, type ArxSpec } from './fit-arx';
export { fitFopdt, type FopdtSpec } from './fit-fopdt';
export { fitHolt, type HoltSpec } from './fit-holt';
export { fitPca, type PcaSpec } from './pca';
export { fitMset, type MsetSpec } from './mset';
export { fitModel, type ModelSpec } from './fit';
export { createPredictor, type Predictor, type PredictionPoint } from './predictor';
export type { IntervalOptions } from './interval';
export { createDetector, type TwinDetector, type DetectorOptions, type DetectorUpdate, type AnomalyEvent, type RowInput } from './detector';
export type { AdaptOptions } from './baseline';
export { DETECTOR_DEFAULTS } from './residual-detectors';
export type { FitMetrics, ResidualSummary } from './stats';
export type { TwinComponent } from './component';
export { ModelStoreError, TwinModelStore, checkModelName, specTags, summaryOf, trainFromStore } from './model-store';
export type { TrainRange } from './model-store';
