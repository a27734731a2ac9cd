// Downsampling to N points for charts: min-max (per bucket the lowest and highest sample,
// in time order, so spikes survive) and LTTB (largest triangle three buckets, Steinarsson
// 2013, with equal-time buckets so it streams with one bucket of look-ahead).

export interface Points { ts: number[]; values: number[] }

/** Streaming min-max: feed samples in time order, read `out` at the end. */
export class MinMaxDownsampler {
  readonly out: Points = { ts: [], values: [] };
  private k = -1;
  private minT = 0; private minV = 0; private maxT = 0; private maxV = 0;

  constructor(private readonly from: number, private readonly bucketMs: number) {}

  add(t: number, v: number): void {
    const k = Math.floor((t - this.from) / this.bucketMs);
    if (k !== this.k) { this.flush(); this.k = k; this.minT = this.maxT = t; this.minV = this.maxV = v; return; }
    if (v < this.minV) { this.minV = v; this.minT = t; }
    if (v > this.maxV) { this.maxV = v; this.maxT = t; }
  }

  /**
   * The points, in time order: parts of a store arrive in time order but may overlap (late
   * data still in the head beside compacted blocks), which would leave a bucket twice.
   */
  finish(): Points {
    this.flush();
    const o = this.out;
    let sorted = true;
    for (let i = 1; i < o.ts.length && sorted; i++) sorted = o.ts[i] >= o.ts[i - 1];
    if (sorted) return o;
    const idx = o.ts.map((_, i) => i).sort((a, b) => o.ts[a] - o.ts[b] || a - b);
    return { ts: idx.map((i) => o.ts[i]), values: idx.map((i) => o.values[i]) };
  }

  flush(): Points {
    if (this.k >= 0) {
      const o = this.out;
      if (this.minT === this.maxT) { o.ts.push(this.minT); o.values.push(this.minV); }
      else if (this.minT < this.maxT) { o.ts.push(this.minT, this.maxT); o.values.push(this.minV, this.maxV); }
      else { o.ts.push(this.maxT, this.minT); o.values.push(this.maxV, this.minV); }
      this.k = -1;
    }
    return this.out;
  }
}

/**
 * Streaming LTTB over equal-time buckets: the first and last points are kept, every
 * bucket between contributes the point forming the largest triangle with the previously
 * chosen point and the next bucket's average.
 */
export class LttbDownsampler {
  readonly out: Points = { ts: [], values: [] };
  private k = -2; // -2: nothing seen yet
  private curT: number[] = []; private curV: number[] = [];
  private pendT: number[] | null = null; private pendV: number[] | null = null;
  private lastT = 0; private lastV = 0; private any = false;

  constructor(private readonly from: number, private readonly bucketMs: number) {}

  add(t: number, v: number): void {
    if (!this.any) { this.any = true; this.out.ts.push(t); this.out.values.push(v); this.lastT = t; this.lastV = v; this.k = -1; return; }
    const k = Math.floor((t - this.from) / this.bucketMs);
    if (k !== this.k && this.curT.length) this.rotate();
    this.k = k;
    this.curT.push(t); this.curV.push(v);
  }

  private rotate(): void {
    // cur is complete: it is the "next" bucket for the pending one
    if (this.pendT) this.choose(this.pendT, this.pendV!, avg(this.curT), avg(this.curV));
    this.pendT = this.curT; this.pendV = this.curV;
    this.curT = []; this.curV = [];
  }

  private choose(ts: number[], vs: number[], nt: number, nv: number): void {
    let best = 0, area = -1;
    const at = this.out.ts[this.out.ts.length - 1], av = this.out.values[this.out.values.length - 1];
    for (let i = 0; i < ts.length; i++) {
      const a = Math.abs((at - nt) * (vs[i] - av) - (at - ts[i]) * (nv - av));
      if (a > area) { area = a; best = i; }
    }
    this.out.ts.push(ts[best]); this.out.values.push(vs[best]);
  }

  finish(): Points {
    if (!this.any) return this.out;
    // the very last sample is kept as the final point
    const lastT = this.curT.length ? this.curT.pop()! : this.pendT?.length ? this.pendT.pop()! : NaN;
    const lastV = this.curV.length ? this.curV.pop()! : this.pendV?.length ? this.pendV.pop()! : NaN;
    if (this.curT.length) this.rotate();
    if (this.pendT && this.pendT.length) {
      if (Number.isNaN(lastT)) this.choose(this.pendT, this.pendV!, this.lastT, this.lastV);
      else this.choose(this.pendT, this.pendV!, lastT, lastV);
    }
    if (!Number.isNaN(lastT)) { this.out.ts.push(lastT); this.out.values.push(lastV); }
    this.pendT = null;
    return this.out;
  }
}

function avg(a: number[]): number {
  let s = 0;
  for (const x of a) s += x;
  return s / a.length;
}
