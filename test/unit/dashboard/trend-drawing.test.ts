// How the trend draws dense series (the per-column envelope) and keeps its aligned data
// while live samples arrive, on their own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { columnEnvelope, envelopeWhenDense, widen, DENSE_POINTS_PER_COLUMN } from '../../../dashboard/src/trend/envelope-path';
import { AlignedView, align, type TagSeries } from '../../../dashboard/src/trend/series-store';
import { excursions } from '../../../dashboard/src/trend/excursions';

const series = (ts: number[], values: number[], quality = ts.map(() => 'GOOD')): TagSeries => ({ ts, values, quality });
const qclass = (q: string) => (q === 'GOOD' ? 0 : q.startsWith('BAD') ? 2 : 1);

describe('column envelope', () => {
  it('keeps the lowest and highest sample of each pixel column, a lone sample at its own x', () => {
    const xs = [0, 0.2, 0.5, 0.9, 1.1, 2.5];
    const ys = [5, 9, 1, 4, 7, 3];
    const e = columnEnvelope(xs, ys, 0, xs.length - 1, (x) => x);
    expect(e.length).toBe(3);
    expect([...e.x.subarray(0, 3)]).toEqual([0.5, 1.1, 2.5]);
    expect([...e.lo.subarray(0, 3)]).toEqual([1, 7, 3]);
    expect([...e.hi.subarray(0, 3)]).toEqual([9, 7, 3]);
  });

  it('skips rows of other series and takes one neighbour outside the window on each side', () => {
    const xs = [-5, 10, 10.5, 11, 20, 30];
    const ys = [100, undefined, 2, 8, -100, 0];
    const e = columnEnvelope(xs, ys, 1, 3, (x) => x);
    // -5 (entering neighbour), column 10 (2 only: undefined is another series' row), 11, 20 (leaving neighbour); 30 is outside
    expect([...e.x.subarray(0, e.length)]).toEqual([-5, 10.5, 11, 20]);
    expect([...e.hi.subarray(0, e.length)]).toEqual([100, 2, 8, -100]);
    expect(e.breaks).toEqual([]);
  });

  it('ends a piece at a null (the historian was stopped), and widening does not reach across it', () => {
    const xs = [0.5, 1.5, 2.5, 3, 3.5, 4.5];
    const ys = [0, 50, null, undefined, 0, 0];
    const e = columnEnvelope(xs, ys, 0, xs.length - 1, (x) => x);
    expect([...e.x.subarray(0, e.length)]).toEqual([0.5, 1.5, 3.5, 4.5]);
    expect(e.breaks).toEqual([2]);
    const w = widen(e, 2);
    expect([...w.hi.subarray(0, w.length)]).toEqual([50, 50, 0, 0]);
    // a gap at either end starts or ends nothing
    expect(columnEnvelope([1, 2, 3], [null, 5, null], 0, 2, (x) => x).breaks).toEqual([]);
  });

  it('holds every sample of a long series inside its column, with at most one column per pixel', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 300) * 10 + ((i * 7919) % 13));
    const width = 1000;
    const toPx = (x: number) => (x / n) * width;
    const e = columnEnvelope(xs, ys, 0, n - 1, toPx);
    expect(e.length).toBeLessThanOrEqual(width + 1);
    let c = 0;
    const outside: number[] = [];
    for (let i = 0; i < n; i++) {
      while (c + 1 < e.length && Math.floor(toPx(xs[i])) > Math.floor(e.x[c])) c++;
      if (ys[i] < e.lo[c] || ys[i] > e.hi[c]) outside.push(i);
    }
    expect(outside).toEqual([]);
  });
});

