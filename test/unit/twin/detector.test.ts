import { describe, expect, it } from 'vitest';
import { createDetector, fitMset, fitPca, fitRegression, type AnomalyEvent, type DetectorUpdate } from '../../../runtime/twin';
import { gauss, rng, times } from './synth';

const T0 = 1_700_000_000_000;

function plant(seed: number, n: number, t0 = T0) {
  const g = gauss(rng(seed));
  const flow = Array.from({ length: n }, (_, i) => 50 + 5 * Math.sin(i / 40) + g());
  const pressure = Array.from({ length: n }, (_, i) => 2 + 0.03 * flow[i] + 0.02 * g());
  const temp = flow.map((f, i) => 20 + 0.4 * f - 3 * pressure[i] + 0.1 * g());
  return { ts: times(n, t0), columns: { flow, pressure, temp } };
}

type Fault = (i: number) => number;

/** Streams n samples with a fault added to temp; returns every update. */
function stream(det: ReturnType<typeof createDetector>, seed: number, n: number, fault: Fault, t0 = T0): DetectorUpdate[] {
  const d = plant(seed, n, t0);
  const out: DetectorUpdate[] = [];
  for (let i = 0; i < n; i++) {
    out.push(det.update({ ts: d.ts[i], values: { flow: d.columns.flow[i], pressure: d.columns.pressure[i], temp: d.columns.temp[i] + fault(i) } }));
  }
  return out;
}

const events = (ups: DetectorUpdate[]) => ups.flatMap((u) => u.events);

describe('residual detectors on synthetic faults', () => {
  const model = fitRegression(plant(1, 1000), { target: 'temp', inputs: ['flow', 'pressure'] });

  it('k-sigma: a step fault starts an event after the minimum duration and ends when the residual returns', () => {
    const det = createDetector({ model, detector: { method: 'ksigma', threshold: 4, minDurationMs: 3000 } });
    const ups = stream(det, 2, 600, (i) => (i >= 300 && i < 400 ? 2 : 0));
    const ev = events(ups);
    expect(ev.map((e) => e.phase)).toEqual(['start', 'end']);
    const [s, e] = ev as [AnomalyEvent, AnomalyEvent];
    expect(s.start).toBe(T0 + 300_000);
    expect(ups.findIndex((u) => u.anomaly)).toBe(303); // condition held 3 s before raising
    expect(e.end).toBe(T0 + 400_000);
    expect(s.tag).toBe('temp');
    expect(s.residual).toBeCloseTo(2, 0);
    expect(s.score).toBeGreaterThan(4);
    for (const x of ev) { expect(x.confidence).toBeGreaterThan(0); expect(x.confidence).toBeLessThanOrEqual(1); }
    expect(ups.every((u) => u.confidence >= 0 && u.confidence <= 1)).toBe(true);
    // The band brackets the actual value when there is no fault.
    const normal = ups.slice(10, 300).filter((u) => u.actual! >= u.lo! && u.actual! <= u.hi!).length;
    expect(normal / 290).toBeGreaterThan(0.97);
  });

  it('a blip shorter than the minimum duration raises nothing', () => {
    const det = createDetector({ model, detector: { method: 'ksigma', threshold: 4, minDurationMs: 5000 } });
    expect(events(stream(det, 3, 400, (i) => (i >= 200 && i < 203 ? 5 : 0)))).toEqual([]);
    const eager = createDetector({ model, detector: { method: 'ksigma', threshold: 4, minDurationMs: 0 } });
    expect(events(stream(eager, 3, 400, (i) => (i >= 200 && i < 203 ? 5 : 0))).map((e) => e.phase)).toEqual(['start', 'end']);
  });

  it('EWMA and CUSUM catch a slow ramp that k-sigma only sees late', () => {
    const ramp: Fault = (i) => (i >= 200 ? (i - 200) * 0.004 : 0); // +0.4 (4σ) after 100 s
    const first = (method: 'ksigma' | 'ewma' | 'cusum') => {
      const ups = stream(createDetector({ model, detector: { method, minDurationMs: 2000 } }), 4, 500, ramp);
      return ups.findIndex((u) => u.anomaly);
    };
    const k = first('ksigma'), e = first('ewma'), c = first('cusum');
    for (const x of [e, c]) { expect(x).toBeGreaterThan(200); expect(x).toBeLessThan(k === -1 ? 500 : k); }
  });

  it('confidence falls when the model is less accurate than in validation, and is lower with less data', () => {
    const det = createDetector({ model, detector: { method: 'ksigma', threshold: 50 } });
    const before = stream(det, 5, 300, () => 0).at(-1)!.confidence;
    const noisy = gauss(rng(77));
    const after = stream(det, 6, 300, () => 0.3 * noisy(), T0 + 300_000).at(-1)!.confidence;
    expect(before).toBeGreaterThan(0.9);
    expect(after).toBeLessThan(before * 0.6);
    const small = fitRegression(plant(1, 60), { target: 'temp', inputs: ['flow', 'pressure'] });
    const fresh = createDetector(small);
    expect(fresh.confidence).toBeLessThan(0.4);
    expect(fresh.confidence).toBeGreaterThan(0);
  });

  it('waits for the target; bad-quality and non-finite inputs are handled', () => {
    const det = createDetector(model);
    expect(det.update({ tag: 'flow', ts: T0, value: 50, quality: 0 }).ready).toBe(false);
    expect(det.update({ tag: 'pressure', ts: T0, value: 3.5, quality: 0 }).ready).toBe(false);
    const u = det.update({ tag: 'temp', ts: T0, value: 29.5, quality: 0 });
    expect(u.ready).toBe(true);
    expect(u.predicted).toBeCloseTo(20 + 0.4 * 50 - 3 * 3.5, 0);
    // A BAD flow sample is ignored: the prediction keeps using flow = 50.
    det.update({ tag: 'flow', ts: T0 + 1000, value: 1e6, quality: 0x8000 });
    expect(det.update({ tag: 'temp', ts: T0 + 1000, value: 29.5, quality: 0 }).predicted).toBeCloseTo(u.predicted!, 6);
    expect(() => det.update({ tag: 'flow', ts: T0 + 2000, value: NaN, quality: 0 })).toThrow(/value: of flow must be a finite number/);
    expect(() => det.update([{ tag: 'temp', ts: T0 + 2000, value: Infinity, quality: 0 }])).toThrow(/\[0\]\.value/);
    expect(() => createDetector({ model, detector: { method: 'score' } })).toThrow(/detector\.method/);
    expect(() => createDetector({ model, detector: { method: 'ewma', lambda: 3 } })).toThrow(/detector\.lambda/);
  });
});

