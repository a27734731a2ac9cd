// The demo plant: lines of pump units on ISA-95 paths
// `<prefix>.line<L>.cell1.pump<P>.<point>`, each with a flow setpoint that steps, a pump
// that trips and restarts, flow / pressure / temperature sensors, a totalizer and an
// hour meter. With `story` on, the plant also tells an operating story (story.ts):
// cooling upsets that push a bearing temperature past its HI limit, trips that need a
// reset, setpoint changes an operator makes. Same seed and options, same samples: tests
// and benchmarks depend on that.
import { GOOD, QUALITY_CODES, type Sample } from '../model';
import { Prng } from './prng';
import { Sensor, type SensorSpec } from './sensor';
import { Story, type PlantEvent, type StoryUnit } from './story';

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
  /** the operating story (trips with reset, cooling upsets, operator setpoint changes) */
  story?: boolean;
}

export interface TagInfo {
  tag: string;
  unit: string;
  low: number;
  high: number;
  resolution: number;
  type: 'number' | 'boolean';
  description: string;
  /** how a trend draws between samples: measured analogs linear, discretes and setpoints step */
  interpolation: 'linear' | 'step';
  /** names of the states of a discrete tag, index = value */
  states?: string[];
}

/** Counters that must never go backwards across restarts: tag → value. */
export type PlantCounters = Record<string, number>;

export const MIN_RATE = 0.1;
export const MAX_RATE = 200_000;

const FLOW: Omit<SensorSpec, 'point'> = { unit: 'm3/h', low: 0, high: 120, resolution: 0.1, reversion: 0.15, noise: 0.8 };
const PRESSURE: Omit<SensorSpec, 'point'> = { unit: 'bar', low: 0, high: 10, resolution: 0.01, reversion: 0.3, noise: 0.05 };
const TEMPERATURE: Omit<SensorSpec, 'point'> = { unit: '°C', low: 0, high: 100, resolution: 0.1, reversion: 0.01, noise: 0.1 };
const BAD_SENSOR_FAILURE = QUALITY_CODES.BAD_SENSOR_FAILURE;
const SETPOINTS = [40, 45, 50, 55, 60, 65, 70, 75, 80];
/**
 * Flow transmitters read zero below a low-flow cut-off (here 2 % of span, a usual default), so
 * a stopped pump's flow is 0, not noise around zero that dips below the span (−4.9 m3/h) and is
 * marked out of range for as long as the pump stands.
 */
const LOW_FLOW_CUTOFF = 0.02 * (FLOW.high - FLOW.low);
/** trips per pump per second without the story (the original load-generator behaviour) */
const PLAIN_TRIP_RATE = 0.0005;

