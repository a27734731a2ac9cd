// Overlay (golden-batch comparison): several frames' data of one tag on a common axis of
// time since each frame's start. Every frame is averaged into the same grid of buckets
// (bucket k covers [start + k·w, start + (k+1)·w)), so bucket k of one frame and bucket k
// of another are the same relative time and deviations are a subtraction, with no
// interpolation between unrelated time stamps.
//
// The tag is one tag for every frame (a unit's batches), or a point name that each frame
// resolves among its own tags (`flow`: each pump's trip with that pump's `….flow`), so
// frames of like units are compared without picking one unit's tag for all of them.
import type { Frame } from './frame';
import { FrameError } from './frame';
import { frameWindow, type FrameDataReader } from './frame-data';

export const MAX_OVERLAY_FRAMES = 100;

export interface OverlayRequest {
  /** one tag for every frame; or, with `point`, left out */
  tag?: string;
  /** the last part of a tag path (`flow`): each frame's own tag ending in `.flow` */
  point?: string;
  frames: Frame[];
  /** about this many points per frame (buckets over the longest frame), default 1000 */
  points?: number;
  /** a frame (one of `frames` or another) whose curve the others are compared with */
  reference?: Frame | null;
  /** half-width of the band drawn around the reference, in the tag's unit */
  band?: number;
  /** relative span to show, default the longest frame */
  spanMs?: number;
  /** a tag's unit (the store's tag metadata), for the answer's `unit` */
  unitOf?: (tag: string) => string | undefined;
}

export interface OverlaySeries {
  id: string;
  name: string;
  /** the tag drawn for this frame */
  tag: string;
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
  /** the tag, or `*.<point>` for a point */
  tag: string;
  /** the unit every drawn tag has; null when they have none or differ */
  unit: string | null;
  bucketMs: number;
  spanMs: number;
  frames: OverlaySeries[];
  reference: (OverlaySeries & { lo?: number[]; hi?: number[] }) | null;
  /** per bucket the lowest and highest value of the compared frames (without the reference) */
  envelope: { t: number[]; lo: number[]; hi: number[] };
}

/** Bucket averages of one frame on the common grid: NaN where the frame has no sample. */
interface Grid { frame: Frame; avg: Float64Array }

/**
 * Bucket averages of one frame from its raw samples: an overlay's buckets are seconds wide
 * (an hour into 1000 points), far below any rollup, so the samples are read once and summed
 * straight into the grid, without the general per-bucket aggregator's extra statistics.
 * The grid is dense (one slot per bucket of the span), so comparing frames bucket by bucket
 * is array indexing rather than lookups by time.
 */
async function gridOf(reader: FrameDataReader, tag: string, f: Frame, now: number, spanMs: number, bucketMs: number, n: number): Promise<Grid> {
  const avg = new Float64Array(n).fill(NaN);
  const to = Math.min(frameWindow(f, now).to, f.start + spanMs);
  if (to <= f.start) return { frame: f, avg };
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for await (const b of reader.raw({ tag, from: f.start, to })) {
    const ts = b.ts, vs = b.values, start = f.start;
    for (let i = 0; i < ts.length; i++) {
      const k = Math.floor((ts[i] - start) / bucketMs);
      sums[k] += vs[i];
      counts[k]++;
    }
  }
  for (let k = 0; k < n; k++) if (counts[k]) avg[k] = sums[k] / counts[k];
  return { frame: f, avg };
}

function seriesOf(g: Grid, tag: string, bucketMs: number): OverlaySeries {
  const s: OverlaySeries = { id: g.frame.id, name: g.frame.name, tag, start: g.frame.start, t: [], v: [] };
  for (let k = 0; k < g.avg.length; k++) if (!Number.isNaN(g.avg[k])) { s.t.push(k * bucketMs); s.v.push(g.avg[k]); }
  return s;
}

/** The frame's own tag for a point name: the one of its tags whose last part it is. */
export function pointTag(f: Frame, point: string): string {
  const mine = f.tags.filter((t) => t.slice(t.lastIndexOf('.') + 1) === point);
  if (mine.length !== 1) {
    throw new FrameError('point', `frame "${f.name}" has ${mine.length === 0 ? 'no tag' : `${mine.length} tags`} ending in ".${point}"${mine.length ? `: ${mine.join(', ')}` : ''}; pick a tag instead`);
  }
  return mine[0];
}

/** The tag each frame of an overlay request is drawn with. */
export function overlayTags(req: Pick<OverlayRequest, 'tag' | 'point'>, frames: readonly Frame[]): string[] {
  if ((req.tag === undefined) === (req.point === undefined)) throw new FrameError('tag', 'give a tag, or a point name (point) that each frame has among its tags');
  return frames.map((f) => req.tag ?? pointTag(f, req.point!));
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
  const n = Math.ceil(spanMs / bucketMs);
  const tags = overlayTags(req, req.frames);
  const refTag = req.reference ? overlayTags(req, [req.reference])[0] : null;
  const refGrid = req.reference && refTag ? await gridOf(reader, refTag, req.reference, now, spanMs, bucketMs, n) : null;
  const ref = refGrid && refTag ? seriesOf(refGrid, refTag, bucketMs) : null;
  const frames: OverlaySeries[] = [];
  const lo = new Float64Array(n).fill(Infinity);
  const hi = new Float64Array(n).fill(-Infinity);
  for (const [i, f] of req.frames.entries()) {
    const g = await gridOf(reader, tags[i], f, now, spanMs, bucketMs, n);
    const s = seriesOf(g, tags[i], bucketMs);
    if (refGrid) {
      let worst: number | null = null;
      const dev: Array<number | null> = [];
      const a = g.avg, r = refGrid.avg;
      for (let k = 0; k < n; k++) {
        if (Number.isNaN(a[k])) continue;
        if (Number.isNaN(r[k])) { dev.push(null); continue; }
        const d = a[k] - r[k];
        if (worst === null || Math.abs(d) > Math.abs(worst)) worst = d;
        dev.push(d);
      }
      s.deviation = dev;
      s.maxDeviation = worst;
    }
    if (!ref || f.id !== ref.id) {
      const a = g.avg;
      for (let k = 0; k < n; k++) {
        const v = a[k];
        if (Number.isNaN(v)) continue;
        if (v < lo[k]) lo[k] = v;
        if (v > hi[k]) hi[k] = v;
      }
    }
    frames.push(s);
  }
  const envelope = { t: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let k = 0; k < n; k++) if (lo[k] !== Infinity) { envelope.t.push(k * bucketMs); envelope.lo.push(lo[k]); envelope.hi.push(hi[k]); }
  const reference = ref && req.band !== undefined ? { ...ref, lo: ref.v.map((v) => v - req.band!), hi: ref.v.map((v) => v + req.band!) } : ref;
  const units = new Set([...tags, ...(refTag ? [refTag] : [])].map((t) => req.unitOf?.(t) ?? ''));
  const unit = units.size === 1 ? [...units][0] || null : null;
  return { tag: req.tag ?? `*.${req.point}`, unit, bucketMs, spanMs, frames, reference, envelope };
}
