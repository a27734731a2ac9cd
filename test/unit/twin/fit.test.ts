import { describe, expect, it } from 'vitest';
import { fitArx, fitFopdt, fitHolt, fitRegression, TwinFitError } from '../../../runtime/twin';
import { leastSquares } from '../../../runtime/twin/linalg';
import { gauss, rng, times } from './synth';

describe('least squares (Householder QR)', () => {
  it('solves an exactly determined system and errors on rank deficiency without ridge', () => {
    expect(leastSquares([[2, 0], [0, 4], [1, 1]], [2, 8, 3])).toEqual([expect.closeTo(1, 10), expect.closeTo(2, 10)]);
    expect(() => leastSquares([[1, 2], [2, 4], [3, 6]], [1, 2, 3])).toThrow(/rank deficient/);
    const b = leastSquares([[1, 2], [2, 4], [3, 6]], [1, 2, 3], 1e-6);
    expect(b.every(Number.isFinite)).toBe(true);
  });
});

describe('regression fit', () => {
  const n = 2000;
  const g = gauss(rng(1));
  const x1 = Array.from({ length: n }, () => 10 + 3 * g());
  const x2 = Array.from({ length: n }, () => -5 + 0.5 * g());
  const x3 = Array.from({ length: n }, () => 1000 + 100 * g());
  const y = x1.map((_, i) => 4 + 2.5 * x1[i] - 7 * x2[i] + 0.01 * x3[i] + 0.1 * g());

  it('recovers known coefficients in engineering units and reports held-out metrics', () => {
    const m = fitRegression({ ts: times(n), columns: { x1, x2, x3, y } }, { target: 'y', inputs: ['x1', 'x2', 'x3'] });
    expect(m.params.rawCoefficients.x1).toBeCloseTo(2.5, 2);
    expect(m.params.rawCoefficients.x2).toBeCloseTo(-7, 1);
    expect(m.params.rawCoefficients.x3).toBeCloseTo(0.01, 3);
    expect(m.params.rawIntercept).toBeCloseTo(4, 0);
    expect(m.validation.rows).toBe(400);
    expect(m.validation.rmse).toBeGreaterThan(0.07);
    expect(m.validation.rmse).toBeLessThan(0.13);
    expect(m.validation.mae).toBeLessThan(m.validation.rmse);
    expect(m.validation.r2).toBeGreaterThan(0.999);
    expect(m.residual.sigma).toBeCloseTo(0.1, 1);
    expect(m.window).toEqual({ from: times(n)[0], to: times(n)[n - 1], rows: n });
  });

  it('keeps collinear inputs finite with the default ridge, and their sum right', () => {
    const x1b = x1.map((v) => 2 * v); // exactly collinear with x1
    const m = fitRegression({ columns: { x1, x1b, x2, y } }, { target: 'y', inputs: ['x1', 'x1b', 'x2'] });
    const c = m.params.rawCoefficients;
    expect(Object.values(c).every(Number.isFinite)).toBe(true);
    expect(c.x1 + 2 * c.x1b).toBeCloseTo(2.5, 1);
    expect(m.validation.r2).toBeGreaterThan(0.95);
  });

  it('names the reason when the fit is impossible', () => {
    const flat = new Array(n).fill(3);
    expect(() => fitRegression({ columns: { flat, y } }, { target: 'y', inputs: ['flat'] })).toThrow(/inputs\.flat: is constant/);
    expect(() => fitRegression({ columns: { x1: x1.slice(0, 2), y: y.slice(0, 2) } }, { target: 'y', inputs: ['x1'] })).toThrow(/rows: too few rows/);
    expect(() => fitRegression({ columns: { x1, y } }, { target: 'y', inputs: ['nope'] })).toThrow(/inputs\.nope: no column "nope"/);
    const bad = x1.slice(); bad[7] = NaN;
    expect(() => fitRegression({ columns: { bad, y } }, { target: 'y', inputs: ['bad'] })).toThrow(/row 7 is not a finite number/);
    expect(() => fitRegression({ columns: { x1, x1b: x1.map((v) => 2 * v), y } }, { target: 'y', inputs: ['x1', 'x1b'], ridge: 0 })).toThrow(TwinFitError);
    expect(() => fitRegression({ columns: { x1, y } }, { target: 'y', inputs: [] })).toThrow(/inputs: a regression needs at least one input/);
  });

  it('a constant target is fitted without NaN', () => {
    const c = new Array(n).fill(42);
    const m = fitRegression({ columns: { x1, c } }, { target: 'c', inputs: ['x1'] });
    expect(m.params.rawIntercept).toBeCloseTo(42, 6);
    expect(Number.isFinite(m.validation.r2)).toBe(true);
    expect(m.validation.rmse).toBeLessThan(1e-6);
  });
});

