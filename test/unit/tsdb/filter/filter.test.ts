import { describe, expect, it } from 'vitest';
import { createFilter, TagFilters, type FilterConfig, type SampleFilter } from '../../../../runtime/tsdb/filter';
import type { Sample } from '../../../../runtime/model';

const TAG = 'acme.site.area.line.cell.pump.flow';
const s = (ts: number, value: number, quality = 0): Sample => ({ tag: TAG, ts, value, quality });

/** Offers points and returns the stored (ts, value) pairs, including what flush() releases. */
function run(f: SampleFilter, pts: Array<[number, number, number?]>): Array<[number, number]> {
  const out: Sample[] = [];
  for (const [t, v, q] of pts) out.push(...f.offer(s(t, v, q ?? 0)));
  out.push(...f.flush());
  return out.map((x) => [x.ts, x.value]);
}

describe('every', () => {
  it('stores every sample', () => {
    expect(run(createFilter({ mode: 'every' }), [[0, 1], [1, 1], [2, 1]])).toEqual([[0, 1], [1, 1], [2, 1]]);
  });
});

describe('on-change', () => {
  it('stores the first sample and every change', () => {
    expect(run(createFilter({ mode: 'on-change' }), [[0, 1], [1, 1], [2, 2], [3, 2], [4, 1]]))
      .toEqual([[0, 1], [2, 2], [4, 1]]);
  });
  it('forces a sample through after compMax', () => {
    expect(run(createFilter({ mode: 'on-change', compMax: 10 }), [[0, 5], [4, 5], [9, 5], [10, 5], [15, 5], [20, 5]]))
      .toEqual([[0, 5], [10, 5], [20, 5]]);
  });
  it('always stores a quality change', () => {
    expect(run(createFilter({ mode: 'on-change' }), [[0, 5], [1, 5, 0x8001], [2, 5, 0x8001], [3, 5]]))
      .toEqual([[0, 5], [1, 5], [3, 5]]);
  });
});

describe('deadband', () => {
  it('stores a sample that moved more than the deviation from the last stored one', () => {
    expect(run(createFilter({ mode: 'deadband', deviation: 0.5 }),
      [[0, 10], [1, 10.3], [2, 10.6], [3, 10.7], [4, 11.2], [5, 10.6], [6, 10.6]]))
      .toEqual([[0, 10], [2, 10.6], [4, 11.2], [5, 10.6]]);
  });
  it('resolves a percent deviation against the span', () => {
    // 0.25 % of 0..200 = 0.5
    const f = createFilter({ mode: 'deadband', deviation: 0.25, deviationUnit: 'percent', span: { low: 0, high: 200 } });
    expect(run(f, [[0, 10], [1, 10.5], [2, 10.51]])).toEqual([[0, 10], [2, 10.51]]);
  });
  it('honours compMax', () => {
    expect(run(createFilter({ mode: 'deadband', deviation: 1, compMax: 3 }), [[0, 0], [1, 0.1], [2, 0.2], [3, 0.3], [4, 0.4]]))
      .toEqual([[0, 0], [3, 0.3]]);
  });
});

