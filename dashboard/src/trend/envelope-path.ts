// Drawing a series denser than the screen. uPlot already reduces such a series to a
// min/max zig-zag per pixel column, but stroking that zig-zag (thousands of short,
// overlapping segments with round joins, rasterised on the CPU in browsers without a GPU)
// costs tens of milliseconds a frame at 100k points. Per pixel column the line covers
// exactly the span between its lowest and highest sample (the segment joining two columns
// lies between their envelopes), so the same picture is one filled polygon: the column
// maxima left to right, the minima back, widened by half the pen width. A simple polygon
// of 2 vertices per column fills in well under a millisecond.
//
// Only the drawing changes: uPlot's data, the cursor read-out and the legend keep reading
// the exact samples.
import type uPlot from 'uplot';

/** Columns (device pixels) per point below which the ordinary stroked path is drawn. */
export const DENSE_POINTS_PER_COLUMN = 2;

export interface Envelope {
  /** x of each column (device px): its centre, or the sample's own x for a lone sample */
  x: Float64Array;
  /** highest and lowest value in each column */
  hi: Float64Array;
  lo: Float64Array;
  length: number;
  /** indexes where a new piece starts after a gap (a null sample: the historian was stopped) */
  breaks: number[];
}

/**
 * Min and max of the samples per pixel column over [i0, i1] (plus the neighbour on each
 * side, so the line enters and leaves the plot). `toPx` maps an x value to device px;
 * undefined samples (another series' x) are skipped, a null one ends a piece (a gap).
 */
export function columnEnvelope(xs: ArrayLike<number>, ys: ArrayLike<number | null | undefined>, i0: number, i1: number,
  toPx: (x: number) => number): Envelope {
  const from = Math.max(0, i0 - 1);
  const to = Math.min(xs.length - 1, i1 + 1);
  // at most one column per sample; grown when a wide plot needs more
  const x = new Float64Array(Math.max(16, Math.min(to - from + 1, 4096)));
  const hi = new Float64Array(x.length);
  const lo = new Float64Array(x.length);
  let n = 0; let col = NaN; let count = 0; let px0 = 0; let mn = 0; let mx = 0;
  let X: Float64Array<ArrayBuffer> = x; let H: Float64Array<ArrayBuffer> = hi; let L: Float64Array<ArrayBuffer> = lo;
  const breaks: number[] = [];
  const flush = () => {
    if (n === X.length) { X = grow(X); H = grow(H); L = grow(L); }
    X[n] = count === 1 ? px0 : col + 0.5; H[n] = mx; L[n] = mn; n++;
  };
  for (let i = from; i <= to; i++) {
    const y = ys[i];
    if (y === null) {
      if (count) flush();
      count = 0; col = NaN;
      if (n > 0 && breaks[breaks.length - 1] !== n) breaks.push(n);
      continue;
    }
    if (y === undefined || Number.isNaN(y)) continue;
    const px = toPx(xs[i]);
    const c = Math.floor(px);
    if (c !== col) {
      if (count) flush();
      col = c; mn = mx = y; count = 1; px0 = px;
    } else {
      if (y < mn) mn = y; else if (y > mx) mx = y;
      count++;
    }
  }
  if (count) flush();
  if (breaks[breaks.length - 1] === n) breaks.pop();
  return { x: X, hi: H, lo: L, length: n, breaks };
}

/**
 * Widens the envelope sideways by `radius` px: each column takes the extremes of its
 * neighbours that close, so a jump inside one column is as wide as the pen, not one
 * device pixel (on a phone's 2x screen a spike would otherwise be half a CSS pixel wide).
 */
export function widen(e: Envelope, radius: number): Envelope {
  if (radius <= 0 || e.length < 2) return e;
  // a column takes no extremes from across a gap
  const piece = new Int32Array(e.length);
  for (let j = 0, b = 0; j < e.length; j++) { while (b < e.breaks.length && e.breaks[b] <= j) b++; piece[j] = b; }
  const hi = new Float64Array(e.length);
  const lo = new Float64Array(e.length);
  for (let j = 0; j < e.length; j++) {
    let h = e.hi[j]; let l = e.lo[j];
    for (let k = j - 1; k >= 0 && piece[k] === piece[j] && e.x[j] - e.x[k] <= radius; k--) { if (e.hi[k] > h) h = e.hi[k]; if (e.lo[k] < l) l = e.lo[k]; }
    for (let k = j + 1; k < e.length && piece[k] === piece[j] && e.x[k] - e.x[j] <= radius; k++) { if (e.hi[k] > h) h = e.hi[k]; if (e.lo[k] < l) l = e.lo[k]; }
    hi[j] = h; lo[j] = l;
  }
  return { x: e.x, hi, lo, length: e.length, breaks: e.breaks };
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Wraps a path builder: where the window holds at least DENSE_POINTS_PER_COLUMN samples
 * per pixel column the series is drawn as its filled column envelope, else by `sparse`.
 */
export function envelopeWhenDense(sparse: uPlot.Series.PathBuilder): uPlot.Series.PathBuilder {
  return (u, si, i0, i1) => {
    const columns = Math.max(1, u.bbox.width);
    if (i1 - i0 + 1 < columns * DENSE_POINTS_PER_COLUMN) return sparse(u, si, i0, i1);
    const s = u.series[si];
    const sx = u.scales.x;
    if (sx.min == null || sx.max == null || sx.max <= sx.min) return sparse(u, si, i0, i1);
    const k = u.bbox.width / (sx.max - sx.min);
    const x0 = sx.min;
    const left = u.bbox.left;
    const half = ((s.width ?? 1) * devicePixelRatio) / 2;
    // a vertical run is one column wide; widened so it stays about as wide as the pen
    const env = widen(columnEnvelope(u.data[0], u.data[si], i0, i1, (v) => left + (v - x0) * k), Math.round(half - 0.5));
    const fill = new Path2D();
    const yPx = (v: number) => u.valToPos(v, s.scale!, true);
    // one polygon per piece between gaps
    const starts = [0, ...env.breaks, env.length];
    for (let p = 0; p + 1 < starts.length; p++) {
      const a = starts[p], b = starts[p + 1] - 1;
      if (b < a) continue;
      fill.moveTo(env.x[a], yPx(env.hi[a]) - half);
      for (let j = a + 1; j <= b; j++) fill.lineTo(env.x[j], yPx(env.hi[j]) - half);
      for (let j = b; j >= a; j--) fill.lineTo(env.x[j], yPx(env.lo[j]) + half);
      fill.closePath();
    }
    const color = typeof s.stroke === 'function' ? s.stroke(u, si) : s.stroke;
    // no stroke (width 0): the filled envelope is the line
    return { stroke: new Path2D(), fill, clip: null, band: null, gaps: null, flags: 0, _fill: color, _width: 0 } as unknown as uPlot.Series.Paths;
  };
}
