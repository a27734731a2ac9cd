// The data sets of the storage benchmarks (bench:tsdb, bench:peer), each a list of series
// (sorted columns per tag). Real ones are read in place from ../shared/datasets; synthetic
// ones are seeded, so every run and every engine sees the same samples.
import { PlantSimulator } from '../../../runtime/sim';
import type { Columns } from '../../../runtime/tsdb/types';
import { readAllNab, nabTag } from './nab';
import { readSkab, SKAB_CHANNELS, skabAllFiles } from './skab';

export interface BenchSeries { tag: string; cols: Columns }
export interface Row { tag: string; ts: number; value: number; quality: number }

export interface DataSet {
  name: string;
  description: string;
  samples: number;
  /** series in tag order; big synthetic sets are produced lazily, one series at a time */
  series(): Iterable<BenchSeries>;
  /** every sample in time order (all tags of one time, then the next), as a collector sends them */
  rows(): Iterable<Row>;
}

/** Time order over materialised series (the real data sets are small enough). */
function* rowsOf(series: Iterable<BenchSeries>): Generator<Row> {
  const all = [...series];
  let n = 0;
  for (const s of all) n += s.cols.ts.length;
  const ts = new Float64Array(n), who = new Uint32Array(n), at = new Uint32Array(n);
  let k = 0;
  all.forEach((s, j) => { for (let i = 0; i < s.cols.ts.length; i++) { ts[k] = s.cols.ts[i]; who[k] = j; at[k] = i; k++; } });
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((x, y) => ts[x] - ts[y] || who[x] - who[y]);
  for (let q = 0; q < n; q++) {
    const i = idx[q], s = all[who[i]], c = s.cols;
    yield { tag: s.tag, ts: c.ts[at[i]], value: c.values[at[i]], quality: c.quality[at[i]] };
  }
}

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** mulberry32 */
export function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function columns(n: number): Columns {
  return { ts: new Float64Array(n), values: new Float64Array(n), quality: new Uint16Array(n) };
}

/** The demo plant of runtime/sim (2 lines × 3 pumps = 36 tags) for `days` at 1 s, ending at `end`. */
export function demoPlant(end: number, days = 1): DataSet {
  const ticks = days * 86_400;
  return {
    rows() { return rowsOf(this.series()); },
    name: 'plant', description: `demo plant, 36 tags × ${days} d at 1 s (runtime/sim)`, samples: 36 * ticks,
    *series() {
      const start = end - ticks * 1000;
      const sim = new PlantSimulator({ seed: 1, lines: 2, pumpsPerLine: 3, rate: 36, start });
      const byTag = new Map<string, Columns>();
      for (const t of sim.tags) byTag.set(t.tag, columns(ticks));
      const cols = [...byTag.values()];
      for (let i = 0; i < ticks; i++) {
        const tick = sim.tick();
        for (let k = 0; k < tick.length; k++) {
          const s = tick[k], c = cols[k];
          c.ts[i] = s.ts; c.values[i] = s.value; c.quality[i] = s.quality;
        }
      }
      for (const tag of [...byTag.keys()].sort()) yield { tag, cols: byTag.get(tag)! };
    },
  };
}

/** SKAB: every file × 8 channels at 1 s, one series per file and channel. */
export function skab(): DataSet {
  const files = skabAllFiles();
  let samples = 0;
  const load = () => files.map((f) => ({ f, data: readSkab(f) }));
  for (const { data } of load()) samples += data.ts.length * SKAB_CHANNELS.length;
  return {
    rows() { return rowsOf(this.series()); },
    name: 'skab', description: `SKAB, ${files.length} files × 8 channels at 1 s`, samples,
    *series() {
      const out: BenchSeries[] = [];
      for (const { f, data } of load()) {
        // a few files repeat a second; the first sample of a second is kept
        const keep: number[] = [];
        for (let i = 0; i < data.ts.length; i++) if (!keep.length || data.ts[i] > data.ts[keep[keep.length - 1]]) keep.push(i);
        for (const ch of SKAB_CHANNELS) {
          const c = columns(keep.length);
          keep.forEach((i, k) => { c.ts[k] = data.ts[i]; c.values[k] = data.channels[ch][i]; });
          out.push({ tag: `skab.${f.replace(/\.csv$/, '').replace(/[^A-Za-z0-9]/g, '_')}.${ch.replace(/[^A-Za-z0-9]/g, '_')}`, cols: c });
        }
      }
      out.sort((a, b) => (a.tag < b.tag ? -1 : 1));
      yield* out;
    },
  };
}

