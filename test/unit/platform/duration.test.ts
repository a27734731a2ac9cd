import { describe, expect, it } from 'vitest';
import { DurationError, durationOrError, parseDuration, parseDurationSetting } from '../../../runtime/platform';
import { parseDuration as parseCliDuration } from '../../../runtime/cli/duration';
import { compile } from '../../../runtime/calc';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

// Every spelling one of the three former grammars accepted, with its value.
const cliSpellings: Array<[string, number]> = [['90d', 90 * D], ['12h', 12 * H], ['30m', 30 * M], ['3600s', 3600 * S], ['2w', 14 * D], ['1.5h', 1.5 * H]];
const tierSpellings: Array<[string, number]> = [['30d', 30 * D], [' 30d ', 30 * D], ['30 d', 30 * D], ['250ms', 250], ['1y', 365 * D], ['2.5s', 2500]];
const calcSpellings: Array<[string, number]> = [['250ms', 250], ['1h30m', 90 * M], ['.5h', 30 * M], ['5min', 5 * M], ['2d', 2 * D], ['1m30s500ms', 90_500]];


describe('the one duration grammar', () => {
  it.each([...cliSpellings, ...tierSpellings, ...calcSpellings])('reads %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('allows blanks between parts and rounds to whole milliseconds', () => {
    expect(parseDuration('1h 30m')).toBe(90 * M);
    expect(parseDuration('1.0004ms')).toBe(1);
  });

  it('rejects what is not a duration, with a message naming the text', () => {
    expect(() => parseDuration('soon')).toThrow(DurationError);
    expect(durationOrError('soon')).toMatch(/^invalid duration "soon"/);
    expect(durationOrError('5q')).toBe('unknown duration unit "q" in "5q" (use ms, s, m (or min), h, d, w, y)');
    expect(durationOrError('')).toMatch(/must not be empty/);
    expect(durationOrError('3600')).toMatch(/^invalid duration "3600"/); // a bare number has no unit
    expect(durationOrError('-5m')).toMatch(/^invalid duration/);
    expect(durationOrError('0s')).toMatch(/greater than zero/);
    expect(parseDuration('0s', { allowZero: true })).toBe(0);
  });
});

describe('where durations are read', () => {
  it('configuration also takes milliseconds as a number or digits, and zero', () => {
    expect(parseDurationSetting('policyAge', '30d')).toBe(30 * D);
    expect(parseDurationSetting('policyAge', 1500)).toBe(1500);
    expect(parseDurationSetting('policyAge', ' 1500 ')).toBe(1500);
    expect(parseDurationSetting('policyAge', 0)).toBe(0);
    expect(() => parseDurationSetting('policyAge', '3 weeks')).toThrow(/^policyAge: must be a duration/);
    expect(() => parseDurationSetting('policyAge', -1)).toThrow(/^policyAge: /);
    expect(() => parseDurationSetting('policyAge', Number.NaN)).toThrow(/^policyAge: /);
    expect(() => parseDurationSetting('policyAge', { d: 1 })).toThrow(/^policyAge: /);
  });

  it('the command line takes the grammar or "never", and refuses a bare number', () => {
    for (const [text, ms] of cliSpellings) expect(parseCliDuration(text, 'expires')).toBe(ms);
    expect(parseCliDuration('1h30m', 'expires')).toBe(90 * M);
    expect(parseCliDuration('never', 'expires')).toBeNull();
    expect(() => parseCliDuration('3600', 'expires')).toThrow(/^--expires must be a positive duration/);
    expect(() => parseCliDuration('0d', 'expires')).toThrow(/^--expires must be a positive duration/);
  });

  it('calc reads the same grammar in literals and strings', () => {
    // 31 days is calc's longest window: 4w fits, 6w does not, so w reads as weeks
    expect(compile("avg(tag('a.b'), 4w)").stateful).toBe(true);
    expect(() => compile("avg(tag('a.b'), 6w)")).toThrow(/longer than the limit/);
    expect(compile("avg(tag('a.b'), '1h 30m')").stateful).toBe(true);
    expect(() => compile("avg(tag('a.b'), '1h 30q')")).toThrow(/unknown duration unit "q"/);
  });
});
