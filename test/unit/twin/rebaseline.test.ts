import { describe, expect, it } from 'vitest';
import { createDetector, fitPca, fitRegression, type AdaptOptions, type DetectorUpdate, type TwinModel } from '../../../runtime/twin';
import { gauss, rng, times } from './synth';

const T0 = 1_700_000_000_000;

function plant(seed: number, n: number, shift: (i: number) => number = () => 0) {
  const g = gauss(rng(seed));
  const flow = Array.from({ length: n }, (_, i) => 50 + 5 * Math.sin(i / 40) + g());
  const pressure = Array.from({ length: n }, (_, i) => 2 + 0.03 * flow[i] + 0.02 * g());
  const temp = flow.map((f, i) => 20 + 0.4 * f - 3 * pressure[i] + 0.1 * g() + shift(i));
  return { ts: times(n, T0), columns: { flow, pressure, temp } };
}

function run(model: TwinModel, adapt: AdaptOptions, seed: number, n: number, shift: (i: number) => number, onStep?: (i: number, det: ReturnType<typeof createDetector>, u: DetectorUpdate) => void) {
  const det = createDetector({ model, detector: { method: 'ksigma', threshold: 5, minDurationMs: 0 }, adapt });
  const d = plant(seed, n, shift);
  const ups: DetectorUpdate[] = [];
  for (let i = 0; i < n; i++) {
    const u = det.update({ ts: d.ts[i], values: { flow: d.columns.flow[i], pressure: d.columns.pressure[i], temp: d.columns.temp[i] } });
    ups.push(u);
    onStep?.(i, det, u);
  }
  return { det, ups, starts: ups.flatMap((u) => u.events.filter((e) => e.phase === 'start')) };
}

describe('re-baselining', () => {
  const model = fitRegression(plant(1, 1000), { target: 'temp', inputs: ['flow', 'pressure'] });
  const newPoint = (i: number) => (i >= 300 ? 1.5 : 0); // the plant moved: +1.5 °C for good (15 σ)

  it('without it, a plant at a new operating point alarms for ever', () => {
    const { det, starts } = run(model, {}, 2, 900, newPoint);
    expect(starts.length).toBe(1);
    expect(det.anomaly).toBe(true);
    expect(det.confirmNewNormal(T0 + 900_000)).toBeNull();
  });

  it('an operator-confirmed new normal ends the alarm and stays quiet at the new point', () => {
    let ended: unknown = null;
    const { det, starts, ups } = run(model, { mode: 'confirm', window: 60 }, 2, 900, newPoint, (i, d) => {
      if (i === 420) ended = d.confirmNewNormal(T0 + i * 1000)?.ended ?? null;
    });
    expect(ended).toMatchObject({ phase: 'end', rebaselined: true, start: T0 + 300_000 });
    expect(starts.length).toBe(1);
    expect(det.anomaly).toBe(false);
    expect(det.baseline[0]).toBeCloseTo(1.5, 0);
    expect(ups.slice(421).every((u) => !u.anomaly)).toBe(true);
  });

  it('automatic: a slow drift is followed without alarms, a sudden fault still alarms and freezes the baseline', () => {
    const drift = (i: number) => (i >= 500 ? (i - 500) * 0.0005 : 0); // +1 °C (10 σ) over 2,000 s
    const fault = (i: number) => drift(i) + (i >= 2600 && i < 2700 ? 1 : 0);
    const off = run(model, {}, 3, 3000, drift);
    expect(off.starts.length).toBeGreaterThan(0); // unadapted, the drift alarms
    const trace: number[] = [];
    let startIdx = -1, endIdx = -1;
    const auto = run(model, { mode: 'auto', rate: 0.01 }, 3, 3000, fault, (i, d, u) => {
      trace.push(d.baseline[0]);
      for (const e of u.events) if (e.phase === 'start') startIdx = i; else endIdx = i;
    });
    expect(auto.starts.length).toBe(1);
    expect(auto.starts[0].start).toBeGreaterThanOrEqual(T0 + 2_600_000);
    expect(auto.starts[0].start).toBeLessThan(T0 + 2_605_000);
    // the baseline followed the drift (≈ 1.05 °C by then) and did not move during the fault
    expect(trace[startIdx]).toBeGreaterThan(0.9);
    expect(endIdx).toBeGreaterThan(startIdx);
    expect(new Set(trace.slice(startIdx, endIdx))).toEqual(new Set([trace[startIdx]]));
    // and adapts again once the fault is over
    expect(trace[2999]).not.toBe(trace[startIdx]);
  });

  it('group models re-baseline each tag', () => {
    const pca = fitPca(plant(5, 1000), { tags: ['flow', 'pressure', 'temp'] });
    // the window must span the normal variation (flow swings with a 251-sample period)
    const det = createDetector({ model: pca, adapt: { mode: 'confirm', window: 251 } });
    const d = plant(6, 1000, newPoint);
    let opened = false;
    for (let i = 0; i < 1000; i++) {
      const u = det.update({ ts: d.ts[i], values: { flow: d.columns.flow[i], pressure: d.columns.pressure[i], temp: d.columns.temp[i] } });
      if (u.anomaly) opened = true;
      if (i === 700) expect(det.confirmNewNormal(d.ts[i])?.ended?.rebaselined).toBe(true);
    }
    expect(opened).toBe(true);
    expect(det.anomaly).toBe(false);
    expect(det.baseline[2]).toBeGreaterThan(1);
    expect(Math.abs(det.baseline[0])).toBeLessThan(1.5);
  });
});
