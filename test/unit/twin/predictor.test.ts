import { describe, expect, it } from 'vitest';
import { createPredictor, fitArx, fitHolt, fitRegression } from '../../../runtime/twin';
import { gauss, rng, times } from './synth';

describe('prediction and intervals', () => {
  const n = 3000;
  const g = gauss(rng(21));
  const x = Array.from({ length: n }, () => g());
  const y = x.map((v) => 3 * v + 1 + 0.5 * g());

  it('±3σ covers about 99.7% and quantile bands follow skewed residuals', () => {
    const m = fitRegression({ ts: times(n), columns: { x, y } }, { target: 'y', inputs: ['x'] });
    const p = createPredictor(m);
    const pt = p.interval(p.predict({ x: 2 })!);
    expect(pt.predicted).toBeCloseTo(7, 1);
    expect(pt.hi - pt.predicted).toBeCloseTo(1.5, 1);
    // Skewed noise: exponential residuals; the quantile band must be asymmetric.
    const e = rng(5);
    const ys = x.map((v) => 3 * v - Math.log(1 - e()));
    const ms = fitRegression({ columns: { x, ys } }, { target: 'ys', inputs: ['x'] });
    const q = createPredictor(ms, { method: 'quantile', coverage: 0.98 });
    const b = q.interval(0);
    expect(b.hi).toBeGreaterThan(2 * -b.lo);
    let inside = 0;
    const g2 = gauss(rng(99));
    for (let i = 0; i < 2000; i++) {
      const xv = g2(), yv = 3 * xv - Math.log(1 - e());
      const pi = q.interval(q.predict({ x: xv })!);
      if (yv >= pi.lo && yv <= pi.hi) inside++;
    }
    expect(inside / 2000).toBeGreaterThan(0.95);
    expect(inside / 2000).toBeLessThan(0.999);
  });

  it('ARX forecasts h steps ahead with widening bands', () => {
    const u = new Array<number>(n).fill(0).map((_, i) => (Math.floor(i / 100) % 2 ? 1 : 0));
    const yy = new Array<number>(n).fill(0);
    for (let t = 1; t < n; t++) yy[t] = 0.9 * yy[t - 1] + 0.5 * u[t] + 0.02 * g();
    const m = fitArx({ columns: { u, yy } }, { target: 'yy', inputs: ['u'], targetLags: [1], inputLags: [0] });
    const p = createPredictor(m);
    for (let t = 0; t < 200; t++) { const pr = p.predict({ u: 1 }); p.commit({ u: 1 }, t === 0 ? 0 : null, pr); }
    // Free-running with u = 1 converges on the steady state 0.5/(1-0.9) = 5.
    const f = p.forecast(50);
    expect(f).toHaveLength(50);
    expect(f[49].predicted).toBeCloseTo(5, 0);
    expect(f[49].hi - f[49].lo).toBeGreaterThan(f[0].hi - f[0].lo);
    expect(() => p.forecast(0)).toThrow(/h: must be an integer/);
  });

  it('Holt forecasts continue the trend', () => {
    const ramp = Array.from({ length: 400 }, (_, i) => 2 * i + 0.1 * g());
    const m = fitHolt({ columns: { ramp } }, { target: 'ramp', trend: true });
    const p = createPredictor(m);
    const f = p.forecast(10);
    const rise = f[9].predicted - f[0].predicted;
    expect(rise).toBeGreaterThan(17);
    expect(rise).toBeLessThan(19);
    expect(f[0].predicted).toBeCloseTo(800, -1);
  });
});
