import { describe, expect, it } from 'vitest';
import { compile } from '../../../runtime/calc';
import { QUALITY_CODES } from '../../../runtime/model/quality';
import { evalWith } from './helpers';

const Q = QUALITY_CODES;
const s = (value: number, quality: number, ts = 0) => ({ value, ts, quality });

describe('quality propagation', () => {
  it('all GOOD inputs give GOOD', () => {
    expect(evalWith("tag('a.a') + tag('a.b')", { 'a.a': 1, 'a.b': 2 })).toEqual({ value: 3, quality: Q.GOOD });
  });

  it('the result takes the worst input quality, keeping its sub-status', () => {
    expect(evalWith("tag('a.a') + tag('a.b')", { 'a.a': s(1, Q.GOOD), 'a.b': s(2, Q.UNCERTAIN_OOR) }))
      .toEqual({ value: 3, quality: Q.UNCERTAIN_OOR });
    expect(evalWith("tag('a.a') * tag('a.b')", { 'a.a': s(2, Q.UNCERTAIN_SENSOR_CAL), 'a.b': s(3, Q.BAD_SENSOR_FAILURE) }))
      .toEqual({ value: 6, quality: Q.BAD_SENSOR_FAILURE });
  });

  it('on equal class the first input read wins', () => {
    expect(evalWith("tag('a.a') + tag('a.b')", { 'a.a': s(1, Q.UNCERTAIN_OOR), 'a.b': s(2, Q.UNCERTAIN_SENSOR_CAL) }).quality)
      .toBe(Q.UNCERTAIN_OOR);
  });

  it('inputs not read at this evaluation do not count', () => {
    const tags = { 'a.on': s(1, Q.GOOD), 'a.b': s(5, Q.BAD_COMM_FAILURE) };
    expect(evalWith("tag('a.on') > 0 || tag('a.b') > 3", tags)).toEqual({ value: 1, quality: Q.GOOD });
    expect(evalWith("if(tag('a.on'), 7, tag('a.b'))", tags)).toEqual({ value: 7, quality: Q.GOOD });
    tags['a.on'] = s(0, Q.GOOD);
    expect(evalWith("tag('a.on') > 0 || tag('a.b') > 3", tags)).toEqual({ value: 1, quality: Q.BAD_COMM_FAILURE });
  });

  it('a missing input gives no value and BAD_NO_DATA', () => {
    expect(evalWith("tag('a.a') + tag('a.zz')", { 'a.a': 1 })).toEqual({ value: null, quality: Q.BAD_NO_DATA });
    // even inside a comparison: NaN never turns into a valid 0/1
    expect(evalWith("tag('a.zz') > 5", {})).toEqual({ value: null, quality: Q.BAD_NO_DATA });
    expect(evalWith("!tag('a.zz')", {}).value).toBeNull();
    expect(evalWith("tag('a.zz') ? 1 : 2", {}).value).toBeNull();
  });

  it('a non-finite result is BAD with no value, never NaN or Infinity', () => {
    expect(evalWith("tag('a.a') / tag('a.b')", { 'a.a': 1, 'a.b': 0 })).toEqual({ value: null, quality: Q.BAD });
    expect(evalWith("tag('a.a') ^ 1000", { 'a.a': 10 })).toEqual({ value: null, quality: Q.BAD });
    expect(evalWith("sqrt(tag('a.a'))", { 'a.a': -1 })).toEqual({ value: null, quality: Q.BAD });
    expect(evalWith("0 * tag('a.a') / 0 + 1", { 'a.a': 1 })).toEqual({ value: null, quality: Q.BAD });
    // an input that is already BAD keeps its own sub-status
    expect(evalWith("tag('a.a') / 0", { 'a.a': s(1, Q.BAD_NOT_CONNECTED) })).toEqual({ value: null, quality: Q.BAD_NOT_CONNECTED });
  });

  it('a BAD input still yields its value, flagged BAD', () => {
    expect(evalWith("tag('a.a') * 2", { 'a.a': s(4, Q.BAD_OUT_OF_SERVICE) })).toEqual({ value: 8, quality: Q.BAD_OUT_OF_SERVICE });
  });
});

describe('stale inputs', () => {
  const c = compile("tag('a.a') + tag('a.b')", { staleAfterMs: 5000 });
  const at = (now: number, tags: Record<string, { value: number; ts: number; quality: number }>) =>
    c.evaluate({ now, get: (t) => tags[t] });

  it('an input older than staleAfterMs makes the result UNCERTAIN_STALE', () => {
    expect(at(10_000, { 'a.a': s(1, 0, 10_000), 'a.b': s(2, 0, 4_000) })).toEqual({ value: 3, quality: Q.UNCERTAIN_STALE });
  });

  it('exactly staleAfterMs old is still fresh', () => {
    expect(at(10_000, { 'a.a': s(1, 0, 10_000), 'a.b': s(2, 0, 5_000) })).toEqual({ value: 3, quality: Q.GOOD });
  });

  it('BAD outranks stale; an existing UNCERTAIN sub-status is kept', () => {
    expect(at(10_000, { 'a.a': s(1, Q.BAD_COMM_FAILURE, 10_000), 'a.b': s(2, 0, 0) }).quality).toBe(Q.BAD_COMM_FAILURE);
    expect(at(10_000, { 'a.a': s(1, Q.UNCERTAIN_OOR, 0), 'a.b': s(2, 0, 10_000) }).quality).toBe(Q.UNCERTAIN_OOR);
  });

  it('without staleAfterMs nothing is ever stale', () => {
    expect(evalWith("tag('a.a')", { 'a.a': s(1, 0, 0) }, 1e12)).toEqual({ value: 1, quality: Q.GOOD });
  });

  it('rejects a bad staleAfterMs and a bad evaluation time', () => {
    expect(() => compile('1', { staleAfterMs: -1 })).toThrow(/staleAfterMs/);
    expect(() => compile('1').evaluate({ now: NaN, get: () => undefined })).toThrow(/ctx.now/);
  });
});