describe('swinging-door', () => {
  it('archives the held point when the doors close, and the last point on flush', () => {
    // E = 1 from A = (0,0). In-between points (1,.5) (2,1) (3,1.5) give up slopes
    // -.5, 0, .167 and down slopes 1.5, 1, .833; the lines A→(2,1), A→(3,1.5) (slope .5)
    // fit, A→(4,5) (slope 1.25 > .833) does not: archive the held (3,1.5). From it,
    // (4,5) gives up 2.5, down 4.5; A→(5,5) has slope 1.75 < 2.5: archive (4,5).
    // Flush releases the held (5,5).
    const f = createFilter({ mode: 'swinging-door', deviation: 1 });
    expect(run(f, [[0, 0], [1, 0.5], [2, 1], [3, 1.5], [4, 5], [5, 5]]))
      .toEqual([[0, 0], [3, 1.5], [4, 5], [5, 5]]);
  });

  it('stores only the ends of a straight line', () => {
    const pts: Array<[number, number]> = Array.from({ length: 100 }, (_, i) => [i * 1000, 2 + 0.01 * i]);
    expect(run(createFilter({ mode: 'swinging-door', deviation: 0.001 }), pts)).toEqual([[0, 2], [99_000, 2 + 0.99]]);
  });

  it('keeps every stored point within the deviation of the line between archived points', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let x = 0;
    const pts: Array<[number, number]> = Array.from({ length: 2000 }, (_, i) => [i * 1000, (x += rnd() - 0.5)]);
    const E = 0.4;
    const stored = run(createFilter({ mode: 'swinging-door', deviation: E }), pts);
    expect(stored.length).toBeLessThan(pts.length / 2);
    expect(stored[0]).toEqual(pts[0]);
    expect(stored[stored.length - 1]).toEqual(pts[pts.length - 1]);
    let k = 0;
    for (const [t, v] of pts) {
      while (stored[k + 1][0] < t) k++;
      const [t0, v0] = stored[k];
      const [t1, v1] = stored[k + 1];
      const interp = t === t1 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
      expect(Math.abs(interp - v)).toBeLessThanOrEqual(E + 1e-9);
    }
  });

  it('stores both edges of a quality change', () => {
    const f = createFilter({ mode: 'swinging-door', deviation: 1 });
    expect(run(f, [[0, 0], [1, 0], [2, 0], [3, 0, 0x8000], [4, 0, 0x8000], [5, 0, 0x8000]]))
      .toEqual([[0, 0], [2, 0], [3, 0], [5, 0]]);
  });

  it('forces the held and the new point through after compMax', () => {
    const f = createFilter({ mode: 'swinging-door', deviation: 1, compMax: 10 });
    expect(run(f, [[0, 0], [4, 0], [8, 0], [12, 0], [16, 0]])).toEqual([[0, 0], [8, 0], [12, 0], [16, 0]]);
  });

  it('flush releases nothing twice', () => {
    const f = createFilter({ mode: 'swinging-door', deviation: 1 });
    f.offer(s(0, 0));
    f.offer(s(1, 0));
    expect(f.flush().map((x) => x.ts)).toEqual([1]);
    expect(f.flush()).toEqual([]);
  });

  it('passes late samples through without disturbing the doors', () => {
    const f = createFilter({ mode: 'swinging-door', deviation: 1 });
    expect(run(f, [[10, 0], [11, 0], [5, 7], [12, 0]])).toEqual([[10, 0], [5, 7], [12, 0]]);
  });
});

describe('configuration', () => {
  const bad: Array<[FilterConfig, RegExp]> = [
    [{ mode: 'sometimes' as never }, /^mode:/],
    [{ mode: 'deadband' }, /^deviation:/],
    [{ mode: 'swinging-door', deviation: -1 }, /^deviation:/],
    [{ mode: 'deadband', deviation: 1, deviationUnit: 'percent' }, /^span:/],
    [{ mode: 'every', compMax: -5 }, /^compMax:/],
  ];
  for (const [cfg, re] of bad) {
    it(`rejects ${JSON.stringify(cfg)} naming the field`, () => expect(() => createFilter(cfg)).toThrow(re));
  }
});

describe('TagFilters', () => {
  it('keeps separate state per tag and flushes every held point', () => {
    const tf = new TagFilters((tag) => (tag.endsWith('a') ? { mode: 'on-change' } : { mode: 'swinging-door', deviation: 1 }));
    const a = (ts: number, value: number): Sample => ({ tag: 'x.a', ts, value, quality: 0 });
    const b = (ts: number, value: number): Sample => ({ tag: 'x.b', ts, value, quality: 0 });
    const out = tf.offerBatch([a(0, 1), b(0, 1), a(1, 1), b(1, 1), a(2, 2), b(2, 1)]);
    expect(out.map((x) => `${x.tag}@${x.ts}`)).toEqual(['x.a@0', 'x.b@0', 'x.a@2']);
    expect(tf.flush().map((x) => `${x.tag}@${x.ts}`)).toEqual(['x.b@2']);
  });
});
