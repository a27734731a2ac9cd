// Derived signals over stored history: align every input on a regular time grid and
// evaluate the expression at each grid point, as if it had run live at those instants.
import { GOOD, worstQuality } from '../model';
import type { CalcResult, CompiledExpression, InputSample } from './compiler';

export interface HistorySeries {
  /** ascending epoch ms */
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
  /** quality codes; GOOD when absent */
  quality?: ArrayLike<number>;
}

export interface TimeGrid {
  from: number;
  to: number;
  stepMs: number;
}

/** `step`: the previous sample's value holds; `linear`: interpolate between neighbours. */
export type Interpolation = 'step' | 'linear';

export interface HistoryResult {
  ts: number[];
  /** null where the result is not a finite number (quality is then BAD) */
  values: (number | null)[];
  quality: number[];
}

export const MAX_GRID_POINTS = 1_000_000;

class Cursor {
  i = -1;
  readonly cur: InputSample = { value: 0, ts: 0, quality: GOOD };

  constructor(readonly s: HistorySeries, private readonly linear: boolean) {}

  at(t: number): InputSample | undefined {
    const { ts, values, quality } = this.s;
    const n = ts.length;
    while (this.i + 1 < n && ts[this.i + 1] <= t) this.i++;
    const i = this.i;
    if (i < 0) return undefined;
    const cur = this.cur;
    const q0 = quality ? quality[i] : GOOD;
    // staleness is judged from the sample the value comes from, even when interpolated
    cur.ts = ts[i];
    if (this.linear && i + 1 < n && ts[i] < t) {
      const t0 = ts[i];
      const t1 = ts[i + 1];
      cur.value = values[i] + ((values[i + 1] - values[i]) * (t - t0)) / (t1 - t0);
      cur.quality = worstQuality(q0, quality ? quality[i + 1] : GOOD);
    } else {
      cur.value = values[i];
      cur.quality = q0;
    }
    return cur;
  }
}

function checkSeries(tag: string, s: HistorySeries): void {
  if (!s || typeof s !== 'object' || !s.ts || !s.values) throw new Error(`series "${tag}": needs ts and values arrays`);
  const n = s.ts.length;
  if (s.values.length !== n) throw new Error(`series "${tag}": values has ${s.values.length} entries, ts has ${n}`);
  if (s.quality && s.quality.length !== n) throw new Error(`series "${tag}": quality has ${s.quality.length} entries, ts has ${n}`);
  for (let i = 1; i < n; i++) {
    if (!(s.ts[i] >= s.ts[i - 1])) throw new Error(`series "${tag}": ts must be ascending (index ${i})`);
  }
}

/**
 * Evaluates `compiled` at from, from + stepMs, ... <= to. Window functions see one point
 * per grid step and start empty (a fresh copy of the expression is used, so a live
 * instance keeps its state). Inputs absent from `series` read as BAD_NO_DATA.
 */
export function evaluateOverHistory(
  compiled: CompiledExpression,
  series: ReadonlyMap<string, HistorySeries>,
  grid: TimeGrid,
  interpolation: Interpolation = 'step',
  maxPoints = MAX_GRID_POINTS,
): HistoryResult {
  const { from, to, stepMs } = grid ?? ({} as TimeGrid);
  if (!Number.isFinite(from)) throw new Error(`grid.from must be epoch milliseconds (got ${String(from)})`);
  if (!Number.isFinite(to) || to < from) throw new Error(`grid.to must be epoch milliseconds >= grid.from (got ${String(to)})`);
  if (!Number.isFinite(stepMs) || stepMs <= 0) throw new Error(`grid.stepMs must be a positive number (got ${String(stepMs)})`);
  const points = Math.floor((to - from) / stepMs) + 1;
  if (points > maxPoints) {
    throw new Error(`grid has ${points} points; the limit is ${maxPoints} (use a larger stepMs)`);
  }
  if (interpolation !== 'step' && interpolation !== 'linear') {
    throw new Error(`interpolation must be "step" or "linear" (got ${String(interpolation)})`);
  }
  const cursors = new Map<string, Cursor>();
  for (const tag of compiled.inputs) {
    const s = series.get(tag);
    if (s === undefined) continue;
    checkSeries(tag, s);
    cursors.set(tag, new Cursor(s, interpolation === 'linear'));
  }
  const expr = compiled.clone();
  const ctx = { now: 0, get: (tag: string) => cursors.get(tag)?.at(ctx.now) };
  const out: HistoryResult = { ts: new Array(points), values: new Array(points), quality: new Array(points) };
  for (let k = 0; k < points; k++) {
    const t = from + k * stepMs;
    ctx.now = t;
    const r: CalcResult = expr.evaluate(ctx);
    out.ts[k] = t;
    out.values[k] = r.value;
    out.quality[k] = r.quality;
  }
  return out;
}
