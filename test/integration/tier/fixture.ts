// Shared data for the tier tests: a store with weekly top-level blocks imported directly
// (as the bulk import API writes them), a fixed clock, and snapshots of query answers to
// compare before and after a move.
import { TsdbStore } from '../../../runtime/tsdb/store';
import type { Columns } from '../../../runtime/tsdb/types';

export const MIN = 60_000, H = 3_600_000, D = 24 * H, W = 7 * D;
/** a week boundary (weeks are aligned to the epoch) */
export const T0 = 2800 * W;
export const NOW = T0 + 60 * D;
export const TAGS = ['plant.a.flow', 'plant.a.temp', 'plant.b.level'];

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** One series: a sample every `stepMs` from `start` for `n` samples. */
export function series(seed: number, start: number, n: number, stepMs: number, decimals = true): Columns {
  const r = prng(seed);
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  let v = 50;
  for (let i = 0; i < n; i++) {
    ts[i] = start + i * stepMs;
    v += r() - 0.5;
    values[i] = decimals ? Math.round(v * 100) / 100 : r() * 1e6 - 5e5;
    quality[i] = i % 997 === 0 ? 0x8000 : i % 331 === 0 ? 0x4001 : 0;
  }
  return { ts, values, quality };
}

export async function openStore(dir: string, extra: { retentionMs?: number; clock?: () => number } = {}): Promise<TsdbStore> {
  return TsdbStore.open({ dir, blockRangeMs: H, maintenanceIntervalMs: 0, clock: extra.clock ?? (() => NOW), retentionMs: extra.retentionMs });
}

/** `weeks` old weekly blocks of every tag at 1/min, plus one recent block that must stay. */
export async function seedWeeks(store: TsdbStore, weeks: number): Promise<void> {
  for (let w = 0; w < weeks; w++) {
    await store.importBlock(TAGS.map((tag, k) => ({ tag, cols: series(w * 10 + k, T0 + w * W, W / MIN, MIN) })), 3);
  }
  await store.importBlock(TAGS.map((tag, k) => ({ tag, cols: series(900 + k, NOW - 2 * H, 120, MIN) })), 0);
}

/** A block big enough for a multipart upload (noisy values compress badly): about 6.5 MB. */
export async function seedBig(store: TsdbStore, week: number): Promise<void> {
  await store.importBlock([{ tag: 'plant.big.noise', cols: series(4242, T0 + week * W, 800_000, 500, false) }], 3);
}

export interface Snapshot { raw: Record<string, Array<[number, number, number]>>; agg: unknown; down: unknown }

/** Every sample of every tag, plus an aggregate and a downsampled view over everything. */
export async function snapshot(store: TsdbStore, tags = [...TAGS, 'plant.big.noise']): Promise<Snapshot> {
  const raw: Snapshot['raw'] = {};
  const agg: Record<string, unknown[]> = {};
  const down: Record<string, unknown> = {};
  for (const tag of tags) {
    const rows: Array<[number, number, number]> = [];
    for await (const b of store.raw({ tag, from: 0, to: NOW + D })) for (let i = 0; i < b.ts.length; i++) rows.push([b.ts[i], b.values[i], b.quality[i]]);
    raw[tag] = rows;
    const a: unknown[] = [];
    for await (const r of store.aggregate({ tag, from: T0, to: T0 + 8 * W, bucketMs: 6 * H })) a.push(...r);
    agg[tag] = a;
    down[tag] = await store.downsample({ tag, from: T0, to: T0 + 8 * W, points: 500 });
  }
  return { raw, agg, down };
}
