import { describe, expect, it } from 'vitest';
import {
  createDetector, fitArx, fitFopdt, fitHolt, fitMset, fitPca, fitRegression, parseModel, serializeModel,
  TwinModelError, type TwinModel,
} from '../../../runtime/twin';
import { gauss, rng, times } from './synth';

function data(n = 600) {
  const g = gauss(rng(11));
  const u = Array.from({ length: n }, (_, i) => Math.sin(i / 20) + 0.3 * g());
  const v = Array.from({ length: n }, () => g());
  const y = new Array<number>(n).fill(0);
  for (let t = 3; t < n; t++) y[t] = 0.8 * y[t - 1] + 0.5 * u[t - 2] + 0.2 * v[t] + 0.05 * g();
  return { ts: times(n), columns: { u, v, y } };
}

const models = (): TwinModel[] => {
  const d = data();
  return [
    fitRegression(d, { target: 'y', inputs: ['u', 'v'], name: 'reg' }),
    fitArx(d, { target: 'y', inputs: ['u', 'v'], targetLags: [1], inputLags: [0, 1, 2] }),
    fitFopdt(d, { target: 'y', input: 'u', maxDeadSteps: 5 }),
    fitHolt(d, { target: 'y', trend: true }),
    fitPca(d, { tags: ['u', 'v', 'y'], lags: 1 }),
    fitMset(d, { tags: ['u', 'v', 'y'], memorySize: 50 }),
  ];
};

describe('model file', () => {
  it('round-trips every kind through JSON and predicts identically after loading', () => {
    const d = data();
    for (const m of models()) {
      const text = serializeModel(m);
      const back = parseModel(text);
      expect(back).toEqual(m);
      const a = createDetector(m), b = createDetector(JSON.parse(text));
      for (let i = 0; i < 50; i++) {
        const row = { ts: d.ts[i], values: { u: d.columns.u[i], v: d.columns.v[i], y: d.columns.y[i] } };
        expect(b.update(row)).toEqual(a.update(row));
      }
    }
  });

  it('rejects malformed files naming the field', () => {
    const m = JSON.parse(serializeModel(models()[0]));
    const broken = (f: (x: any) => void) => { const c = structuredClone(m); f(c); return c; };
    expect(() => parseModel('{nope')).toThrow(/\$: not valid JSON/);
    expect(() => parseModel(broken((x) => { x.format = 'other'; }))).toThrow(/^format: must be "historian.twin.model"/);
    expect(() => parseModel(broken((x) => { x.version = 2; }))).toThrow(/version: unsupported model file version 2/);
    expect(() => parseModel(broken((x) => { x.kind = 'lstm'; }))).toThrow(/kind: must be one of/);
    expect(() => parseModel(broken((x) => { x.params.coefficients = [1]; }))).toThrow(/params\.coefficients: must have 2 entries/);
    expect(() => parseModel(broken((x) => { x.params.coefficients[1] = null; }))).toThrow(/params\.coefficients\[1\]: must be a finite number/);
    expect(() => parseModel(broken((x) => { x.params.scaler.scale[0] = 0; }))).toThrow(/params\.scaler\.scale\[0\]: must be > 0/);
    expect(() => parseModel(broken((x) => { delete x.residual; }))).toThrow(/residual: must be an object/);
    expect(() => parseModel(broken((x) => { x.validation.rmse = -1; }))).toThrow(/validation\.rmse: must be ≥ 0/);
    expect(() => parseModel(broken((x) => { x.detector = { method: 'magic' }; }))).toThrow(/detector\.method/);
    expect(() => parseModel(broken((x) => { x.inputs = ['u', 'y']; }))).toThrow(/inputs: must not contain the target/);
    const pca = JSON.parse(serializeModel(models()[4]));
    pca.params.components[0] = [1, 2];
    expect(() => parseModel(pca)).toThrow(/params\.components\.0: must have 6 entries/);
    expect(() => createDetector({ model: { format: 'historian.twin.model' } })).toThrow(TwinModelError);
  });
});
