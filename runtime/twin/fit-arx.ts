// ARX: the target explained by its own recent values and lagged inputs. Good for a tag with
// inertia (a temperature, a level) where the last value carries most of the information.
import { TwinFitError } from './errors';
import { fitLinearValidated } from './linear-fit';
import { MODEL_FORMAT, MODEL_VERSION, type ArxModel, type DetectorConfig } from './model';
import { column, trainingWindow, type TrainingData } from './training-data';

export interface ArxSpec {
  target: string;
  inputs: string[];
  /** lags of the target, each ≥ 1; default [1] */
  targetLags?: number[];
  /** lags applied to each input, each ≥ 0; default [0] */
  inputLags?: number[];
  name?: string;
  ridge?: number;
  validationFraction?: number;
  detector?: DetectorConfig;
}

function checkLags(lags: number[], min: number, field: string): number[] {
  for (const l of lags) if (!Number.isInteger(l) || l < min || l > 10_000) throw new TwinFitError(field, `lags must be integers ≥ ${min} (got ${l})`);
  return [...new Set(lags)].sort((a, b) => a - b);
}

export function arxFeatureNames(target: string, inputs: string[], targetLags: number[], inputLags: number[]): string[] {
  return [...targetLags.map((l) => `${target}[t-${l}]`), ...inputs.flatMap((u) => inputLags.map((l) => `${u}[t-${l}]`))];
}

export function fitArx(data: TrainingData, spec: ArxSpec): ArxModel {
  const targetLags = checkLags(spec.targetLags ?? [1], 1, 'targetLags');
  const inputLags = checkLags(spec.inputLags ?? [0], 0, 'inputLags');
  if (!targetLags.length && !spec.inputs.length) throw new TwinFitError('targetLags', 'an ARX model needs target lags or inputs');
  if (spec.inputs.includes(spec.target)) throw new TwinFitError('inputs', `the target "${spec.target}" cannot also be an input (use targetLags)`);
  const y = column(data, spec.target, 'target');
  const us = spec.inputs.map((t) => column(data, t, `inputs.${t}`));
  const maxLag = Math.max(0, ...targetLags, ...(spec.inputs.length ? inputLags : [0]));
  const X: number[][] = [];
  const Y: number[] = [];
  for (let t = maxLag; t < y.length; t++) {
    const row: number[] = targetLags.map((l) => y[t - l]);
    for (const u of us) for (const l of inputLags) row.push(u[t - l]);
    X.push(row);
    Y.push(y[t]);
  }
  const features = arxFeatureNames(spec.target, spec.inputs, targetLags, spec.inputs.length ? inputLags : []);
  const { fit, validation, residual, ridge } = fitLinearValidated(X, Y, features, spec);
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'arx',
    ...(spec.name ? { name: spec.name } : {}),
    trainedAt: new Date().toISOString(), window: trainingWindow(data),
    target: spec.target, inputs: [...spec.inputs], validation, residual,
    params: { targetLags, inputLags: spec.inputs.length ? inputLags : [], features, intercept: fit.intercept, coefficients: fit.coefficients, scaler: fit.scaler, ridge },
    ...(spec.detector ? { detector: spec.detector } : {}),
  };
}