describe('ARX fit', () => {
  it('recovers autoregressive and input coefficients', () => {
    const n = 3000;
    const g = gauss(rng(2));
    const u = Array.from({ length: n }, () => g());
    const y = new Array<number>(n).fill(0);
    for (let t = 2; t < n; t++) y[t] = 0.6 * y[t - 1] - 0.2 * y[t - 2] + 1.5 * u[t - 1] + 0.3 * u[t] + 0.05 * g();
    const m = fitArx({ columns: { u, y } }, { target: 'y', inputs: ['u'], targetLags: [1, 2], inputLags: [0, 1] });
    const raw = m.params.coefficients.map((c, j) => c / m.params.scaler.scale[j]);
    expect(m.params.features).toEqual(['y[t-1]', 'y[t-2]', 'u[t-0]', 'u[t-1]']);
    expect(raw[0]).toBeCloseTo(0.6, 2);
    expect(raw[1]).toBeCloseTo(-0.2, 2);
    expect(raw[2]).toBeCloseTo(0.3, 2);
    expect(raw[3]).toBeCloseTo(1.5, 2);
    expect(m.validation.r2).toBeGreaterThan(0.99);
  });

  it('rejects bad lags with the field named', () => {
    const cols = { u: [1, 2, 3, 4, 5, 6, 7, 8], y: [1, 2, 3, 4, 5, 6, 7, 9] };
    expect(() => fitArx({ columns: cols }, { target: 'y', inputs: ['u'], targetLags: [0] })).toThrow(/targetLags: lags must be integers ≥ 1/);
    expect(() => fitArx({ columns: cols }, { target: 'y', inputs: ['u'], inputLags: [-1] })).toThrow(/inputLags/);
  });
});

describe('FOPDT fit', () => {
  it('recovers gain, time constant and dead time from a stepped input', () => {
    const n = 1500, dt = 1, K = 2.5, tau = 12, theta = 4;
    const g = gauss(rng(3));
    const u: number[] = [];
    let level = 0;
    for (let i = 0; i < n; i++) { if (i % 60 === 0) level = g() * 2; u.push(50 + level); }
    const a = Math.exp(-dt / tau);
    const y = new Array<number>(n).fill(20 + K * 50);
    for (let k = 0; k + 1 < n; k++) {
      const ud = u[Math.max(0, k - theta)];
      y[k + 1] = a * y[k] + (1 - a) * (20 + K * ud);
    }
    const yn = y.map((v) => v + 0.01 * g());
    const m = fitFopdt({ ts: times(n, 0, dt * 1000), columns: { u, y: yn } }, { target: 'y', input: 'u', maxDeadSteps: 10 });
    expect(m.params.gain).toBeCloseTo(K, 1);
    expect(m.params.timeConstantS).toBeGreaterThan(tau * 0.9);
    expect(m.params.timeConstantS).toBeLessThan(tau * 1.1);
    expect(m.params.deadTimeS).toBe(theta);
    expect(m.params.sampleS).toBe(1);
    expect(m.validation.r2).toBeGreaterThan(0.99);
  });

  it('errors when the input never moves', () => {
    const u = new Array(200).fill(1);
    const y = Array.from({ length: 200 }, (_, i) => Math.sin(i));
    expect(() => fitFopdt({ columns: { u, y } }, { target: 'y', input: 'u' })).toThrow(/inputs\.u: is constant/);
  });
});

describe('EWMA / Holt fit', () => {
  it('picks a trend model that follows a ramp and a small alpha for pure noise', () => {
    const g = gauss(rng(4));
    const ramp = Array.from({ length: 500 }, (_, i) => 3 + 0.5 * i + 0.05 * g());
    const h = fitHolt({ columns: { ramp } }, { target: 'ramp', trend: true });
    expect(h.params.slope).toBeCloseTo(0.5, 1);
    expect(h.validation.r2).toBeGreaterThan(0.99);
    const noise = Array.from({ length: 500 }, () => 10 + g());
    const e = fitHolt({ columns: { noise } }, { target: 'noise' });
    expect(e.params.alpha).toBeLessThanOrEqual(0.1);
    expect(e.params.trend).toBe(false);
    expect(() => fitHolt({ columns: { noise } }, { target: 'noise', alpha: 2 })).toThrow(/alpha: must be in \(0, 1\]/);
  });
});
