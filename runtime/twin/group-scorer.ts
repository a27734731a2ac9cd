// Streaming scoring for PCA / MSET group models: one raw row in, a normalised score out
// (1 = the training limit), plus which tag deviates most, for the operator.
import { LagBuffer } from './group-rows';
import type { GroupModel } from './model';
import { msetError } from './mset';
import { pcaStats } from './pca';

export interface GroupScore {
  score: number;
  /** RMS of the reconstruction error per standardised column, comparable to validation.rmse */
  error: number;
  /** index into model.tags of the largest current deviation */
  top: number;
  /** that tag's standardised residual (observed minus expected) */
  topResidual: number;
  /** per tag (model.tags order): share of the squared residual of the current row, summing to 1 */
  shares: number[];
}

export interface GroupScorer { score(row: number[]): GroupScore }

export function createGroupScorer(model: GroupModel): GroupScorer {
  const lag = new LagBuffer(model.params.lags);
  const { scaler } = model.params;
  const width = scaler.mean.length;
  const z = new Array<number>(width);
  const rec = new Array<number>(width);
  const p = model.tags.length;
  const finish = (score: number): GroupScore => {
    let sse = 0, top = 0, topAbs = -1, cur = 0;
    for (let j = 0; j < width; j++) sse += (z[j] - rec[j]) ** 2;
    const shares = new Array<number>(p);
    for (let j = 0; j < p; j++) {
      const r = z[j] - rec[j];
      shares[j] = r * r;
      cur += r * r;
      if (Math.abs(r) > topAbs) { topAbs = Math.abs(r); top = j; }
    }
    for (let j = 0; j < p; j++) shares[j] = cur > 0 ? shares[j] / cur : 1 / p;
    return { score, error: Math.sqrt(sse / width), top, topResidual: z[top] - rec[top], shares };
  };
  const standardise = (row: number[]) => {
    const x = lag.push(row);
    for (let j = 0; j < width; j++) z[j] = (x[j] - scaler.mean[j]) / scaler.scale[j];
  };
  if (model.kind === 'pca') {
    const core = { components: model.params.components, eigenvalues: model.params.eigenvalues };
    return {
      score(row) {
        standardise(row);
        const s = pcaStats(core, z, rec);
        return finish(Math.max(s.t2 / model.params.t2Limit, s.q / model.params.qLimit));
      },
    };
  }
  return {
    score(row) {
      standardise(row);
      const e = msetError(model.params.memory, model.params.bandwidth, z, rec);
      return finish(e / model.params.limit);
    },
  };
}
