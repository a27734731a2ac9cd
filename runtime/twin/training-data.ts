// Training data: aligned columns of historian values over a normal-operation window, one
// row per timestamp (the caller resamples/aligns tags before fitting).
import { TwinFitError } from './errors';

export interface TrainingData {
  /** epoch ms per row, optional; used for the window and the sample period */
  ts?: ArrayLike<number>;
  columns: Record<string, ArrayLike<number>>;
}

export function rowCount(data: TrainingData): number {
  const names = Object.keys(data.columns);
  return data.ts ? data.ts.length : names.length ? data.columns[names[0]].length : 0;
}

/** Returns the named column as an array after checking presence, length and finiteness. */
export function column(data: TrainingData, name: string, field: string): number[] {
  const col = data.columns[name];
  if (!col) throw new TwinFitError(field, `no column "${name}" in the training data (have: ${Object.keys(data.columns).join(', ') || 'none'})`);
  const n = rowCount(data);
  if (col.length !== n) throw new TwinFitError(field, `column "${name}" has ${col.length} rows, expected ${n}`);
  const out = Array.from(col);
  for (let i = 0; i < out.length; i++) {
    if (typeof out[i] !== 'number' || !Number.isFinite(out[i])) throw new TwinFitError(field, `column "${name}" row ${i} is not a finite number (${String(out[i])})`);
  }
  return out;
}

export function trainingWindow(data: TrainingData): { from: number | null; to: number | null; rows: number } {
  const n = rowCount(data);
  if (data.ts && n > 0) return { from: data.ts[0], to: data.ts[n - 1], rows: n };
  return { from: null, to: null, rows: n };
}

/** Median spacing of the timestamps in seconds, or 1 when there are none. */
export function samplePeriodS(data: TrainingData): number {
  if (!data.ts || data.ts.length < 2) return 1;
  const d: number[] = [];
  for (let i = 1; i < data.ts.length; i++) d.push(data.ts[i] - data.ts[i - 1]);
  d.sort((a, b) => a - b);
  const med = d[d.length >> 1];
  if (!(med > 0)) throw new TwinFitError('ts', 'timestamps must increase');
  return med / 1000;
}

/** Rows held out at the end of the window for validation (time order is kept: no shuffling). */
export function validationRows(n: number, fraction: number): number {
  if (!(fraction >= 0 && fraction < 1)) throw new TwinFitError('validationFraction', `must be in [0, 1) (got ${fraction})`);
  return Math.floor(n * fraction);
}
