import { describe, expect, it } from 'vitest';
import { compile, evaluateOverHistory, type HistorySeries } from '../../../runtime/calc';
import { QUALITY_CODES } from '../../../runtime/model/quality';

const series = (ts: number[], values: number[], quality?: number[]): HistorySeries => ({ ts, values, quality });

describe('evaluateOverHistory', () => {
  const data = new Map([
    ['p.a', series([0, 1000, 3000], [1, 2, 3], [0, 0, QUALITY_CODES.UNCERTAIN_OOR])],
    ['p.b', series([500, 2500], [10, 20])],
  ]);

  it('aligns inputs with previous-value hold and evaluates at every grid point', () => {
    const r = evaluateOverHistory(compile("tag('p.a') * 2 + tag('p.b')"), data, { from: 0, to: 4000, stepMs: 1000 });
    expect(r.ts).toEqual([0, 1000, 2000, 3000, 4000]);
    // p.b has no sample before 500: no value at 0
    expect(r.values).toEqual([null, 14, 14, 26, 26]);
    expect(r.quality).toEqual([QUALITY_CODES.BAD_NO_DATA, 0, 0, QUALITY_CODES.UNCERTAIN_OOR, QUALITY_CODES.UNCERTAIN_OOR]);
  });

  it('linear interpolation between neighbours, holding after the last sample', () => {
    const r = evaluateOverHistory(compile("tag('p.a')"), data, { from: 0, to: 4000, stepMs: 500 }, 'linear');
    expect(r.values).toEqual([1, 1.5, 2, 2.25, 2.5, 2.75, 3, 3, 3]);
    expect(r.quality[5]).toBe(QUALITY_CODES.UNCERTAIN_OOR); // between a GOOD and an UNCERTAIN sample
    expect(r.quality[1]).toBe(0);
  });

  it('window functions run over the grid with fresh state, leaving the live instance untouched', () => {
    const live = compile("integral(tag('p.a'))");
    const ctx = (now: number) => ({ now, get: () => ({ value: 100, ts: now, quality: 0 }) });
    live.evaluate(ctx(0));
    const r = evaluateOverHistory(live, data, { from: 0, to: 3000, stepMs: 1000 });
    // step-aligned values 1, 2, 2, 3: trapezoids 1.5 + 2 + 2.5
    expect(r.values).toEqual([0, 1.5, 3.5, 6]);
    expect(live.evaluate(ctx(1000)).value).toBe(100);
  });

  it('staleness is judged from the source sample time', () => {
    const r = evaluateOverHistory(compile("tag('p.b')", { staleAfterMs: 1000 }), data, { from: 1000, to: 4000, stepMs: 1000 });
    // p.b samples at 500 and 2500: 1500 ms old at 2000 and at 4000
    expect(r.quality).toEqual([0, QUALITY_CODES.UNCERTAIN_STALE, 0, QUALITY_CODES.UNCERTAIN_STALE]);
  });

  it('an input without a series reads as missing', () => {
    const r = evaluateOverHistory(compile("tag('p.nothing') + 1"), data, { from: 0, to: 1000, stepMs: 1000 });
    expect(r.values).toEqual([null, null]);
  });

  it('rejects a bad grid, bad series and too many points', () => {
    const c = compile("tag('p.a')");
    expect(() => evaluateOverHistory(c, data, { from: 10, to: 0, stepMs: 1 })).toThrow(/grid.to/);
    expect(() => evaluateOverHistory(c, data, { from: 0, to: 10, stepMs: 0 })).toThrow(/grid.stepMs/);
    expect(() => evaluateOverHistory(c, data, { from: 0, to: 1e9, stepMs: 1 })).toThrow(/the limit is 1000000/);
    expect(() => evaluateOverHistory(c, new Map([['p.a', series([2, 1], [1, 2])]]), { from: 0, to: 1, stepMs: 1 }))
      .toThrow('series "p.a": ts must be ascending (index 1)');
    expect(() => evaluateOverHistory(c, new Map([['p.a', series([1, 2], [1])]]), { from: 0, to: 1, stepMs: 1 }))
      .toThrow('series "p.a": values has 1 entries, ts has 2');
    expect(() => evaluateOverHistory(c, data, { from: 0, to: 1, stepMs: 1 }, 'cubic' as 'step')).toThrow(/interpolation/);
  });

  it('accepts typed arrays as the store returns them', () => {
    const r = evaluateOverHistory(compile("tag('p.t') / 2"),
      new Map([['p.t', { ts: new Float64Array([0, 10]), values: new Float64Array([4, 8]), quality: new Uint16Array([0, 0]) }]]),
      { from: 0, to: 10, stepMs: 5 });
    expect(r.values).toEqual([2, 2, 4]);
  });
});
