// What the trend says a tag's value is at a time, and the statistics of the view. The
// cursor read-out never jumps to a neighbouring sample: a step tag holds its last value,
// a linear tag is interpolated between the samples around the cursor, and outside the
// samples (or across a gap much longer than the tag's usual spacing) it says "no data".
import { indexAt, type TagSeries } from './series-store';

export interface ValueAt { value: number | null; quality: string | null }

/** Typical spacing of a series' points (median of the gaps, robust to one outage). */
export function typicalGap(ts: number[]): number {
  if (ts.length < 2) return Infinity;
  const step = Math.max(1, Math.floor(ts.length / 200));
  const gaps: number[] = [];
  for (let i = step; i < ts.length; i += step) gaps.push((ts[i] - ts[i - step]) / step);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

export function valueAt(s: TagSeries, t: number, interpolation: string, gap = typicalGap(s.ts)): ValueAt {
  const i = indexAt(s.ts, t);
  if (i < 0) return { value: null, quality: null };
  const limit = Math.max(gap * 5, 1000);
  if (i === s.ts.length - 1) {
    return t - s.ts[i] <= limit ? { value: s.values[i], quality: s.quality[i] } : { value: null, quality: null };
  }
  if (s.ts[i + 1] - s.ts[i] > limit && t - s.ts[i] > limit) return { value: null, quality: null };
  if (interpolation === 'linear' && s.ts[i] !== t) {
    const f = (t - s.ts[i]) / (s.ts[i + 1] - s.ts[i]);
    const worse = s.quality[i] !== 'GOOD' ? s.quality[i] : s.quality[i + 1];
    return { value: s.values[i] + (s.values[i + 1] - s.values[i]) * f, quality: worse };
  }
  return { value: s.values[i], quality: s.quality[i] };
}

export interface ViewStats { min: number | null; max: number | null; avg: number | null; worst: string }

/**
 * Min, max and time-weighted average of the points in [from, to]. The points are min-max
 * buckets (about one pair per pixel), so the average weights each by the time it covers.
 */
export function viewStats(s: TagSeries, from: number, to: number, interpolation: string): ViewStats {
  let min = Infinity; let max = -Infinity; let area = 0; let dur = 0; let worst = 'GOOD';
  const start = Math.max(0, indexAt(s.ts, from));
  for (let i = start; i < s.ts.length && s.ts[i] <= to; i++) {
    const v = s.values[i];
    if (s.ts[i] >= from) { if (v < min) min = v; if (v > max) max = v; }
    const q = s.quality[i];
    if (s.ts[i] >= from && q !== 'GOOD' && (worst === 'GOOD' || (q.startsWith('BAD') && !worst.startsWith('BAD')))) worst = q;
    const a = Math.max(from, s.ts[i]);
    const b = Math.min(to, i + 1 < s.ts.length ? s.ts[i + 1] : Math.min(to, s.ts[i]));
    if (b > a) {
      const next = i + 1 < s.ts.length ? s.values[i + 1] : v;
      area += (interpolation === 'linear' ? (v + next) / 2 : v) * (b - a);
      dur += b - a;
    }
  }
  if (min === Infinity) return { min: null, max: null, avg: null, worst };
  return { min, max, avg: dur > 0 ? area / dur : (min + max) / 2, worst };
}
