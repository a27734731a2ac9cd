// Digital-twin evaluation on SKAB (issue 10) with the benchmark's own protocol: for every
// valve1/*.csv and valve2/*.csv, fit on the first 400 rows, detect on the rest, pool the
// confusion counts of all test rows against the `anomaly` column; detection delay after the
// first `changepoint` row. Every threshold comes from the 400 training rows (or from the
// anomaly-free recording); no test label is used to set anything.
// Also: CPU cost of 1,000 models receiving 1 Hz input.
import { readSkab, skabExperimentFiles, SKAB_CHANNELS, type SkabFile } from './lib/skab';
import { metric, writeReport, type Metric } from './lib/report';
import { PooledScore, type DetectorScore } from './lib/twin-eval';
import {
  createDetector, fitArx, fitFopdt, fitHolt, fitMset, fitPca, fitRegression,
  type DetectorMethod, type TwinDetector, type TwinModel,
} from '../../runtime/twin';
import { stdDev } from '../../runtime/twin/stats';

const TRAIN = 400;
const TAGS = SKAB_CHANNELS.map((c) => `skab.${c.replace(/[^A-Za-z0-9]/g, '_')}`);

function trainingData(f: SkabFile) {
  const columns: Record<string, number[]> = {};
  SKAB_CHANNELS.forEach((c, j) => { columns[TAGS[j]] = f.channels[c].slice(0, TRAIN); });
  return { ts: f.ts.slice(0, TRAIN), columns };
}

function rowAt(f: SkabFile, i: number): { ts: number; values: Record<string, number> } {
  const values: Record<string, number> = {};
  SKAB_CHANNELS.forEach((c, j) => { values[TAGS[j]] = f.channels[c][i]; });
  return { ts: f.ts[i], values };
}

/**
 * Runs detectors over the whole file (the training rows warm their lag buffers and
 * smoothing up, as a detector running continuously would be) and returns test-row flags:
 * a row is flagged when any of the detectors is in the anomaly state.
 */
function flagsOf(f: SkabFile, detectors: TwinDetector[]): number[] {
  const flags: number[] = [];
  for (let i = 0; i < f.ts.length; i++) {
    const row = rowAt(f, i);
    let on = 0;
    for (const d of detectors) if (d.update(row).anomaly) on = 1;
    if (i >= TRAIN) flags.push(on);
  }
  return flags;
}

// Long-run spread of each channel in normal operation, from SKAB's anomaly-free recording:
// the scale floor of the group models (see runtime/twin/group-rows.ts).
function normalScaleFloor(): Record<string, number> {
  const free = readSkab('anomaly-free.csv');
  const floor: Record<string, number> = {};
  SKAB_CHANNELS.forEach((c, j) => { floor[TAGS[j]] = stdDev(free.channels[c]); });
  return floor;
}

type Build = (f: SkabFile) => TwinDetector[];

