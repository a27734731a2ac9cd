// The data of a frame is the data of its tags over its window [start, end) — an open frame
// up to now. Everything here reads the store through its public queries, so long frames
// use chunk summaries and rollups exactly as trends do.
import type { TsdbStore } from '../tsdb';
import type { Frame } from './frame';
import { FrameError } from './frame';

/** The store queries frame data needs (a TsdbStore has them). */
export type FrameDataReader = Pick<TsdbStore, 'raw' | 'aggregate' | 'downsample'>;

export interface FrameWindow { from: number; to: number }

/** [start, end) of a frame; an open frame runs to `now`. A zero-length frame still holds its start instant. */
export function frameWindow(f: Pick<Frame, 'start' | 'end'>, now: number): FrameWindow {
  const to = f.end ?? Math.max(now, f.start);
  return { from: f.start, to: Math.max(to, f.start + 1) };
}

/** The tags a request asks about: the given ones, or the frame's own. */
export function tagsOf(f: Frame, tags?: readonly string[]): string[] {
  const out = tags && tags.length ? [...new Set(tags)] : f.tags;
  if (out.length === 0) throw new FrameError('tags', `frame "${f.id}" names no tags; give tags=a,b`);
  return out;
}

export interface FrameTagSummary {
  tag: string;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** time-weighted average (step interpolation) */
  twa: number | null;
  first: number | null;
  last: number | null;
}

export interface FrameSummary {
  id: string;
  from: number;
  to: number;
  durationMs: number;
  open: boolean;
  tags: FrameTagSummary[];
}

/** min/max/avg/twa/first/last per tag over the frame: one bucket as wide as the frame. */
export async function frameAggregates(reader: FrameDataReader, f: Frame, tags: readonly string[], now: number): Promise<FrameSummary> {
  const w = frameWindow(f, now);
  const out: FrameTagSummary[] = [];
  for (const tag of tags) {
    let row: FrameTagSummary = { tag, count: 0, min: null, max: null, avg: null, twa: null, first: null, last: null };
    for await (const rows of reader.aggregate({ tag, from: w.from, to: w.to, bucketMs: w.to - w.from })) {
      for (const r of rows) row = { tag, count: r.count, min: r.min, max: r.max, avg: r.avg, twa: r.twa, first: r.first, last: r.last };
    }
    out.push(row);
  }
  return { id: f.id, from: w.from, to: w.to, durationMs: (f.end ?? now) - f.start, open: f.end === null, tags: out };
}

export interface FrameSeries { tag: string; ts: number[]; values: number[]; quality?: number[] }

/** Raw samples of each tag in the frame window, at most `limit` per tag. */
export async function frameRaw(reader: FrameDataReader, f: Frame, tags: readonly string[], now: number, limit = 100_000): Promise<FrameSeries[]> {
  const w = frameWindow(f, now);
  const out: FrameSeries[] = [];
  for (const tag of tags) {
    const s: FrameSeries = { tag, ts: [], values: [], quality: [] };
    for await (const b of reader.raw({ tag, from: w.from, to: w.to, limit })) {
      for (let i = 0; i < b.ts.length; i++) { s.ts.push(b.ts[i]); s.values.push(b.values[i]); s.quality!.push(b.quality[i]); }
    }
    out.push(s);
  }
  return out;
}

/** About `points` points per tag (min-max), as a trend of the frame shows them. */
export async function frameDownsampled(reader: FrameDataReader, f: Frame, tags: readonly string[], now: number, points: number): Promise<FrameSeries[]> {
  const w = frameWindow(f, now);
  const out: FrameSeries[] = [];
  for (const tag of tags) {
    const p = await reader.downsample({ tag, from: w.from, to: w.to, points, mode: 'minmax' });
    out.push({ tag, ts: p.ts, values: p.values });
  }
  return out;
}
