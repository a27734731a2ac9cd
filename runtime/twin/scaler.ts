// Standardisation of inputs: fitting on z-scores makes the ridge penalty treat every input
// alike and keeps the QR well scaled whatever the engineering units.
import { TwinFitError } from './errors';
import { mean, stdDev } from './stats';

export interface Scaler {
  mean: number[];
  scale: number[];
}

/**
 * Fits mean and scale per column. `floor` gives a minimum scale per column: a short
 * training window can under-state how much a slow signal wanders in normal operation,
 * so the caller may pass the long-run standard deviation seen in normal data.
 */
export function fitScaler(columns: number[][], names: string[], opts: { floor?: number[]; allowConstant?: boolean } = {}): Scaler {
  const m: number[] = [], s: number[] = [];
  columns.forEach((col, j) => {
    const mu = mean(col);
    let sd = stdDev(col, mu);
    const floor = opts.floor?.[j] ?? 0;
    if (!(sd > 1e-12 * Math.max(1, Math.abs(mu))) && !(floor > 0)) {
      if (!opts.allowConstant) throw new TwinFitError(`inputs.${names[j]}`, 'is constant over the training window; it carries no information (remove it or widen the window)');
      sd = 1;
    }
    m.push(mu);
    s.push(Math.max(sd, floor));
  });
  return { mean: m, scale: s };
}

export function scaleRow(sc: Scaler, row: ArrayLike<number>, out: number[] = new Array<number>(row.length)): number[] {
  for (let j = 0; j < row.length; j++) out[j] = (row[j] - sc.mean[j]) / sc.scale[j];
  return out;
}