function main(): void {
  const t0 = Date.now();
  const files = skabExperimentFiles().map(readSkab);
  const floor = normalScaleFloor();

  const regressionBank = (method: DetectorMethod): Build => (f) => {
    const data = trainingData(f);
    return TAGS.map((t) => createDetector({
      model: fitRegression(data, { target: t, inputs: TAGS.filter((x) => x !== t) }),
      detector: { method, minDurationMs: 4000 },
    }));
  };
  const detectors: Record<string, Build> = {
    // The default: robust dynamic PCA (current row + 3 previous) fitted on the 400 rows of
    // the file alone (no scale floor from another recording), T² and Q limits at the kept
    // rows' 99th percentile, score = max(T²/limit, Q/limit) smoothed by an EWMA (λ = 0.1),
    // alarm when the smoothed score exceeds 2× its largest value over the kept rows for 4 s.
    default: (f) => [createDetector(fitPca(trainingData(f), { tags: TAGS, lags: 3, limitMargin: 2 }))],
    pca_t2q: (f) => [createDetector(fitPca(trainingData(f), { tags: TAGS, robust: false, limitMargin: 1 }))],
    pca_dynamic_floor_legacy: (f) => [createDetector(fitPca(trainingData(f), { tags: TAGS, lags: 3, scaleFloor: floor, robust: false, limitMargin: 1 }))],
    pca_t2q_floor: (f) => [createDetector(fitPca(trainingData(f), { tags: TAGS, scaleFloor: floor, robust: false, limitMargin: 1 }))],
    mset: (f) => [createDetector(fitMset(trainingData(f), { tags: TAGS }))],
    mset_floor: (f) => [createDetector(fitMset(trainingData(f), { tags: TAGS, scaleFloor: floor }))],
    ksigma: regressionBank('ksigma'),
    ewma: regressionBank('ewma'),
    cusum: regressionBank('cusum'),
  };

  const results: Record<string, DetectorScore> = {};
  for (const [name, build] of Object.entries(detectors)) {
    const score = new PooledScore();
    for (const f of files) score.addFile(flagsOf(f, build(f)), f.anomaly!.slice(TRAIN), f.changepoint!.slice(TRAIN), f.ts.slice(TRAIN));
    results[name] = score.result();
  }

  // Naive baseline: a fixed mean ± 3σ band per raw channel from the same 400 rows.
  const base = new PooledScore();
  for (const f of files) {
    const bands = SKAB_CHANNELS.map((c) => {
      const tr = f.channels[c].slice(0, TRAIN);
      const m = tr.reduce((a, b) => a + b, 0) / TRAIN;
      const s = stdDev(tr, m);
      return [m - 3 * s, m + 3 * s];
    });
    const flags: number[] = [];
    for (let i = TRAIN; i < f.ts.length; i++) {
      flags.push(SKAB_CHANNELS.some((c, j) => f.channels[c][i] < bands[j][0] || f.channels[c][i] > bands[j][1]) ? 1 : 0);
    }
    base.addFile(flags, f.anomaly!.slice(TRAIN), f.changepoint!.slice(TRAIN), f.ts.slice(TRAIN));
  }
  const baseline = base.result();

  for (const [name, r] of [...Object.entries(results), ['baseline', baseline] as const]) {
    console.log(`${name.padEnd(16)} P ${r.precision.toFixed(3)} R ${r.recall.toFixed(3)} F1 ${r.f1.toFixed(3)} delay ${r.delayS.toFixed(1)} s missed ${r.missed} ${JSON.stringify(r.confusion)}`);
  }

  const cpu = cpuFraction();
  const d = results.default;
  const fb = { name: 'fixed 3-sigma band per channel', value: baseline.f1 };
  const metrics: Metric[] = [
    metric('f1.default', d.f1, 'ratio', 'higher', 0.8, fb),
    metric('f1.baseline', baseline.f1, 'ratio', 'higher'),
    metric('precision.default', d.precision, 'ratio', 'higher', null, { name: 'fixed 3-sigma band per channel', value: baseline.precision }),
    metric('recall.default', d.recall, 'ratio', 'higher', null, { name: 'fixed 3-sigma band per channel', value: baseline.recall }),
    metric('delay_s.default', d.delayS, 's', 'lower', null, { name: 'fixed 3-sigma band per channel', value: baseline.delayS }),
    metric('cpu_fraction.1k_models_1hz', cpu.fraction, 'fraction of one core', 'lower', 0.05),
    metric('predictions_per_s.mixed_models', cpu.perSecond, 'predictions/s', 'higher'),
    metric('f1.pca_t2q_dynamic', d.f1, 'ratio', 'higher'),
  ];
  for (const [name, r] of Object.entries(results)) {
    if (name === 'default') continue;
    metrics.push(metric(`f1.${name}`, r.f1, 'ratio', 'higher', null, fb));
  }
  for (const [name, r] of Object.entries(results)) {
    if (name !== 'default') metrics.push(metric(`delay_s.${name}`, r.delayS, 's', 'lower'));
  }
  writeReport('twin', metrics);
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/**
 * 1,000 detectors (250 each of regression, ARX, FOPDT and Holt, trained on synthetic data)
 * each receive one input row per simulated second; CPU time per simulated second of input,
 * as a fraction of one core.
 */
function cpuFraction(): { fraction: number; perSecond: number } {
  const n = 600;
  const ts: number[] = [];
  const u1: number[] = [], u2: number[] = [], u3: number[] = [], y: number[] = [];
  let state = 0;
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff - 0.5; };
  for (let i = 0; i < n; i++) {
    ts.push(1_700_000_000_000 + i * 1000);
    u1.push(Math.sin(i / 30) + rnd()); u2.push(Math.cos(i / 17) + rnd()); u3.push(rnd());
    state = 0.9 * state + 0.1 * (2 * u1[Math.max(0, i - 2)]);
    y.push(state + 0.5 * u2[i] + 0.05 * rnd());
  }
  const data = { ts, columns: { u1, u2, u3, y } };
  const models: TwinModel[] = [
    fitRegression(data, { target: 'y', inputs: ['u1', 'u2', 'u3'] }),
    fitArx(data, { target: 'y', inputs: ['u1', 'u2'], targetLags: [1, 2], inputLags: [0, 1, 2] }),
    fitFopdt(data, { target: 'y', input: 'u1', maxDeadSteps: 5 }),
    fitHolt(data, { target: 'y', trend: true }),
  ];
  const detectors = Array.from({ length: 1000 }, (_, i) => createDetector({ model: models[i % 4], detector: { method: (['ksigma', 'ewma', 'cusum'] as const)[i % 3] } }));
  const rows = ts.map((t, i) => ({ ts: t, values: { u1: u1[i], u2: u2[i], u3: u3[i], y: y[i] } }));
  const warm = 30;
  for (let s = 0; s < warm; s++) for (const d of detectors) d.update(rows[s]);
  const seconds = 300;
  const c0 = process.cpuUsage();
  let predictions = 0;
  for (let s = warm; s < warm + seconds; s++) {
    const row = rows[s];
    for (const d of detectors) if (d.update(row).ready) predictions++;
  }
  const c1 = process.cpuUsage(c0);
  const cpuS = (c1.user + c1.system) / 1e6;
  return { fraction: cpuS / seconds, perSecond: predictions / cpuS };
}

main();
