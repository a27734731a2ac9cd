// The demo plant: lines of pump units on ISA-95 paths
// `<prefix>.line<L>.cell1.pump<P>.<point>`, each with a flow setpoint that steps, a pump
// that trips and restarts, flow / pressure / temperature sensors and a totalizer.
// Same seed and options, same samples: tests and benchmarks depend on that.
import { GOOD, type Sample } from '../model';
import { Prng } from './prng';
import { Sensor, type SensorSpec } from './sensor';

export interface PlantOptions {
  seed?: number;
  /** enterprise.site.area, e.g. "acme.izmir.plant1" */
  prefix?: string;
  lines?: number;
  pumpsPerLine?: number;
  /** total samples per second over all tags (0.1 … 200,000) */
  rate?: number;
  /** epoch ms of the first tick */
  start?: number;
  /** probability per sensor reading that a sensor fault starts */
  faultRate?: number;
}

export interface TagInfo {
  tag: string;
  unit: string;
  low: number;
  high: number;
  resolution: number;
  type: 'number' | 'boolean';
  description: string;
}

export const MIN_RATE = 0.1;
export const MAX_RATE = 200_000;

const FLOW: Omit<SensorSpec, 'point'> = { unit: 'm3/h', low: 0, high: 120, resolution: 0.1, reversion: 0.15, noise: 0.8 };
const PRESSURE: Omit<SensorSpec, 'point'> = { unit: 'bar', low: 0, high: 10, resolution: 0.01, reversion: 0.3, noise: 0.05 };
const TEMPERATURE: Omit<SensorSpec, 'point'> = { unit: '°C', low: 0, high: 100, resolution: 0.1, reversion: 0.01, noise: 0.1 };
const SETPOINTS = [40, 45, 50, 55, 60, 65, 70, 75, 80];

interface Unit {
  path: string;
  sp: number;
  running: boolean;
  offTicks: number;
  total: number;
  flow: Sensor;
  pressure: Sensor;
  temperature: Sensor;
}

export class PlantSimulator {
  readonly tags: TagInfo[] = [];
  readonly rate: number;
  /** simulated milliseconds between two ticks (one sample per tag each tick) */
  readonly tickMs: number;
  private readonly rng: Prng;
  private readonly units: Unit[] = [];
  private readonly faultRate: number;
  private tickNo = 0;
  private pending: Sample[] = [];
  private pendingPos = 0;
  readonly start: number;

  constructor(opts: PlantOptions = {}) {
    const seed = opts.seed ?? 1;
    const prefix = opts.prefix ?? 'acme.izmir.plant1';
    const lines = opts.lines ?? 2;
    const pumps = opts.pumpsPerLine ?? 3;
    const rate = opts.rate ?? 10;
    if (!Number.isInteger(seed)) throw new Error('seed: must be an integer');
    if (!Number.isInteger(lines) || lines < 1 || lines > 1000) throw new Error('lines: must be an integer 1..1000');
    if (!Number.isInteger(pumps) || pumps < 1 || pumps > 1000) throw new Error('pumpsPerLine: must be an integer 1..1000');
    if (!(rate >= MIN_RATE && rate <= MAX_RATE)) throw new Error(`rate: must be between ${MIN_RATE} and ${MAX_RATE} samples/s`);
    const faultRate = opts.faultRate ?? 0.0005;
    if (!(faultRate >= 0 && faultRate <= 1)) throw new Error('faultRate: must be between 0 and 1');
    this.rng = new Prng(seed);
    this.faultRate = faultRate;
    this.rate = rate;
    this.start = opts.start ?? Date.now();
    for (let l = 1; l <= lines; l++) {
      for (let p = 1; p <= pumps; p++) {
        const path = `${prefix}.line${l}.cell1.pump${p}`;
        const sp = SETPOINTS[this.rng.int(0, SETPOINTS.length - 1)];
        const unit: Unit = {
          path, sp, running: true, offTicks: 0, total: this.rng.int(0, 100000),
          flow: new Sensor({ point: 'flow', ...FLOW }, sp),
          pressure: new Sensor({ point: 'pressure', ...PRESSURE }, 2 + sp * 0.04),
          temperature: new Sensor({ point: 'temperature', ...TEMPERATURE }, 45 + sp * 0.1),
        };
        this.units.push(unit);
        this.tags.push(
          { tag: `${path}.flow_sp`, unit: 'm3/h', low: 0, high: 120, resolution: 5, type: 'number', description: `Flow setpoint, line ${l} pump ${p}` },
          { tag: `${path}.running`, unit: '', low: 0, high: 1, resolution: 1, type: 'boolean', description: `Pump running, line ${l} pump ${p}` },
          { tag: `${path}.flow`, unit: FLOW.unit, low: FLOW.low, high: FLOW.high, resolution: FLOW.resolution, type: 'number', description: `Flow, line ${l} pump ${p}` },
          { tag: `${path}.pressure`, unit: PRESSURE.unit, low: PRESSURE.low, high: PRESSURE.high, resolution: PRESSURE.resolution, type: 'number', description: `Discharge pressure, line ${l} pump ${p}` },
          { tag: `${path}.temperature`, unit: TEMPERATURE.unit, low: TEMPERATURE.low, high: TEMPERATURE.high, resolution: TEMPERATURE.resolution, type: 'number', description: `Bearing temperature, line ${l} pump ${p}` },
          { tag: `${path}.total`, unit: 'm3', low: 0, high: 1e9, resolution: 0.01, type: 'number', description: `Flow totalizer, line ${l} pump ${p}` },
        );
      }
    }
    this.tickMs = (this.tags.length * 1000) / rate;
  }