/** NAB: every CSV of ../shared/datasets/nab, as recorded (float-printing artefacts included). */
export function nab(): DataSet {
  const all = readAllNab();
  return {
    rows() { return rowsOf(this.series()); },
    name: 'nab', description: `NAB, ${all.length} series (mostly 5 min)`, samples: all.reduce((a, s) => a + s.ts.length, 0),
    *series() {
      for (const s of all.map((x) => ({ tag: nabTag(x.name), cols: { ts: x.ts, values: x.values, quality: new Uint16Array(x.ts.length) } })).sort((a, b) => (a.tag < b.tag ? -1 : 1))) yield s;
    },
  };
}

/**
 * A mean-reverting process tag printed at 2 decimals like a transmitter: level μ, noise σ
 * per sample, reversion θ, all drawn from the tag's own seed so tags can be stepped in
 * time order or one after the other with the same result.
 */
class ProcessTag {
  private readonly r: () => number;
  private readonly mu: number; private readonly sigma: number; private readonly theta: number;
  private x: number;
  constructor(seed: number) {
    this.r = rand(seed);
    this.mu = 10 + this.r() * 90; this.sigma = 0.01 + this.r() * 0.2; this.theta = 0.005 + this.r() * 0.05;
    this.x = this.mu;
  }
  next(): number {
    this.x += this.theta * (this.mu - this.x) + this.sigma * gauss(this.r);
    return Math.round(this.x * 100) / 100;
  }
}

/** `tags` tags at one sample per `stepMs` for `spanMs` ending at `end`, 2 decimals. */
export function steadyTags(name: string, description: string, tags: number, stepMs: number, spanMs: number, end: number, seed: number): DataSet {
  const n = Math.floor(spanMs / stepMs);
  const start = Math.floor((end - spanMs) / stepMs) * stepMs;
  const tagName = (k: number) => `${name}.area${k % 10}.tag${String(k).padStart(5, '0')}.pv`;
  return {
    name, description, samples: tags * n,
    *series() {
      for (let k = 0; k < tags; k++) {
        const p = new ProcessTag(seed * 100_003 + k);
        const c = columns(n);
        for (let i = 0; i < n; i++) { c.ts[i] = start + i * stepMs; c.values[i] = p.next(); }
        yield { tag: tagName(k), cols: c };
      }
    },
    *rows() {
      const ps = Array.from({ length: tags }, (_, k) => new ProcessTag(seed * 100_003 + k));
      const names = Array.from({ length: tags }, (_, k) => tagName(k));
      for (let i = 0; i < n; i++) {
        const ts = start + i * stepMs;
        for (let k = 0; k < tags; k++) yield { tag: names[k], ts, value: ps[k].next(), quality: 0 };
      }
    },
  };
}

/** A decade of 10 tags at one sample per minute. */
export function decade(end: number): DataSet {
  return steadyTags('decade', 'a decade of 10 tags at 1/min, 2 decimals', 10, MIN, 3652 * DAY, end, 10);
}

/** 1,000 slow tags: one sample per 5 min for 30 days, 2 decimals. */
export function slowTags(end: number, tags = 1000): DataSet {
  return steadyTags('slow', `${tags.toLocaleString('en-US')} slow tags, 1 per 5 min × 30 d, 2 decimals`, tags, 5 * MIN, 30 * DAY, end, 5);
}

/** Hourly tags over a year, 2 decimals. */
export function hourlyTags(end: number, tags = 200): DataSet {
  return steadyTags('hourly', `${tags} hourly tags × 1 y, 2 decimals`, tags, HOUR, 365 * DAY, end, 6);
}
