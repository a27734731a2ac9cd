import { describe, expect, it } from 'vitest';
import { createDetector, fitHolt, fitPca, type TwinModel } from '../../../runtime/twin';
import { gauss, rng, times } from './synth';

const T0 = 1_700_000_000_000;
const TAGS = ['flow', 'pressure', 'temp'];

/** Flow swings; pressure and temperature follow it. `fault(i)` adds to the temperature. */
function plant(seed: number, n: number, fault: (i: number) => number, t0 = T0) {
  const g = gauss(rng(seed));
  const flow = Array.from({ length: n }, (_, i) => 50 + 5 * Math.sin(i / 40) + g());
  const pressure = Array.from({ length: n }, (_, i) => 2 + 0.03 * flow[i] + 0.02 * g());
  const temp = flow.map((f, i) => 20 + 0.4 * f - 3 * pressure[i] + 0.1 * g() + fault(i));
  return { ts: times(n, t0), columns: { flow, pressure, temp } };
}

/** Event starts (as row indexes) when streaming `d` through a detector of `model`. */
function starts(model: TwinModel, d: ReturnType<typeof plant>): number[] {
  const det = createDetector(model);
  const out: number[] = [];
  for (let i = 0; i < d.ts.length; i++) {
    const u = det.update({ ts: d.ts[i], values: { flow: d.columns.flow[i], pressure: d.columns.pressure[i], temp: d.columns.temp[i] } });
    if (u.events.some((e) => e.phase === 'start')) out.push(i);
  }
  return out;
}

describe('a training window that already holds the fault', () => {
  // the fault (temperature 2 °C high, 20 σ of its noise, breaking its relation to flow) is
  // present in the first 150 of the 1,000 training rows
  const fault = (i: number) => (i < 150 ? 2 : 0);
  const train = plant(1, 1000, fault);

  it('PCA: the robust fit sets the faulty rows aside, warns, and still detects the fault later', () => {
    const robust = fitPca(train, { tags: TAGS, lags: 1 });
    expect(robust.report!.rejectedRows).toBeGreaterThanOrEqual(140);
    expect(robust.report!.warnings.join(' ')).toMatch(/contaminated/);
    // live: 600 normal rows, then the same fault for 200 rows
    const live = plant(2, 800, (i) => (i >= 600 ? 2 : 0), T0 + 2_000_000);
    const found = starts(robust, live);
    expect(found.filter((i) => i < 600)).toEqual([]);
    expect(found.find((i) => i >= 600)).toBeLessThan(620);
    // without the robust step the model learns the fault as normal and never flags it
    const naive = fitPca(train, { tags: TAGS, lags: 1, robust: false });
    expect(starts(naive, live).filter((i) => i >= 600)).toEqual([]);
  });

  it('single signal: the robust scale is not widened by an erratic sensor in the window', () => {
    const g = gauss(rng(3));
    const ts = times(2000, T0, 60_000);
    // rows 100-299: the sensor jumps about (noise ten times normal)
    const y = ts.map((_, i) => 70 + 0.3 * g() * (i >= 100 && i < 300 ? 10 : 1));
    const robust = fitHolt({ ts, columns: { y } }, { target: 'y' });
    expect(robust.residual.sigma).toBeLessThan(0.5);
    const det = createDetector(robust);
    const flags: boolean[] = [];
    for (let i = 0; i < 600; i++) flags.push(det.update({ tag: 'y', ts: T0 + 2000 * 60_000 + i * 60_000, value: 70 + 0.3 * g() + (i >= 400 ? 4 : 0) }).anomaly);
    expect(flags.slice(0, 400).some(Boolean)).toBe(false);
    expect(flags[400]).toBe(true);
  });
});
