// Per-chunk (and per-rollup-bucket) summary. It is composable: the aggregator folds a
// summary into a bucket exactly as it would fold the samples it describes, which is what
// lets queries skip decoding chunks and lets rollups answer long ranges.
//
// `integral` is the step-interpolated area between the first and the last sample
// (sum of v[i] * (t[i+1] - t[i])); the area after the last sample is added by whoever
// knows what comes next (the bucket end), see aggregate.ts.
import type { Columns } from './types';

export interface Summary {
  count: number;
  firstTs: number;
  lastTs: number;
  min: number;
  max: number;
  sum: number;
  first: number;
  last: number;
  integral: number;
  /** worst quality code (highest class, first of its class) */
  quality: number;
}

function rank(q: number): number {
  return q & 0x8000 ? 2 : q & 0x4000 ? 1 : 0;
}

/** Summary of columns[from, to) (sorted, unique ts). */
export function summarize(c: Columns, from = 0, to = c.ts.length): Summary {
  const { ts, values, quality } = c;
  let min = Infinity, max = -Infinity, sum = 0, integral = 0;
  let q = quality[from] ?? 0, qr = rank(q);
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (i + 1 < to) integral += v * (ts[i + 1] - ts[i]);
    const qi = quality[i];
    if (qi !== q) {
      const r = rank(qi);
      if (r > qr) { q = qi; qr = r; }
    }
  }
  return {
    count: to - from, firstTs: ts[from], lastTs: ts[to - 1], min, max, sum,
    first: values[from], last: values[to - 1], integral, quality: q,
  };
}

/** Worse of two quality codes; on equal class the first one wins. */
export function worse(a: number, b: number): number {
  return rank(b) > rank(a) ? b : a;
}
