// One simulated sensor: a mean-reverting random walk (Ornstein-Uhlenbeck) around a
// target, quantized to the instrument's resolution, with span-based quality and
// occasional sensor faults that freeze the reading and mark it BAD.
import { QUALITY_CODES } from '../model';
import type { Prng } from './prng';

export interface SensorSpec {
  point: string;
  unit: string;
  low: number;
  high: number;
  resolution: number;
  /** pull toward the target per second (1/time constant) */
  reversion: number;
  /** noise standard deviation per sqrt(second) */
  noise: number;
}

const UNCERTAIN_OOR = QUALITY_CODES.UNCERTAIN_OOR;
const BAD_SENSOR_FAILURE = QUALITY_CODES.BAD_SENSOR_FAILURE;
const GOOD = QUALITY_CODES.GOOD;

/** Fraction of the span next to each limit in which readings turn UNCERTAIN. */
export const NEAR_LIMIT = 0.02;

export class Sensor {
  value: number;
  private faultLeft = 0;
  private readonly decimals: number;

  constructor(readonly spec: SensorSpec, initial: number) {
    this.decimals = Math.max(0, Math.round(-Math.log10(spec.resolution)));
    this.value = initial;
  }

  quantize(v: number): number {
    const q = Math.round(v / this.spec.resolution) * this.spec.resolution;
    return Number(q.toFixed(this.decimals));
  }

  /** Advances dt seconds toward `target`; returns the reading and its quality code. */
  step(rng: Prng, target: number, dtS: number, faultRate: number): { value: number; quality: number } {
    const { reversion, noise, low, high } = this.spec;
    if (this.faultLeft > 0) {
      this.faultLeft--;
      return { value: this.quantize(this.value), quality: BAD_SENSOR_FAILURE };
    }
    if (faultRate > 0 && rng.next() < faultRate) {
      this.faultLeft = rng.int(5, 60);
      return { value: this.quantize(this.value), quality: BAD_SENSOR_FAILURE };
    }
    if (dtS <= 1) {
      const k = Math.min(1, reversion * dtS);
      this.value += k * (target - this.value) + noise * Math.sqrt(dtS) * rng.gaussian();
    } else {
      // long steps (history): the exact Ornstein-Uhlenbeck transition, so a one-minute step
      // keeps the spread a sensor really has instead of sqrt(60) times the per-second noise
      const decay = Math.exp(-reversion * dtS);
      const sd = noise * Math.sqrt((1 - decay * decay) / (2 * reversion));
      this.value = target + (this.value - target) * decay + sd * rng.gaussian();
    }
    // Physical limits of the process, slightly beyond the instrument span.
    const span = high - low;
    if (this.value < low - 0.05 * span) this.value = low - 0.05 * span;
    if (this.value > high + 0.05 * span) this.value = high + 0.05 * span;
    const reading = this.quantize(this.value);
    const margin = NEAR_LIMIT * span;
    const quality = reading <= low + margin || reading >= high - margin ? UNCERTAIN_OOR : GOOD;
    return { value: reading, quality };
  }
}
