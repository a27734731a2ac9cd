import { describe, expect, it } from 'vitest';
import {
  compilePattern, parseBatch, parseSample, patternError, qualityName, qualityRank, samplesFromMessage, tagError, toEpochMs, worstQuality, QUALITY_CODES,
} from '../../../runtime/model';

describe('tags and patterns', () => {
  it('accepts ISA-95 paths and rejects bad segments, empty and over-long tags naming the problem', () => {
    expect(tagError('acme.izmir.plant1.line2.pump3.flow')).toBeNull();
    expect(tagError('acme..flow')).toMatch(/segment 2/);
    expect(tagError('acme.fl ow')).toMatch(/segment 2 \("fl ow"\)/);
    expect(tagError('')).toMatch(/non-empty/);
    expect(tagError(42)).toMatch(/string/);
    expect(tagError('a.'.repeat(128) + 'b')).toMatch(/255 bytes/);
  });

  it('matches NATS wildcards: * one segment, > one or more trailing segments', () => {
    const m = compilePattern('acme.*.line1.>');
    expect(m('acme.izmir.line1.pump1.flow')).toBe(true);
    expect(m('acme.izmir.line1.x')).toBe(true);
    expect(m('acme.izmir.line1')).toBe(false);
    expect(m('acme.izmir.sub.line1.x')).toBe(false);
    expect(compilePattern('>')('anything.at.all')).toBe(true);
    expect(compilePattern('a.*')('a.b')).toBe(true);
    expect(compilePattern('a.*')('a.b.c')).toBe(false);
    expect(compilePattern('a.b')('a.b')).toBe(true);
    expect(patternError('a.>.b')).toMatch(/segment 2/);
    expect(() => compilePattern('a..b')).toThrow(/segment 2/);
  });
});

describe('qualities', () => {
  it('ranks classes and keeps the worse one', () => {
    expect(qualityRank(QUALITY_CODES.GOOD)).toBe(0);
    expect(qualityRank(QUALITY_CODES.UNCERTAIN_OOR)).toBe(1);
    expect(qualityRank(QUALITY_CODES.BAD_NOT_CONNECTED)).toBe(2);
    expect(worstQuality(QUALITY_CODES.UNCERTAIN_OOR, QUALITY_CODES.BAD_SENSOR_FAILURE)).toBe(QUALITY_CODES.BAD_SENSOR_FAILURE);
    expect(worstQuality(QUALITY_CODES.BAD_NOT_CONNECTED, QUALITY_CODES.BAD)).toBe(QUALITY_CODES.BAD_NOT_CONNECTED);
    expect(qualityName(0x8123)).toBe('BAD_0x8123');
  });
});

describe('samples at the boundary', () => {
  it('parses values, booleans, timestamps in three forms and quality names', () => {
    expect(parseSample({ tag: 'a.b', ts: '2026-01-01T00:00:00Z', value: true, quality: 'uncertain_oor' }))
      .toEqual({ tag: 'a.b', ts: Date.UTC(2026, 0, 1), value: 1, quality: QUALITY_CODES.UNCERTAIN_OOR });
    expect(parseSample({ tag: 'a.b', ts: new Date(5000), value: '2.5' }).value).toBe(2.5);
    expect(parseSample({ tag: 'a.b', value: 1 }, 1234).ts).toBe(1234);
    expect(toEpochMs('1700000000000')).toBe(1_700_000_000_000);
  });

  it('rejects NaN, Infinity, bad timestamps and unknown qualities naming the field', () => {
    expect(() => parseSample({ tag: 'a.b', ts: 1, value: NaN })).toThrow(/^value: must be a finite number/);
    expect(() => parseSample({ tag: 'a.b', ts: 1, value: Infinity })).toThrow(/^value: /);
    expect(() => parseSample({ tag: 'a.b', ts: 'yesterday', value: 1 })).toThrow(/^ts: /);
    expect(() => parseSample({ tag: 'a.b', ts: -5, value: 1 })).toThrow(/^ts: is out of range/);
    expect(() => parseSample({ tag: 'a.b', ts: 1, value: 1, quality: 'MEH' })).toThrow(/^quality: /);
    expect(() => parseSample({ tag: 'a b', ts: 1, value: 1 })).toThrow(/^tag: /);
  });

  it('keeps the valid samples of a batch and reports the others with their index', () => {
    const { samples, errors } = parseBatch([
      { tag: 'a.b', ts: 1, value: 1 }, { tag: 'a.b', ts: 2, value: NaN }, { tag: 'a.b', ts: 3, value: 3 }, null as never,
    ]);
    expect(samples.map((s) => s.ts)).toEqual([1, 3]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^\[1\]\.value: /), expect.stringMatching(/^\[3\]\.sample: /)]);
  });

  it('reads both message forms and names msg properties in errors', () => {
    expect(samplesFromMessage({ topic: 'a.b', payload: 3, timestamp: 10, quality: 'BAD' }).samples)
      .toEqual([{ tag: 'a.b', ts: 10, value: 3, quality: QUALITY_CODES.BAD }]);
    expect(samplesFromMessage({ payload: [{ tag: 'a.b', ts: 1, value: 2 }] }).samples).toHaveLength(1);
    expect(samplesFromMessage({ payload: { tag: 'a.b', ts: 1, value: 2 } }).samples).toHaveLength(1);
    expect(samplesFromMessage({ payload: 3 }).errors[0].message).toMatch(/^msg\.topic: /);
    expect(samplesFromMessage({ topic: 'a.b', payload: 'x' }).errors[0].message).toMatch(/^msg\.payload: /);
    expect(samplesFromMessage({ topic: 'a.b', payload: 1, timestamp: {} }).errors[0].message).toMatch(/^msg\.timestamp: /);
  });
});
