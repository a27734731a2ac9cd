import { describe, expect, it } from 'vitest';
import { compile, QUALITY_CODES_FOR_TESTS } from './quality-codes';
import { feed } from './helpers';

const { UNCERTAIN, UNCERTAIN_OOR, BAD, BAD_NO_DATA, BAD_SENSOR_FAILURE } = QUALITY_CODES_FOR_TESTS;
const values = (rs: { value: number | null }[]) => rs.map((r) => r.value);

// Expected outputs below are worked out by hand from the listed (t ms, value) points.
describe('window functions', () => {
  it('avg / sma over N samples', () => {
    const pts: [number, number][] = [[0, 1], [1000, 2], [2000, 3], [3000, 4], [4000, 10]];
    expect(values(feed('avg(x, 3)', pts))).toEqual([1, 1.5, 2, 3, 17 / 3]);
    expect(values(feed('sma(x, 3)', pts))).toEqual([1, 1.5, 2, 3, 17 / 3]);
  });

  it('avg over a time window (now - W, now]', () => {
    const pts: [number, number][] = [[0, 1], [2000, 3], [4000, 5], [6000, 7], [11000, 9]];
    // at 6000 the window (1000, 6000] holds 3, 5, 7; at 11000 (6000, 11000] holds only 9
    expect(values(feed('avg(x, 5s)', pts))).toEqual([1, 2, 3, 5, 9]);
    expect(values(feed("avg(x, '5s')", pts))).toEqual([1, 2, 3, 5, 9]);
  });

  it('a repeated timestamp replaces the previous point; an earlier one is held and UNCERTAIN', () => {
    const rs = feed('avg(x, 3)', [[0, 1], [1000, 2], [1000, 4], [500, 100], [2000, 7]]);
    expect(values(rs)).toEqual([1, 1.5, 2.5, 2.5, 4]);
    expect(rs[3].quality).toBe(UNCERTAIN);
    expect(rs[4].quality).toBe(0);
  });

  it('ewma seeds with the first sample', () => {
    expect(values(feed('ewma(x, 0.5)', [[0, 10], [1000, 20], [2000, 20]]))).toEqual([10, 15, 17.5]);
    expect(values(feed('ewma(x, 1)', [[0, 10], [1000, 20]]))).toEqual([10, 20]);
  });

  it('diff: 0 and UNCERTAIN on the first sample, then the change', () => {
    const rs = feed('diff(x)', [[0, 5], [1000, 8], [2000, 6], [2000, 9]]);
    expect(values(rs)).toEqual([0, 3, -2, 1]);
    expect(rs.map((r) => r.quality)).toEqual([UNCERTAIN, 0, 0, 0]);
  });

  it('rate per second', () => {
    expect(values(feed('rate(x)', [[0, 100], [2000, 110], [2500, 111]]))).toEqual([0, 5, 2]);
  });

  it('integral: trapezoid totalizer, per second by default or per given unit', () => {
    expect(values(feed('integral(x)', [[0, 2], [1000, 4], [3000, 4]]))).toEqual([0, 3, 11]);
    // 3600 m3/h for half an hour is 1800 m3
    expect(values(feed('integral(x, 1h)', [[0, 3600], [900_000, 3600], [1_800_000, 3600]]))).toEqual([0, 900, 1800]);
    // re-evaluating the same instant replaces that instant's segment
    expect(values(feed('integral(x)', [[0, 2], [1000, 4], [1000, 0]]))).toEqual([0, 3, 1]);
  });

  it('minw / maxw over N samples and over time', () => {
    const pts: [number, number][] = [[0, 5], [1000, 3], [2000, 8], [3000, 9], [4000, 10]];
    expect(values(feed('minw(x, 3)', pts))).toEqual([5, 3, 3, 3, 8]);
    expect(values(feed('maxw(x, 3)', pts))).toEqual([5, 5, 8, 9, 10]);
    const tp: [number, number][] = [[0, 5], [5000, 3], [12000, 8], [16000, 7]];
    expect(values(feed('minw(x, 10s)', tp))).toEqual([5, 3, 3, 7]);
    expect(values(feed('maxw(x, 10s)', tp))).toEqual([5, 5, 8, 8]);
  });

  it('minw / maxw follow replaced points', () => {
    expect(values(feed('minw(x, 5)', [[0, 5], [1000, 1], [1000, 6]]))).toEqual([5, 1, 5]);
    expect(values(feed('maxw(x, 5)', [[0, 5], [1000, 9], [1000, 2]]))).toEqual([5, 9, 5]);
  });

  it('twa weights each value by how long it held (previous-value hold)', () => {
    const pts: [number, number][] = [[0, 0], [4000, 10], [10000, 10], [14000, 0], [20000, 0]];
    // 10000: 0 for 4 s then 10 for 6 s -> 6;  14000: window [4000, 14000] all 10 -> 10
    // 20000: window [10000, 20000]: 10 for 4 s, 0 for 6 s -> 4
    expect(values(feed('twa(x, 10s)', pts))).toEqual([0, 0, 6, 10, 4]);
  });

  it('delay returns the value of D ago with that sample\'s quality', () => {
    const rs = feed('delay(x, 10s)', [[0, 1], [5000, 2, UNCERTAIN_OOR], [10000, 3], [12000, 4], [15000, 5]]);
    expect(values(rs)).toEqual([null, null, 1, 1, 2]);
    expect(rs.map((r) => r.quality)).toEqual([BAD_NO_DATA, BAD_NO_DATA, 0, 0, UNCERTAIN_OOR]);
  });

  it('deadband holds until the input moves more than the band', () => {
    const pts: [number, number][] = [[0, 10], [1, 10.5], [2, 11.2], [3, 10.5], [4, 9.9]];
    expect(values(feed('deadband(x, 1)', pts))).toEqual([10, 10, 11.2, 11.2, 9.9]);
  });

  it('timeSinceTrue counts seconds of continuous truth', () => {
    const pts: [number, number][] = [[0, 0], [1000, 1], [4000, 1], [5000, 0], [6000, 1], [8500, 1]];
    expect(values(feed('timeSinceTrue(x)', pts))).toEqual([0, 0, 3, 0, 0, 2.5]);
    expect(values(feed('timeSinceTrue(x > 5)', [[0, 6], [2000, 7], [3000, 1]]))).toEqual([0, 2, 0]);
  });

  it('BAD or non-finite arguments do not enter a window; the result is BAD meanwhile', () => {
    const rs = feed('avg(x, 3)', [[0, 1], [1000, 100, BAD_SENSOR_FAILURE], [2000, 3]]);
    expect(values(rs)).toEqual([1, null, 2]);
    expect(rs[1].quality).toBe(BAD_SENSOR_FAILURE);
    // the totalizer bridges the BAD gap with the trapezoid between good samples
    expect(values(feed('integral(x)', [[0, 2], [1000, 999, BAD], [2000, 2]]))).toEqual([0, null, 4]);
    expect(values(feed('avg(1 / x, 2)', [[0, 1], [1000, 0], [2000, 0.5]]))).toEqual([1, null, 1.5]);
  });

  it('each call site keeps its own state', () => {
    expect(values(feed('diff(x) + diff(x * 10)', [[0, 1], [1000, 2]]))).toEqual([0, 11]);
    const c = compile('avg(x, 2)', { aliases: { x: 'p.x' } });
    const d = c.clone();
    const at = (t: number, v: number) => ({ now: t, get: () => ({ value: v, ts: t, quality: 0 }) });
    c.evaluate(at(0, 10));
    expect(c.evaluate(at(1, 20)).value).toBe(15);
    expect(d.evaluate(at(1, 20)).value).toBe(20);
  });

  it('window functions nest', () => {
    expect(values(feed('avg(diff(x), 2)', [[0, 1], [1000, 3], [2000, 7]]))).toEqual([0, 1, 3]);
  });

  it('two windows of one expression combine', () => {
    const rs = feed('avg(x, 3) - ewma(x, 0.5)', [[0, 2], [1000, 4], [2000, 6]]);
    // avg: 2, 3, 4   ewma: 2, 3, 4.5
    expect(values(rs)).toEqual([0, 0, -0.5]);
  });

  it('a long time window caps its points and reports UNCERTAIN', () => {
    const pts: [number, number][] = Array.from({ length: 12 }, (_, i) => [i * 10, i]);
    const rs = feed('avg(x, 1h)', pts, { limits: { maxWindowPoints: 10 } });
    expect(rs[9]).toEqual({ value: 4.5, quality: 0 });
    expect(rs[11]).toEqual({ value: 6.5, quality: UNCERTAIN });
  });

  it('the running sum stays exact over many samples', () => {
    // 1e12 every 7th sample enters and leaves the sum; the tail holds only 0.1s
    const pts: [number, number][] = Array.from({ length: 5002 }, (_, i) => [i, i % 7 === 0 ? 1e12 : 0.1]);
    expect(feed('avg(x, 3)', pts)[5001].value).toBeCloseTo(0.1, 12); // 4999..5001: none divisible by 7
    const big: [number, number][] = Array.from({ length: 5000 }, (_, i) => [i, i < 4900 && i % 7 === 0 ? 1e12 : 0.1]);
    const rs = feed('avg(x, 50)', big);
    expect(rs[4999].value).toBeCloseTo(0.1, 9);
    // window 4881..4930 holds the big values at 4886 and 4893
    expect(rs[4930].value).toBeCloseTo((2e12 + 48 * 0.1) / 50, 3);
  });
});
