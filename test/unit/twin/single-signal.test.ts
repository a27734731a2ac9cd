import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, fitHolt, parseModel, serializeModel, type DetectorUpdate } from '../../../runtime/twin';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { MAX_TRAINING_ROWS, TwinModelStore, trainFromStore, trainingGrid } from '../../../runtime/twin/model-store';
import { makeTempDir } from '../../helpers/tmp';
import { gauss, rng } from './synth';

const DAY = 86_400_000;
const STEP = 5 * 60_000;
const T0 = Date.UTC(2026, 0, 1);
const TAG = 'acme.site.area.line1.pump1.bearing_temp';

/** Machine temperature every 5 minutes: a daily cycle (±2 °C), a slow drift (+0.3 °C/day) and noise. */
function temperature(days: number, seed: number, fault?: (t: number) => number): { ts: number[]; v: number[] } {
  const g = gauss(rng(seed));
  const ts: number[] = [], v: number[] = [];
  for (let t = T0; t < T0 + days * DAY; t += STEP) {
    const day = (t - T0) / DAY;
    ts.push(t);
    v.push(60 + 0.3 * day + 2 * Math.sin(2 * Math.PI * day) + 0.2 * g() + (fault ? fault(t) : 0));
  }
  return { ts, v };
}

describe('single-signal training grid', () => {
  let store: TsdbStore;
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('twin-grid-');
    store = await TsdbStore.open({ dir: `${dir}/tsdb`, maintenanceIntervalMs: 0, outOfOrderWindowMs: 1e12 });
    const { ts, v } = temperature(60, 1);
    await store.write(ts.map((t, i) => ({ tag: TAG, ts: t, value: v[i], quality: 0 })));
  });
  afterAll(async () => { await store.close(); });

  it('trains 60 days of 5-minute data on the tag\'s own interval: one row per sample, daily profile found', async () => {
    const grid = await trainingGrid(store, [TAG], { from: T0, to: T0 + 60 * DAY });
    expect(grid).toEqual({ stepMs: STEP, nativeMs: STEP, decimated: false });
    const models = new TwinModelStore(`${dir}/models`);
    const m = await trainFromStore(store, models, 'bearing', { kind: 'holt', target: TAG }, { from: T0, to: T0 + 60 * DAY });
    expect(m.window.rows).toBe(60 * 288);
    if (m.kind !== 'holt') throw new Error('holt expected');
    expect(m.params.season?.periodMs).toBe(DAY);
    // the band is the noise (σ 0.2), not the daily swing (±2) nor the drift
    expect(m.residual.sigma).toBeLessThan(0.5);
    expect(models.list()[0].report?.warnings).toEqual([]);
  });

  it('a window with more grid rows than the bound is decimated, never refused, and the report says so', async () => {
    const models = new TwinModelStore(`${dir}/models`);
    // 60 days on an explicit 1 s grid would be 5.2 million rows
    const m = await trainFromStore(store, models, 'bearing-1s', { kind: 'holt', target: TAG }, { from: T0, to: T0 + 60 * DAY, stepMs: 1000 }, { overwrite: true });
    expect(m.window.rows).toBeLessThanOrEqual(MAX_TRAINING_ROWS);
    expect(m.window.rows).toBeGreaterThan(MAX_TRAINING_ROWS * 0.9);
    expect(m.report?.warnings.some((w) => /decimated to a 51840 ms grid/.test(w))).toBe(true);
  });
});

describe('single-signal default detector', () => {
  const starts = (ups: DetectorUpdate[]) => ups.filter((u) => u.events.some((e) => e.phase === 'start'));
  const run = (model: Parameters<typeof createDetector>[0], d: { ts: number[]; v: number[] }) => {
    const det = createDetector(model);
    return d.ts.map((t, i) => det.update({ tag: TAG, ts: t, value: d.v[i] }));
  };

  it('on a drifting temperature with a daily cycle: far fewer false alarms than the smoothed level with 3σ, and the fault is caught', () => {
    const train = temperature(3, 2);
    const robust = fitHolt({ ts: train.ts, columns: { [TAG]: train.v } }, { target: TAG });
    const plain = fitHolt({ ts: train.ts, columns: { [TAG]: train.v } }, { target: TAG, robust: false, season: 'off' });
    expect(robust.params.season).toBeDefined();
    // 30 days after training; a 2-hour +3 °C fault on day 20
    const faultAt = T0 + 20 * DAY + 0.3 * DAY;
    const live = temperature(33, 3, (t) => (t >= faultAt && t < faultAt + 2 * 3_600_000 ? 3 : 0));
    const after = { ts: live.ts.slice(3 * 288), v: live.v.slice(3 * 288) };
    const ups = run(robust, after);
    const falseStarts = starts(ups).filter((u) => u.ts < faultAt || u.ts > faultAt + 2 * 3_600_000);
    const days = 30;
    expect(falseStarts.length / days).toBeLessThanOrEqual(0.5);
    const caught = starts(ups).find((u) => u.ts >= faultAt && u.ts < faultAt + 2 * 3_600_000);
    expect(caught).toBeDefined();
    expect(caught!.ts - faultAt).toBeLessThanOrEqual(3 * STEP);
    const plainStarts = starts(run(plain, after)).filter((u) => u.ts < faultAt || u.ts > faultAt + 2 * 3_600_000);
    expect(plainStarts.length / days).toBeGreaterThan(1);
  });

  it('a seasonal model survives its model file and forecasts the daily cycle', () => {
    const train = temperature(4, 5);
    const model = fitHolt({ ts: train.ts, columns: { [TAG]: train.v } }, { target: TAG });
    const copy = parseModel(JSON.parse(serializeModel(model)));
    const a = createDetector(model), b = createDetector(copy);
    const next = temperature(5, 6);
    for (let i = 4 * 288; i < 4 * 288 + 100; i++) {
      const s = { tag: TAG, ts: next.ts[i], value: next.v[i] };
      expect(b.update(s).predicted).toBe(a.update(s).predicted);
    }
    // one day ahead: the forecast swings with the daily cycle (±2 °C), not flat
    const f = a.forecast(288).map((p) => p.predicted);
    expect(Math.max(...f) - Math.min(...f)).toBeGreaterThan(3);
  });

  it('hysteresis: an event ends only when the score falls below clearRatio × threshold', () => {
    const train = temperature(3, 4);
    // a slow level (alpha 0.02) so one deviating sample hardly moves the prediction
    const model = fitHolt({ ts: train.ts, columns: { [TAG]: train.v } }, { target: TAG, season: 'off', alpha: 0.02 });
    const sigma = model.residual.sigma;
    const det = createDetector({ model, detector: { method: 'ksigma', threshold: 5, clearRatio: 0.5, recordWindowMs: 0 } });
    const t = T0 + 3 * DAY;
    const level = det.update({ tag: TAG, ts: t, value: train.v[train.v.length - 1] }).predicted!;
    // 6σ opens, 4σ (between 2.5 and 5) keeps it open, 1σ closes it
    const seq = [6, 4, 4, 1].map((k, i) => det.update({ tag: TAG, ts: t + (i + 1) * STEP, value: level + model.residual.mean + k * sigma }));
    expect(seq.map((u) => u.anomaly)).toEqual([true, true, true, false]);
  });
});
