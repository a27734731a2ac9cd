// NAB scoring (Numenta Anomaly Benchmark, standard profile) of streaming detections.
// As NAB defines it: rows before the probationary period (15 % of the file, at most 750
// rows) are not scored; the first detection inside a labelled window earns
// tpWeight · σ(position) (earlier is better: position −1 at the window's start, 0 at its
// end, σ(x) = 2/(1 + e^{5x}) − 1); later detections in that window count nothing; a
// detection outside every window costs fpWeight · σ(distance past the previous window in
// window lengths), or the full fpWeight before the first window; a window without a
// detection costs fnWeight. The normalised score is 100·(raw − null)/(perfect − null),
// summed over files, where null never alarms and perfect detects at every window's start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAB_DIR } from './nab';

export const STANDARD_PROFILE = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };

export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

export function nabWindows(): Record<string, Array<[number, number]>> {
  const raw = JSON.parse(readFileSync(join(NAB_DIR, 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const out: Record<string, Array<[number, number]>> = {};
  const t = (s: string) => Date.parse(s.replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1') + 'Z');
  for (const [k, ws] of Object.entries(raw)) out[k] = ws.map(([a, b]) => [t(a), t(b)]);
  return out;
}

function scaledSigmoid(x: number): number {
  return x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1;
}

export interface NabFileScore {
  raw: number;
  perfect: number;
  nul: number;
  windows: number;
  hit: number;
  missed: number;
  /** detections outside every window, after the probationary period */
  falsePositives: number;
  /** scored days (after the probationary period) */
  days: number;
}

/** `alarms`: row indexes at which the detector raised an event (its rising edges). */
export function scoreNabFile(ts: ArrayLike<number>, alarms: number[], windows: Array<[number, number]>, profile = STANDARD_PROFILE): NabFileScore {
  const n = ts.length;
  const prob = probationRows(n);
  // windows as row index ranges [first, last]
  const idx = windows.map(([a, b]) => {
    let first = -1, last = -1;
    for (let i = 0; i < n; i++) if (ts[i] >= a && ts[i] <= b) { if (first < 0) first = i; last = i; }
    return [first, last] as [number, number];
  }).filter(([f]) => f >= 0);
  const best = idx.map(() => -Infinity);
  let raw = 0, fp = 0;
  for (const i of alarms) {
    if (i < prob) continue;
    const w = idx.findIndex(([f, l]) => i >= f && i <= l);
    if (w >= 0) {
      const [, l] = idx[w];
      const width = l - idx[w][0] + 1;
      best[w] = Math.max(best[w], scaledSigmoid(-(l - i + 1) / width) * profile.tpWeight);
      continue;
    }
    fp++;
    let prev = -1;
    idx.forEach(([, l], k) => { if (l < i && (prev < 0 || l > idx[prev][1])) prev = k; });
    if (prev < 0) raw -= profile.fpWeight;
    else {
      const width = idx[prev][1] - idx[prev][0] + 1;
      raw += profile.fpWeight * scaledSigmoid(Math.abs(i - idx[prev][1]) / Math.max(1, width - 1));
    }
  }
  let hit = 0;
  for (const b of best) {
    if (b === -Infinity) raw -= profile.fnWeight;
    else { raw += b; hit++; }
  }
  const perfect = idx.reduce((a, [f, l]) => a + scaledSigmoid(-(l - f + 1) / (l - f + 1)) * profile.tpWeight, 0);
  const nul = -idx.length * profile.fnWeight;
  const days = n > prob ? (ts[n - 1] - ts[prob]) / 86_400_000 : 0;
  return { raw, perfect, nul, windows: idx.length, hit, missed: idx.length - hit, falsePositives: fp, days };
}

export function normalisedScore(files: NabFileScore[]): number {
  const raw = files.reduce((a, f) => a + f.raw, 0);
  const perfect = files.reduce((a, f) => a + f.perfect, 0);
  const nul = files.reduce((a, f) => a + f.nul, 0);
  return perfect > nul ? (100 * (raw - nul)) / (perfect - nul) : 0;
}