describe('envelope widening', () => {
  it('gives a one-column jump the extremes of its neighbours within the radius, others untouched', () => {
    const e = columnEnvelope([0.5, 1.5, 2.5, 3.5, 4.5], [0, 0, 50, 0, 0], 0, 4, (x) => x);
    expect(widen(e, 0)).toBe(e);
    const w = widen(e, 1);
    expect([...w.hi.subarray(0, w.length)]).toEqual([0, 50, 50, 50, 0]);
    expect([...w.lo.subarray(0, w.length)]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('dense drawing switch', () => {
  class FakePath { ops: Array<[string, number, number]> = []; moveTo(x: number, y: number) { this.ops.push(['M', x, y]); } lineTo(x: number, y: number) { this.ops.push(['L', x, y]); } closePath() { this.ops.push(['Z', 0, 0]); } }
  const g = globalThis as unknown as { Path2D?: unknown; devicePixelRatio?: number };
  let saved: unknown;
  beforeEach(() => { saved = g.Path2D; g.Path2D = FakePath; g.devicePixelRatio = 1; });
  afterEach(() => { g.Path2D = saved; delete g.devicePixelRatio; });

  const plot = (n: number, width: number) => {
    const xs = Array.from({ length: n }, (_, i) => (i / n) * 100);
    const ys = xs.map((_, i) => (i % 2 ? 10 : 0));
    return {
      bbox: { left: 0, top: 0, width, height: 100 }, scales: { x: { min: 0, max: 100 }, y: { min: -10, max: 20 } },
      series: [{}, { width: 2, scale: 'y', stroke: () => '#0072B2' }], data: [xs, ys],
      valToPos: (v: number) => 100 - v, // y grows downwards
    };
  };
  const sparse = () => ({ sparse: true });

  it('draws the ordinary path below two samples per column and the filled envelope from there', () => {
    const build = envelopeWhenDense(sparse as never);
    const width = 200;
    expect(build(plot(width * DENSE_POINTS_PER_COLUMN - 10, width) as never, 1, 0, width * DENSE_POINTS_PER_COLUMN - 11)).toEqual({ sparse: true });
    const n = width * 10;
    const out = build(plot(n, width) as never, 1, 0, n - 1) as unknown as { fill: FakePath; _width: number; _fill: string };
    expect(out._width).toBe(0);
    expect(out._fill).toBe('#0072B2');
    // one vertex per column along the maxima, one back along the minima, closed
    const ops = out.fill.ops;
    expect(ops.at(-1)![0]).toBe('Z');
    expect(ops.length - 1).toBe(2 * width);
    // widened by half the pen width: the maxima (10) sit 1 px above, the minima (0) 1 px below
    expect(ops[0][2]).toBe(100 - 10 - 1);
    expect(ops[ops.length - 2][2]).toBe(100 - 0 + 1);
  });

  it('draws one closed shape per piece between gaps', () => {
    const build = envelopeWhenDense(sparse as never);
    const width = 200;
    const n = width * 10;
    const p = plot(n, width);
    (p.data[1] as Array<number | null>)[n / 2] = null;
    const out = build(p as never, 1, 0, n - 1) as unknown as { fill: FakePath };
    expect(out.fill.ops.filter((o) => o[0] === 'M').length).toBe(2);
    expect(out.fill.ops.filter((o) => o[0] === 'Z').length).toBe(2);
  });
});

describe('aligned view', () => {
  it('appends live samples in place and matches a full alignment', () => {
    const a = series([1000, 2000], [1, 2]);
    const b = series([1500], [10], ['BAD']);
    const view = new AlignedView(qclass);
    view.refresh([a, b], [true, true]);
    const xs = view.xs;
    a.ts.push(3000); a.values.push(3); a.quality.push('UNCERTAIN');
    view.append(0, 3000, 3, 'UNCERTAIN', true);
    b.ts.push(3000); b.values.push(30); b.quality.push('GOOD');
    view.append(1, 3000, 30, 'GOOD', true);
    view.refresh([a, b], [true, true]);
    expect(view.xs).toBe(xs); // not rebuilt
    const full = align([a, b]);
    expect(view.xs).toEqual(full.xs);
    expect(view.ys).toEqual(full.ys);
    expect(view.qual).toEqual([[0, 0, 0, 1], [0, 2, 0, 0]]);
  });

  it('re-aligns when a sample lands before the newest row', () => {
    const a = series([1000, 3000], [1, 3]);
    const b = series([1000], [10]);
    const view = new AlignedView(qclass);
    view.refresh([a, b], [true, false]);
    const xs = view.xs;
    b.ts.push(2000); b.values.push(20); b.quality.push('GOOD');
    view.append(1, 2000, 20, 'GOOD', false);
    view.refresh([a, b], [true, false]);
    expect(view.xs).not.toBe(xs);
    expect(view.xs).toEqual([1, 2, 3]);
    expect(view.ys).toEqual([[1, undefined, 3], [10, 20, undefined]]);
  });
});

describe('downtime in the aligned data', () => {
  it('breaks each line that has no sample in a downtime, at its middle, and spans the others', () => {
    // a: a sample before and after the stop only; b: a sample forwarded later into it
    const a = series([1000, 9000], [1, 9]);
    const b = series([1000, 5000, 9000], [10, 50, 90]);
    const { xs, ys } = align([a, b], [[2000, 8000]]);
    expect(xs).toEqual([1, 5, 9]);
    expect(ys).toEqual([[1, null, 9], [10, 50, 90]]);
    const c = series([1000, 9000], [1, 9]);
    const d = series([1000, 3000, 9000], [1, 3, 9]);
    const out = align([c, d], [[2000, 8000]]);
    expect(out.xs).toEqual([1, 3, 5, 9]);
    expect(out.ys).toEqual([[1, undefined, null, 9], [1, 3, undefined, 9]]);
  });

  it('keeps the rows of a view without downtime, and a downtime before or after all samples adds a row only', () => {
    const a = series([1000, 2000], [1, 2]);
    expect(align([a]).ys).toEqual([[1, 2]]);
    expect(align([a], [[100, 300], [5000, 7000]])).toMatchObject({ xs: [0.2, 1, 2, 6], ys: [[null, 1, 2, null]] });
  });

  it('is kept by the aligned view: live samples after a downtime append in place', () => {
    const a = series([1000, 9000], [1, 9]);
    const view = new AlignedView(qclass);
    view.refresh([a], [true], [[2000, 8000]]);
    const xs = view.xs;
    a.ts.push(10_000); a.values.push(10); a.quality.push('GOOD');
    view.append(0, 10_000, 10, 'GOOD', true);
    view.refresh([a], [true], [[2000, 8000]]);
    expect(view.xs).toBe(xs);
    expect(view.ys).toEqual(align([a], [[2000, 8000]]).ys);
    expect(view.ys[0]).toEqual([1, null, 9, 10]);
  });
});

describe('twin band excursions', () => {
  const id = (v: number) => v;
  it('one run per excursion; points outside less than the gap apart are one run; a data gap ends it', () => {
    // x in pixels; the band is 10 ± 1, given on the first row and held
    const xs = [0, 2, 4, 6, 8, 10, 30, 32, 34, 36, 38];
    const ys = [10, 12, 12.5, 10, 12, 10, 13, 13, null, 13, 10];
    const los = [9, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
    const his = [11, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
    const runs = excursions(xs, ys, los, his, 0, xs.length - 1, id, id, 8);
    // 2, 4 and (after one point back inside, 4 px on) 8 are one excursion; 30, 32 another; after the null, 36 a third
    expect(runs.map((r) => r.map(([x]) => x))).toEqual([[2, 4, 8], [30, 32], [36]]);
    expect(runs[0][0]).toEqual([2, 12]);
  });

  it('a value hovering at the band edge is one excursion, not one per crossing', () => {
    const n = 200;
    const xs = Array.from({ length: n }, (_, i) => i * 0.5);
    const ys = xs.map((_, i) => (i % 3 === 0 ? 11.2 : 10.8));
    const los = xs.map(() => 9);
    const his = xs.map(() => 11);
    const runs = excursions(xs, ys, los, his, 0, n - 1, id, id, 8);
    expect(runs.length).toBe(1);
    expect(runs[0].length).toBe(Math.ceil(n / 3));
  });

  it('rows of other tags (undefined) are passed over; the band edges follow their own samples; only the view is marked', () => {
    const xs = [0, 1, 2, 3, 4, 5];
    const ys = [10, undefined, 12, 12, undefined, 12];
    const los = [9, 9, undefined, 11.5, undefined, undefined];
    const his = [11, 11, undefined, 12.5, undefined, undefined];
    // 12 is outside 9..11 at x=2, inside 11.5..12.5 from x=3 on
    expect(excursions(xs, ys, los, his, 0, 5, id, id, 8).map((r) => r.map(([x]) => x))).toEqual([[2]]);
    // a view starting at x=3 marks nothing
    expect(excursions(xs, ys, los, his, 3, 5, id, id, 8)).toEqual([]);
  });
});
