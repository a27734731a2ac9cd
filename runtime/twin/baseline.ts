// Re-baselining: a plant that has moved to a new operating point should not alarm forever.
// The baseline is an offset per watched quantity — the residual of a single-target model, or
// each tag of a group model relative to its training mean — subtracted before scoring.
//  - 'confirm': the offset moves only when an operator confirms the new normal; it becomes
//    the mean deviation over the last `window` samples (typically taken during the alarm the
//    new state raised).
//  - 'auto': as 'confirm', and in addition every sample judged normal moves the offset
//    towards the current deviation by `rate` (an exponential average with a time constant of
//    1/rate samples: the default 1/3600 is about an hour at 1 Hz, a bit under two weeks at
//    5-minute sampling). A fault that develops slower than that would be absorbed: choose the
//    rate well below the speed of the faults that matter. Samples inside an event, or pending
//    one (over the threshold, waiting for the minimum duration), never move it.
import { TwinModelError } from './errors';

export interface AdaptOptions {
  mode?: 'off' | 'confirm' | 'auto';
  /** 'auto': weight of each normal sample in (0, 0.1]; default 1/3600 */
  rate?: number;
  /** samples averaged when a new normal is confirmed; default 60 */
  window?: number;
}

export interface ResolvedAdapt { mode: 'off' | 'confirm' | 'auto'; rate: number; window: number }

export function resolveAdapt(o: AdaptOptions = {}): ResolvedAdapt {
  const mode = o.mode ?? 'off';
  if (mode !== 'off' && mode !== 'confirm' && mode !== 'auto') throw new TwinModelError('adapt.mode', `must be "off", "confirm" or "auto" (got ${String(mode)})`);
  const rate = o.rate ?? 1 / 3600;
  if (!(rate > 0 && rate <= 0.1)) throw new TwinModelError('adapt.rate', `must be in (0, 0.1] (got ${rate})`);
  const window = o.window ?? 60;
  if (!Number.isInteger(window) || window < 1 || window > 100_000) throw new TwinModelError('adapt.window', `must be an integer in 1..100000 (got ${window})`);
  return { mode, rate, window };
}

export class Baseline {
  readonly offsets: Float64Array;
  private readonly recent: Float64Array;
  private count = 0;
  private pos = 0;

  constructor(readonly width: number, readonly opts: ResolvedAdapt) {
    this.offsets = new Float64Array(width);
    this.recent = new Float64Array(opts.mode === 'off' ? 0 : width * opts.window);
  }

  /** Records one sample's deviations (raw, before the offset); `normal` lets 'auto' adapt. */
  observe(dev: ArrayLike<number>, normal: boolean): void {
    if (this.opts.mode === 'off') return;
    this.recent.set(Array.from(dev), this.pos * this.width);
    this.pos = (this.pos + 1) % this.opts.window;
    this.count = Math.min(this.count + 1, this.opts.window);
    if (this.opts.mode === 'auto' && normal) {
      for (let j = 0; j < this.width; j++) this.offsets[j] += this.opts.rate * (dev[j] - this.offsets[j]);
    }
  }

  /** Makes the mean deviation of the recent samples the new normal; false when re-baselining is off or nothing was seen. */
  confirm(): boolean {
    if (this.opts.mode === 'off' || this.count === 0) return false;
    for (let j = 0; j < this.width; j++) {
      let s = 0;
      for (let k = 0; k < this.count; k++) s += this.recent[k * this.width + j];
      this.offsets[j] = s / this.count;
    }
    return true;
  }
}