  /** Timestamp of the next sample to be produced. */
  get nextTs(): number {
    if (this.pendingPos < this.pending.length) return this.pending[this.pendingPos].ts;
    return Math.round(this.start + this.tickNo * this.tickMs);
  }

  /** Produces one sample per tag at the next tick. */
  tick(): Sample[] {
    const ts = Math.round(this.start + this.tickNo * this.tickMs);
    const dtS = this.tickMs / 1000;
    this.tickNo++;
    const out: Sample[] = [];
    const rng = this.rng;
    for (const u of this.units) {
      if (rng.next() < 0.002 * dtS) u.sp = SETPOINTS[rng.int(0, SETPOINTS.length - 1)];
      if (u.running && rng.next() < 0.0005 * dtS) { u.running = false; u.offTicks = Math.max(1, Math.round(rng.int(30, 300) / dtS)); }
      else if (!u.running && --u.offTicks <= 0) u.running = true;
      const flow = u.flow.step(rng, u.running ? u.sp : 0, dtS, this.faultRate);
      const pressure = u.pressure.step(rng, u.running ? 2 + flow.value * 0.04 : 0.3, dtS, this.faultRate);
      const temperature = u.temperature.step(rng, u.running ? 45 + flow.value * 0.1 : 25, dtS, this.faultRate);
      u.total = Number((u.total + (flow.value * dtS) / 3600).toFixed(2));
      out.push(
        { tag: `${u.path}.flow_sp`, ts, value: u.sp, quality: GOOD },
        { tag: `${u.path}.running`, ts, value: u.running ? 1 : 0, quality: GOOD },
        { tag: `${u.path}.flow`, ts, value: flow.value, quality: flow.quality },
        { tag: `${u.path}.pressure`, ts, value: pressure.value, quality: pressure.quality },
        { tag: `${u.path}.temperature`, ts, value: temperature.value, quality: temperature.quality },
        { tag: `${u.path}.total`, ts, value: u.total, quality: GOOD },
      );
    }
    return out;
  }

  /** The next `count` samples, in tick order (a tick may be split across calls). */
  next(count: number): Sample[] {
    const out: Sample[] = [];
    while (out.length < count) {
      if (this.pendingPos >= this.pending.length) {
        this.pending = this.tick();
        this.pendingPos = 0;
      }
      const take = Math.min(count - out.length, this.pending.length - this.pendingPos);
      for (let i = 0; i < take; i++) out.push(this.pending[this.pendingPos + i]);
      this.pendingPos += take;
    }
    return out;
  }

  /** All samples due up to and including time `now` (for real-time pacing), at most `max`. */
  until(now: number, max = Infinity): Sample[] {
    const out: Sample[] = [];
    while (out.length < max && this.nextTs <= now) {
      if (this.pendingPos >= this.pending.length) {
        this.pending = this.tick();
        this.pendingPos = 0;
      }
      const take = Math.min(max - out.length, this.pending.length - this.pendingPos);
      for (let i = 0; i < take; i++) out.push(this.pending[this.pendingPos + i]);
      this.pendingPos += take;
    }
    return out;
  }
}
