// A naive in-memory model of the store for tests: last write wins per (tag, ts).
import type { Sample } from '../../../runtime/model';
import type { TsdbStore } from '../../../runtime/tsdb/store';

export class Reference {
  private data = new Map<string, Map<number, Sample>>();

  write(samples: Sample[]): void {
    for (const s of samples) {
      let m = this.data.get(s.tag);
      if (!m) this.data.set(s.tag, (m = new Map()));
      m.set(s.ts, s);
    }
  }

  series(tag: string, from = -Infinity, to = Infinity): Sample[] {
    return [...(this.data.get(tag)?.values() ?? [])].filter((s) => s.ts >= from && s.ts < to).sort((a, b) => a.ts - b.ts);
  }

  /** The aggregate definition of aggregate.ts, computed the slow way. */
  aggregate(tag: string, from: number, to: number, bucketMs: number) {
    const rows = [];
    const all = this.series(tag, from, to);
    for (let b = from; b < to; b += bucketMs) {
      const end = Math.min(b + bucketMs, to);
      const xs = all.filter((s) => s.ts >= b && s.ts < end);
      if (!xs.length) continue;
      let integral = 0;
      for (let i = 0; i < xs.length; i++) integral += xs[i].value * ((i + 1 < xs.length ? xs[i + 1].ts : end) - xs[i].ts);
      const sum = xs.reduce((a, s) => a + s.value, 0);
      rows.push({
        ts: b, count: xs.length, min: Math.min(...xs.map((s) => s.value)), max: Math.max(...xs.map((s) => s.value)), sum,
        avg: sum / xs.length, twa: integral / (end - xs[0].ts), first: xs[0].value, last: xs[xs.length - 1].value,
      });
    }
    return rows;
  }
}

export async function readAll(store: TsdbStore, tag: string, from = 0, to = 8e12, order: 'asc' | 'desc' = 'asc', limit?: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const b of store.raw({ tag, from, to, order, limit })) {
    for (let i = 0; i < b.ts.length; i++) out.push({ tag, ts: b.ts[i], value: b.values[i], quality: b.quality[i] });
  }
  return out;
}

export async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const rows of it) out.push(...rows);
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function memoryLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  return {
    lines,
    info: (msg: string) => { lines.push({ level: 'info', msg }); },
    warn: (msg: string) => { lines.push({ level: 'warn', msg }); },
    error: (msg: string) => { lines.push({ level: 'error', msg }); },
  };
}
