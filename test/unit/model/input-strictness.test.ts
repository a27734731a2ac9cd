// Input oddities found by a hostile probe (issue 18, defect 8): each was accepted and
// silently stored as something else before.
import { describe, expect, it } from 'vitest';
import { parseSample, SampleError, toEpochMs, toQuality, toValue } from '../../../runtime/model';
import { parseTime } from '../../../runtime/model/schemas';
import { parseIngestItems } from '../../../runtime/ingest/metric-item';

const fieldOf = (f: () => unknown): string => {
  try { f(); } catch (e) { return (e as SampleError).field; }
  return 'accepted';
};

describe('timestamps', () => {
  it('refuses epoch seconds with a message saying so instead of storing 1970', () => {
    expect(() => toEpochMs(1_733_400_000)).toThrow(/looks like epoch seconds \(2024-12-05.*milliseconds/);
    expect(() => toEpochMs('1733400000')).toThrow(/epoch seconds/);
    expect(() => parseSample({ tag: 'a.b', ts: 1_733_400_000, value: 1 })).toThrow(SampleError);
    // milliseconds, ISO strings and early-1970 test times still pass
    expect(toEpochMs(1_733_400_000_000)).toBe(1_733_400_000_000);
    expect(toEpochMs('2024-12-05T12:00:00Z')).toBe(Date.UTC(2024, 11, 5, 12));
    expect(toEpochMs(5000)).toBe(5000);
  });

  it('range-checks relative times like absolute ones', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseTime('now-7d', 'from', now)).toBe(now - 7 * 86_400_000);
    expect(() => parseTime('now-99999999999999y', 'from', now)).toThrow(/^from: .*before 1970/);
    expect(fieldOf(() => parseTime('now-99999999999999y', 'at', now))).toBe('at');
  });
});

describe('values and qualities', () => {
  it('takes only plain decimal numbers from strings', () => {
    expect(() => toValue('0x1F')).toThrow(/finite number/);
    expect(() => toValue('0b101')).toThrow();
    expect(() => toValue('1_000')).toThrow();
    expect(() => toValue('Infinity')).toThrow();
    expect(toValue(' 31.5 ')).toBe(31.5);
    expect(toValue('-1e3')).toBe(-1000);
  });

  it('accepts known quality names and codes only', () => {
    expect(() => toQuality(12345)).toThrow(/must be one of GOOD/);
    expect(() => toQuality(0x4006)).toThrow();
    expect(toQuality('bad_not_connected')).toBe(0x8001);
    expect(toQuality(0x8001)).toBe(0x8001);
  });
});

describe('HTTP ingest items', () => {
  it('refuses labels that are not strings, naming the label', () => {
    const { items, errors } = parseIngestItems([
      { tag: 'a.b', value: 1, labels: { site: 'izmir' } },
      { tag: 'a.b', value: 1, labels: { site: { nested: true } } },
      { tag: 'a.b', value: 1, labels: { n: 3 } },
    ], Date.UTC(2026, 0, 1));
    expect(items.map((i) => i.index)).toEqual([0]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([[1, 'labels.site'], [2, 'labels.n']]);
  });

  it('names the timestamp field for seconds', () => {
    const { errors } = parseIngestItems([{ tag: 'a.b', value: 1, timestamp: 1_733_400_000 }], 0);
    expect(errors).toEqual([{ index: 0, field: 'timestamp', message: expect.stringMatching(/epoch seconds/) }]);
  });
});
