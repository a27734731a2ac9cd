// Rows for multivariate (group) models: the tags' current values, optionally followed by
// the previous `lags` rows ("dynamic" PCA/MSET), so a change in how signals move together
// over a few seconds shows, not only a change of level.
import { TwinFitError } from './errors';
import { fitScaler, type Scaler } from './scaler';
import { column, type TrainingData } from './training-data';

export interface GroupSpecBase {
  tags: string[];
  /** previous rows appended to each row; default 0 */
  lags?: number;
  /**
   * Minimum scale per tag, e.g. the long-run standard deviation of the tag in normal
   * operation. A short training window under-states the normal range of slow signals
   * (temperatures drift for hours), which would turn that drift into false alarms.
   */
  scaleFloor?: Record<string, number>;
  name?: string;
  validationFraction?: number;
}

export function checkGroupSpec(spec: GroupSpecBase): number {
  if (!Array.isArray(spec.tags) || spec.tags.length < 2) throw new TwinFitError('tags', 'a group model needs at least two tags');
  if (new Set(spec.tags).size !== spec.tags.length) throw new TwinFitError('tags', 'tags must be distinct');
  const lags = spec.lags ?? 0;
  if (!Number.isInteger(lags) || lags < 0 || lags > 60) throw new TwinFitError('lags', `must be an integer in 0..60 (got ${lags})`);
  for (const [t, v] of Object.entries(spec.scaleFloor ?? {})) {
    if (!spec.tags.includes(t)) throw new TwinFitError(`scaleFloor.${t}`, 'is not one of the group tags');
    if (!(v >= 0) || !Number.isFinite(v)) throw new TwinFitError(`scaleFloor.${t}`, `must be a finite number ≥ 0 (got ${v})`);
  }
  return lags;
}

/** Raw rows of the group's tags, in tag order. */
export function groupRows(data: TrainingData, tags: string[]): number[][] {
  const cols = tags.map((t) => column(data, t, `tags.${t}`));
  return cols[0].map((_, i) => cols.map((c) => c[i]));
}

/** Appends lagged copies; before enough history exists the oldest row stands in. */
export function laggedRows(rows: number[][], lags: number): number[][] {
  if (lags === 0) return rows;
  return rows.map((r, i) => {
    const out = r.slice();
    for (let l = 1; l <= lags; l++) out.push(...rows[Math.max(0, i - l)]);
    return out;
  });
}

export function fitGroupScaler(rows: number[][], spec: GroupSpecBase, lags: number): Scaler {
  const p = spec.tags.length;
  const names: string[] = [];
  const floor: number[] = [];
  for (let l = 0; l <= lags; l++) {
    for (const t of spec.tags) { names.push(t); floor.push(spec.scaleFloor?.[t] ?? 0); }
  }
  const cols = names.map((_, j) => rows.map((r) => r[j]));
  // A constant tag in a group is harmless (it only contributes when it moves): scale 1.
  const sc = fitScaler(cols, names, { floor, allowConstant: true });
  if (sc.mean.length !== p * (lags + 1)) throw new Error('internal: scaler width');
  return sc;
}

/** Streaming counterpart of laggedRows: keeps the last `lags` raw rows. */
export class LagBuffer {
  private readonly hist: number[][] = [];
  constructor(private readonly lags: number) {}
  push(row: number[]): number[] {
    if (this.lags === 0) return row;
    const out = row.slice();
    for (let l = 1; l <= this.lags; l++) {
      const h = this.hist.length >= l ? this.hist[this.hist.length - l] : this.hist[0] ?? row;
      for (const v of h) out.push(v);
    }
    this.hist.push(row);
    if (this.hist.length > this.lags) this.hist.shift();
    return out;
  }
}
