// Multiple linear regression of a target tag on input tags (the "ideal output" model).
import { TwinFitError } from './errors';
import { fitLinearValidated } from './linear-fit';
import { MODEL_FORMAT, MODEL_VERSION, type DetectorConfig, type RegressionModel } from './model';
import { column, trainingWindow, type TrainingData } from './training-data';

export interface RegressionSpec {
  target: string;
  inputs: string[];
  name?: string;
  /** ridge penalty on standardised coefficients; default 1e-6 · rows */
  ridge?: number;
  /** tail of the window held out for validation; default 0.2 */
  validationFraction?: number;
  detector?: DetectorConfig;
}

export function fitRegression(data: TrainingData, spec: RegressionSpec): RegressionModel {
  if (!spec.inputs.length) throw new TwinFitError('inputs', 'a regression needs at least one input tag (use a holt model for a tag without inputs)');
  if (spec.inputs.includes(spec.target)) throw new TwinFitError('inputs', `the target "${spec.target}" cannot also be an input`);
  const y = column(data, spec.target, 'target');
  const cols = spec.inputs.map((t) => column(data, t, `inputs.${t}`));
  const X = y.map((_, i) => cols.map((c) => c[i]));
  const { fit, validation, residual, ridge } = fitLinearValidated(X, y, spec.inputs, spec);
  const rawCoefficients: Record<string, number> = {};
  let rawIntercept = fit.intercept;
  spec.inputs.forEach((t, j) => {
    rawCoefficients[t] = fit.coefficients[j] / fit.scaler.scale[j];
    rawIntercept -= rawCoefficients[t] * fit.scaler.mean[j];
  });
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'regression',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    target: spec.target, inputs: [...spec.inputs], validation, residual,
    params: { intercept: fit.intercept, coefficients: fit.coefficients, scaler: fit.scaler, ridge, rawIntercept, rawCoefficients },
    ...(spec.detector ? { detector: spec.detector } : {}),
  };
}
