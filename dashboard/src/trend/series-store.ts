// The data behind one trend: per-tag columns (history from the server's min-max
// downsampling, then live samples appended), aligned into uPlot's one-x-array form.
export interface TagSeries {
  ts: number[];
  values: number[];
  /** quality name per point; history points carry their bucket's worst quality */
  quality: string[];
}

export function emptySeries(): TagSeries {
  return { ts: [], values: [], quality: [] };
}

/** Appends samples newer than the last point (older ones are already in history). */
export function appendLive(s: TagSeries, ts: number, value: number, quality: string): boolean {
  const n = s.ts.length;
  if (n && ts <= s.ts[n - 1]) return false;
  s.ts.push(ts); s.values.push(value); s.quality.push(quality);
  return true;
}

/** Drops points older than `from` (keeps one before it so the line enters the plot). */
export function trimBefore(s: TagSeries, from: number): void {
  let i = 0;
  while (i + 1 < s.ts.length && s.ts[i + 1] < from) i++;
  if (i > 0) { s.ts.splice(0, i); s.values.splice(0, i); s.quality.splice(0, i); }
}

/** A y value as uPlot takes it: undefined where another series has the x (spanned), null for a gap (the line breaks). */
export type Y = number | null | undefined;

/**
 * Aligns series to one sorted x array (seconds, as uPlot wants). A series without a point
 * at an x gets undefined there, which uPlot spans. Each downtime [from, to] (ms; the
 * historian was stopped) adds a row at its middle where every series without a sample in
 * it gets null, so its line breaks there instead of joining the values on either side.
 */
export function align(series: TagSeries[], downtime: ReadonlyArray<readonly [number, number]> = []): { xs: number[]; ys: Y[][]; idx: Int32Array[] } {
  const k = series.length;
  const pos = new Array<number>(k).fill(0);
  const xs: number[] = [];
  const ys: Y[][] = series.map(() => []);
  const idx: number[][] = series.map(() => []);
  const gaps = [...downtime].filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0]);
  let g = 0;
  for (;;) {
    let t = Infinity;
    for (let j = 0; j < k; j++) if (pos[j] < series[j].ts.length && series[j].ts[pos[j]] < t) t = series[j].ts[pos[j]];
    const mid = g < gaps.length ? (gaps[g][0] + gaps[g][1]) / 2 : Infinity;
    if (mid <= t && mid !== Infinity) {
      // the downtime's row (shared with samples stamped at its very middle): a series whose
      // samples on either side lie outside the downtime has none in it
      xs.push(mid / 1000);
      for (let j = 0; j < k; j++) {
        const s = series[j];
        if (pos[j] < s.ts.length && s.ts[pos[j]] === mid) { ys[j].push(s.values[pos[j]]); idx[j].push(pos[j]); pos[j]++; continue; }
        const inside = (pos[j] > 0 && s.ts[pos[j] - 1] >= gaps[g][0]) || (pos[j] < s.ts.length && s.ts[pos[j]] <= gaps[g][1]);
        ys[j].push(inside ? undefined : null); idx[j].push(-1);
      }
      g++;
      continue;
    }
    if (t === Infinity) break;
    xs.push(t / 1000);
    for (let j = 0; j < k; j++) {
      if (pos[j] < series[j].ts.length && series[j].ts[pos[j]] === t) { ys[j].push(series[j].values[pos[j]]); idx[j].push(pos[j]); pos[j]++; }
      else { ys[j].push(undefined); idx[j].push(-1); }
    }
  }
  return { xs, ys, idx: idx.map((a) => Int32Array.from(a)) };
}

/** Index of the last point at or before t (binary search), -1 if none. */
export function indexAt(ts: number[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= t) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

/**
 * The aligned form uPlot draws, kept between frames: a live sample newer than everything
 * drawn is one push (or fills the newest row when another tag already stamped that
 * time), so following now does not re-align the whole window per frame. Anything else
 * (new history, trimming, a sample older than the newest row) marks it for a full align.
 */
export class AlignedView {
  xs: number[] = [];
  ys: Y[][] = [];
  /** per series and row: 0 good, 1 uncertain, 2 bad; only for series whose quality counts */
  qual: number[][] = [];
  private valid = false;

  constructor(private readonly qclass: (q: string) => number) {}

  invalidate(): void { this.valid = false; }

  /** Re-aligns from scratch when marked; `withQuality[j]` says whether series j's quality is drawn; `downtime` as in align. */
  refresh(series: TagSeries[], withQuality: boolean[], downtime: ReadonlyArray<readonly [number, number]> = []): void {
    if (this.valid && this.ys.length === series.length) return;
    const { xs, ys, idx } = align(series, downtime);
    this.xs = xs;
    this.ys = ys;
    this.qual = series.map((s, j) => {
      const q = new Array<number>(xs.length).fill(0);
      if (withQuality[j]) for (let i = 0; i < xs.length; i++) { const k = idx[j][i]; if (k >= 0) q[i] = this.qclass(s.quality[k]); }
      return q;
    });
    this.valid = true;
  }

  /** Adds series j's sample at ts (ms) if it lands on or after the newest row; else marks a full align. */
  append(j: number, ts: number, value: number, quality: string, withQuality: boolean): void {
    if (!this.valid || j >= this.ys.length) { this.valid = false; return; }
    const x = ts / 1000;
    const n = this.xs.length;
    const last = n ? this.xs[n - 1] : -Infinity;
    if (x > last) {
      this.xs.push(x);
      for (let k = 0; k < this.ys.length; k++) { this.ys[k].push(k === j ? value : undefined); this.qual[k].push(k === j && withQuality ? this.qclass(quality) : 0); }
    } else if (x === last && this.ys[j][n - 1] === undefined) {
      this.ys[j][n - 1] = value;
      if (withQuality) this.qual[j][n - 1] = this.qclass(quality);
    } else {
      this.valid = false;
    }
  }
}

/** Drops points older than `from` once they are more than `slack` of them (and keeps one before it). */
export function trimmedBefore(s: TagSeries, from: number, slack: number): boolean {
  const i = indexAt(s.ts, from);
  if (i < slack) return false;
  trimBefore(s, from);
  return true;
}
