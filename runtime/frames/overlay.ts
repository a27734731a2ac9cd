// Overlay (golden-batch comparison): several frames' data of one tag on a common axis of
// time since each frame's start. Every frame is averaged into the same grid of buckets
// (bucket k covers [start + k·w, start + (k+1)·w)), so bucket k of one frame and bucket k
// of another are the same relative time and deviations are a subtraction, with no
// interpolation between unrelated time stamps.
import type { Frame } from './frame';
import { FrameError } from './frame';
import { frameWindow, type FrameDataReader } from './frame-data';

export const MAX_OVERLAY_FRAMES = 100;

export interface OverlayRequest {
  tag: string;
  frames: Frame[];
  /** about this many points per frame (buckets over the longest frame), default 1000 */
  points?: number;
  /** a frame (one of `frames` or another) whose curve the others are compared with */
  reference?: Frame | null;
  /** half-width of the band drawn around the reference, in the tag's unit */
  band?: number;
  /** relative span to show, default the longest frame */
  spanMs?: number;
}

export interface OverlaySeries {
  id: string;
  name: string;
  start: number;
  /** ms since the frame start, one per non-empty bucket (bucket start) */
  t: number[];
  /** average of the bucket */
  v: number[];
  /** v minus the reference in the same bucket (null where the reference has no data); only with a reference */
  deviation?: Array<number | null>;
  /** largest |deviation| */
  maxDeviation?: number | null;
}

export interface OverlayResult {
  tag: string;
  bucketMs: number;
  spanMs: number;
  frames: OverlaySeries[];
  reference: (OverlaySeries & { lo?: number[]; hi?: number[] }) | null;
  /** per bucket the lowest and highest value of the compared frames (without the reference) */
  envelope: { t: number[]; lo: number[]; hi: number[] };
}

/**
 * Bucket averages of one frame from its raw samples: an overlay's buckets are seconds wide
 * (an hour into 1000 points), far below any rollup, so the samples are read once and summed
 * straight into the grid, without the general per-bucket aggregator's extra statistics.
 */
async function bucketsOf(reader: FrameDataReader, tag: string, f: Frame, now: number, spanMs: number, bucketMs: number): Promise<OverlaySeries> {
  const w = frameWindow(f, now);
  const to = Math.min(w.to, f.start + spanMs);
  const s: OverlaySeries = { id: f.id, name: f.name, start: f.start, t: [], v: [] };
  if (to <= f.start) return s;
  const n = Math.ceil((to - f.start) / bucketMs);
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for await (const b of reader.raw({ tag, from: f.start, to })) {
    for (let i = 0; i < b.ts.length; i++) {
      const k = Math.floor((b.ts[i] - f.start) / bucketMs);
      sums[k] += b.values[i];
      counts[k]++;
    }
  }
  for (let k = 0; k < n; k++) if (counts[k]) { s.t.push(k * bucketMs); s.v.push(sums[k] / counts[k]); }
  return s;
}

export async function overlay(reader: FrameDataReader, req: OverlayRequest, now: number): Promise<OverlayResult> {
  if (req.frames.length === 0) throw new FrameError('ids', 'give at least one frame');
  if (req.frames.length > MAX_OVERLAY_FRAMES) throw new FrameError('ids', `at most ${MAX_OVERLAY_FRAMES} frames`);
  const points = req.points ?? 1000;
  if (!Number.isInteger(points) || points < 2 || points > 100_000) throw new FrameError('points', 'must be an integer from 2 to 100,000');
  const all = req.reference ? [...req.frames, req.reference] : req.frames;
  const longest = Math.max(...all.map((f) => frameWindow(f, now).to - f.start));
  const spanMs = req.spanMs ?? longest;
  if (!(spanMs > 0)) throw new FrameError('spanMs', 'must be positive');
  const bucketMs = Math.max(1, Math.ceil(spanMs / points));
  const ref = req.reference ? await bucketsOf(reader, req.tag, req.reference, now, spanMs, bucketMs) : null;
  const refAt = new Map<number, number>();
  if (ref) ref.t.forEach((t, i) => refAt.set(t, ref.v[i]));
  const frames: OverlaySeries[] = [];
  const lo = new Map<number, number>();
  const hi = new Map<number, number>();
  for (const f of req.frames) {
    const s = await bucketsOf(reader, req.tag, f, now, spanMs, bucketMs);
    if (ref) {
      let worst: number | null = null;
      s.deviation = s.t.map((t, i) => {
        const r = refAt.get(t);
        if (r === undefined) return null;
        const d = s.v[i] - r;
        if (worst === null || Math.abs(d) > Math.abs(worst)) worst = d;
        return d;
      });
      s.maxDeviation = worst;
    }
    if (!ref || f.id !== ref.id) {
      s.t.forEach((t, i) => {
        const v = s.v[i];
        lo.set(t, Math.min(lo.get(t) ?? Infinity, v));
        hi.set(t, Math.max(hi.get(t) ?? -Infinity, v));
      });
    }
    frames.push(s);
  }
  const et = [...lo.keys()].sort((a, b) => a - b);
  const reference = ref && req.band !== undefined ? { ...ref, lo: ref.v.map((v) => v - req.band!), hi: ref.v.map((v) => v + req.band!) } : ref;
  return {
    tag: req.tag, bucketMs, spanMs, frames, reference,
    envelope: { t: et, lo: et.map((t) => lo.get(t)!), hi: et.map((t) => hi.get(t)!) },
  };
}