interface Unit extends StoryUnit {
  path: string;
  /** the unit's tag names, made once: a sample per tag per tick shares them (and the store finds a tag's run by reference) */
  names: { flowSp: string; running: string; flow: string; pressure: string; temperature: string; total: string; trip: string; runHours: string };
  offTicks: number;
  total: number;
  hours: number;
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
  private readonly story: Story | null;
  private tickNo = 0;
  private pending: Sample[] = [];
  private pendingPos = 0;
  private events: PlantEvent[] = [];
  start: number;

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
    const story = opts.story === true;
    for (let l = 1; l <= lines; l++) {
      for (let p = 1; p <= pumps; p++) {
        const path = `${prefix}.line${l}.cell1.pump${p}`;
        const sp = SETPOINTS[this.rng.int(0, SETPOINTS.length - 1)];
        const unit: Unit = {
          path, names: {
            flowSp: `${path}.flow_sp`, running: `${path}.running`, flow: `${path}.flow`, pressure: `${path}.pressure`,
            temperature: `${path}.temperature`, total: `${path}.total`, trip: `${path}.trip`, runHours: `${path}.run_hours`,
          },
          sp, running: true, tripped: false, coolingLoss: 0, offTicks: 0, total: this.rng.int(0, 100000), hours: 0,
          flow: new Sensor({ point: 'flow', ...FLOW }, sp),
          pressure: new Sensor({ point: 'pressure', ...PRESSURE }, 2 + sp * 0.04),
          temperature: new Sensor({ point: 'temperature', ...TEMPERATURE }, 45 + sp * 0.1),
        };
        if (story) unit.hours = this.rng.int(2000, 30000);
        this.units.push(unit);
        const where = `line ${l} pump ${p}`;
        this.tags.push(
          { tag: unit.names.flowSp, unit: 'm3/h', low: 0, high: 120, resolution: 5, type: 'number', description: `Flow setpoint, ${where}`, interpolation: 'step' },
          { tag: unit.names.running, unit: '', low: 0, high: 1, resolution: 1, type: 'boolean', description: `Pump running, ${where}`, interpolation: 'step', states: ['stopped', 'running'] },
          { tag: unit.names.flow, unit: FLOW.unit, low: FLOW.low, high: FLOW.high, resolution: FLOW.resolution, type: 'number', description: `Flow, ${where}`, interpolation: 'linear' },
          { tag: unit.names.pressure, unit: PRESSURE.unit, low: PRESSURE.low, high: PRESSURE.high, resolution: PRESSURE.resolution, type: 'number', description: `Discharge pressure, ${where}`, interpolation: 'linear' },
          { tag: unit.names.temperature, unit: TEMPERATURE.unit, low: TEMPERATURE.low, high: TEMPERATURE.high, resolution: TEMPERATURE.resolution, type: 'number', description: `Bearing temperature, ${where}`, interpolation: 'linear' },
          { tag: unit.names.total, unit: 'm3', low: 0, high: 1e9, resolution: 0.01, type: 'number', description: `Flow totalizer, ${where}`, interpolation: 'linear' },
        );
        if (story) {
          this.tags.push(
            { tag: unit.names.trip, unit: '', low: 0, high: 1, resolution: 1, type: 'boolean', description: `Motor protection trip, ${where}`, interpolation: 'step', states: ['healthy', 'tripped'] },
            { tag: unit.names.runHours, unit: 'h', low: 0, high: 1e6, resolution: 0.001, type: 'number', description: `Hour meter (running time), ${where}`, interpolation: 'linear' },
          );
        }
      }
    }
    this.story = story ? new Story(seed) : null;
    this.tickMs = (this.tags.length * 1000) / rate;
  }

  /** Tags whose value only ever grows (totalizers, hour meters). */
  get counterTags(): string[] {
    return this.tags.filter((t) => t.tag.endsWith('.total') || t.tag.endsWith('.run_hours')).map((t) => t.tag);
  }

  /** Current counter values, to persist or hand to the next instance. */
  counters(): PlantCounters {
    const out: PlantCounters = {};
    for (const u of this.units) {
      out[u.names.total] = u.total;
      if (this.story) out[u.names.runHours] = u.hours;
    }
    return out;
  }

  /** Continues counters from earlier values (never lowers one). */
  resume(counters: PlantCounters): void {
    for (const u of this.units) {
      const t = counters[u.names.total];
      if (typeof t === 'number' && Number.isFinite(t) && t > u.total) u.total = t;
      const h = counters[u.names.runHours];
      if (typeof h === 'number' && Number.isFinite(h) && h > u.hours) u.hours = h;
    }
  }

  /** Restarts real-time pacing at `start` (after a backfill). */
  restartAt(start: number): void {
    this.start = start;
    this.tickNo = 0;
    this.pending = [];
    this.pendingPos = 0;
  }

  /** Starts a cooling upset on the unit with this index at `ts` (story only). */
  scheduleUpset(unitIndex: number, ts: number): void {
    const u = this.units[unitIndex];
    if (!u) throw new Error(`unitIndex: no pump unit ${unitIndex}`);
    this.story?.scheduleUpset(u.path, ts);
  }

  /** Operator-visible events since the last call (setpoint changes, trips, resets). */
  takeEvents(): PlantEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /** Timestamp of the next sample to be produced. */
  get nextTs(): number {
    if (this.pendingPos < this.pending.length) return this.pending[this.pendingPos].ts;
    return Math.round(this.start + this.tickNo * this.tickMs);
  }

  /** Produces one sample per tag at the next tick. */
  tick(): Sample[] {
    const ts = Math.round(this.start + this.tickNo * this.tickMs);
    this.tickNo++;
    return this.stepAt(ts, this.tickMs / 1000);
  }

  /** One sample per tag at `ts`, the process having advanced `dtS` seconds (history uses long steps). */
  stepAt(ts: number, dtS: number): Sample[] {
    const out: Sample[] = [];
    const rng = this.rng;
    const story = this.story;
    for (const u of this.units) {
      if (story) {
        story.advance(u, rng, ts, dtS, this.events);
      } else {
        if (rng.next() < 0.002 * dtS) u.sp = SETPOINTS[rng.int(0, SETPOINTS.length - 1)];
        if (u.running && rng.next() < PLAIN_TRIP_RATE * dtS) { u.running = false; u.offTicks = Math.max(1, Math.round(rng.int(30, 300) / dtS)); }
        else if (!u.running && --u.offTicks <= 0) u.running = true;
      }
      const flow = u.flow.step(rng, u.running ? u.sp : 0, dtS, this.faultRate);
      const pressure = u.pressure.step(rng, u.running ? 2 + flow.value * 0.04 : 0.3, dtS, this.faultRate);
      const temperature = u.temperature.step(rng, (u.running ? 45 + flow.value * 0.1 : 25) + u.coolingLoss, dtS, this.faultRate);
      // a faulty (frozen, BAD) reading stays as it is; the totalizer counts what the transmitter reads
      const flowRead = flow.quality !== BAD_SENSOR_FAILURE && flow.value < LOW_FLOW_CUTOFF ? { value: 0, quality: GOOD } : flow;
      u.total += (Math.max(0, flowRead.value) * dtS) / 3600;
      const n = u.names;
      out.push(
        { tag: n.flowSp, ts, value: u.sp, quality: GOOD },
        { tag: n.running, ts, value: u.running ? 1 : 0, quality: GOOD },
        { tag: n.flow, ts, value: flowRead.value, quality: flowRead.quality },
        { tag: n.pressure, ts, value: pressure.value, quality: pressure.quality },
        { tag: n.temperature, ts, value: temperature.value, quality: temperature.quality },
        { tag: n.total, ts, value: Math.floor(u.total * 100) / 100, quality: GOOD },
      );
      if (story) {
        if (u.running) u.hours += dtS / 3600;
        out.push(
          { tag: n.trip, ts, value: u.tripped ? 1 : 0, quality: GOOD },
          { tag: n.runHours, ts, value: Math.floor(u.hours * 1000) / 1000, quality: GOOD },
        );
      }
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