describe('multivariate detectors', () => {
  const train = plant(10, 800);
  const breakRelation: Fault = (i) => (i >= 300 && i < 420 ? -1.5 : 0); // temp off its relation to flow/pressure, within its normal range

  for (const [name, model] of [
    ['pca', fitPca(train, { tags: ['flow', 'pressure', 'temp'], lags: 1 })],
    ['mset', fitMset(train, { tags: ['flow', 'pressure', 'temp'] })],
  ] as const) {
    it(`${name}: flags a broken relation between tags and names the tag`, () => {
      const det = createDetector(model);
      expect(det.config.method).toBe('score');
      const ups = stream(det, 11, 600, breakRelation);
      const ev = events(ups);
      const starts = ev.filter((e) => e.phase === 'start');
      expect(starts.length).toBeGreaterThanOrEqual(1);
      expect(starts[0].start).toBeGreaterThanOrEqual(T0 + 300_000);
      expect(starts[0].start).toBeLessThan(T0 + 340_000);
      expect(starts[0].tag).toBe('temp');
      const flagged = ups.map((u) => (u.anomaly ? 1 : 0));
      const inFault = flagged.slice(300, 420).reduce((a: number, b) => a + b, 0);
      const outside = flagged.slice(0, 300).reduce((a: number, b) => a + b, 0) + flagged.slice(460).reduce((a: number, b) => a + b, 0);
      expect(inFault).toBeGreaterThan(80);
      expect(outside).toBeLessThan(15);
      expect(ev.at(-1)!.phase).toBe('end');
      for (const e of ev) { expect(e.confidence).toBeGreaterThanOrEqual(0); expect(e.confidence).toBeLessThanOrEqual(1); }
    });
  }

  it('evaluates a group once every tag has a fresh value', () => {
    const det = createDetector(fitPca(train, { tags: ['flow', 'pressure', 'temp'] }));
    expect(det.update({ tag: 'flow', ts: T0, value: 50, quality: 0 }).ready).toBe(false);
    expect(det.update({ tag: 'pressure', ts: T0, value: 3.5, quality: 0 }).ready).toBe(false);
    expect(det.update({ tag: 'temp', ts: T0, value: 29.5, quality: 0 }).ready).toBe(true);
    expect(det.update({ tag: 'temp', ts: T0 + 1000, value: 29.5, quality: 0 }).ready).toBe(false);
    expect(() => det.forecast(3)).toThrow(/single-target/);
  });
});
