// Per-bucket aggregation. Buckets are [from + k*bucketMs, ...), the last one ends at `to`.
// Samples and summaries (chunk summaries, rollup rows) fold identically, so a result does
// not depend on which of them a query read.
//
// Time-weighted average: the step-interpolated value integrated from the bucket's first
// sample to the bucket end (the last sample in a bucket holds until the bucket end),
// divided by that duration.
import type { Summary } from './summary';

export interface AggregateRow {
  /** bucket start */
  ts: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  avg: number;
  twa: number;
  first: number;
  last: number;
  /** worst quality in the bucket */
  quality: number;
}

export const AGGREGATES = ['min', 'max', 'avg', 'twa', 'first', 'last', 'count', 'sum'] as const;
export type AggregateName = (typeof AGGREGATES)[number];

function rank(q: number): number {
  return q & 0x8000 ? 2 : q & 0x4000 ? 1 : 0;
}

export class BucketAggregator {
  private k = -1;
  private count = 0; private min = 0; private max = 0; private sum = 0; private first = 0; private last = 0;
  private firstTs = 0; private lastTs = 0; private integral = 0; private quality = 0;

  constructor(readonly from: number, readonly to: number, readonly bucketMs: number, private readonly emit: (r: AggregateRow) => void) {}

  bucketOf(t: number): number { return Math.floor((t - this.from) / this.bucketMs); }

  /** True when the summary lies in one bucket (it can be folded without decoding). */
  fits = (s: Summary): boolean => this.bucketOf(s.firstTs) === this.bucketOf(s.lastTs);

  add(t: number, v: number, q: number): void {
    const k = this.bucketOf(t);
    if (k !== this.k) { this.close(); this.open(k, t, v, q); }
    else {
      this.integral += this.last * (t - this.lastTs);
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (rank(q) > rank(this.quality)) this.quality = q;
    }
    this.count++; this.sum += v; this.last = v; this.lastTs = t;
  }

  addSummary(s: Summary): void {
    const k = this.bucketOf(s.firstTs);
    if (k !== this.k) {
      this.close(); this.open(k, s.firstTs, s.first, s.quality);
      this.min = s.min; this.max = s.max;
    } else {
      this.integral += this.last * (s.firstTs - this.lastTs);
      if (s.min < this.min) this.min = s.min;
      if (s.max > this.max) this.max = s.max;
      if (rank(s.quality) > rank(this.quality)) this.quality = s.quality;
    }
    this.integral += s.integral;
    this.count += s.count; this.sum += s.sum; this.last = s.last; this.lastTs = s.lastTs;
  }

  private open(k: number, t: number, v: number, q: number): void {
    this.k = k; this.count = 0; this.sum = 0; this.min = v; this.max = v; this.first = v; this.firstTs = t;
    this.integral = 0; this.quality = q;
  }

  close(): void {
    if (this.k < 0 || this.count === 0) { this.k = -1; return; }
    const start = this.from + this.k * this.bucketMs;
    const end = Math.min(start + this.bucketMs, this.to);
    const integral = this.integral + this.last * (end - this.lastTs);
    const dur = end - this.firstTs;
    this.emit({
      ts: start, count: this.count, min: this.min, max: this.max, sum: this.sum, avg: this.sum / this.count,
      twa: dur > 0 ? integral / dur : this.last, first: this.first, last: this.last, quality: this.quality,
    });
    this.k = -1; this.count = 0;
  }
}
