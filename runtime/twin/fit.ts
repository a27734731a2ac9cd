// One entry point for training from a spec, as the HTTP API and the editor button send it.
import { TwinFitError } from './errors';
import { fitArx, type ArxSpec } from './fit-arx';
import { fitFopdt, type FopdtSpec } from './fit-fopdt';
import { fitHolt, type HoltSpec } from './fit-holt';
import { fitRegression, type RegressionSpec } from './fit-regression';
import type { TwinModel } from './model';
import { fitMset, type MsetSpec } from './mset';
import { fitPca, type PcaSpec } from './pca';
import type { TrainingData } from './training-data';

export type ModelSpec =
  | ({ kind: 'regression' } & RegressionSpec)
  | ({ kind: 'arx' } & ArxSpec)
  | ({ kind: 'fopdt' } & FopdtSpec)
  | ({ kind: 'holt' } & HoltSpec)
  | ({ kind: 'pca' } & PcaSpec)
  | ({ kind: 'mset' } & MsetSpec);

export function fitModel(data: TrainingData, spec: ModelSpec): TwinModel {
  switch (spec.kind) {
    case 'regression': return fitRegression(data, spec);
    case 'arx': return fitArx(data, spec);
    case 'fopdt': return fitFopdt(data, spec);
    case 'holt': return fitHolt(data, spec);
    case 'pca': return fitPca(data, spec);
    case 'mset': return fitMset(data, spec);
    default: throw new TwinFitError('kind', `must be one of regression, arx, fopdt, holt, pca, mset (got ${JSON.stringify((spec as { kind: unknown }).kind)})`);
  }
}
