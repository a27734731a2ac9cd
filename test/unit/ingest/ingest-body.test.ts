// The HTTP ingest body: columnar items checked per sample (position and field named), the
// JSON-lines framing (index = line number, a broken line refused alone), and sample counts
// for the limits taken before any item is checked.
import { describe, expect, it } from 'vitest';
import { countSamples, framingOf, IngestBodyError, isSeriesEntry, parseIngestEntries, splitItems } from '../../../runtime/ingest';
import type { IngestItemError } from '../../../runtime/ingest';
import { QUALITY_CODES } from '../../../runtime/model';

const T = 1_750_000_000_000;

describe('columnar ingest items', () => {
  it('converts what the row form converts and names each bad sample by position', () => {
    const errors: IngestItemError[] = [];
    const [e] = parseIngestEntries([{
      metric_name: 'a.b', timestamps: [T, '2025-06-15T15:06:41Z', T + 2000, T + 3000, 1_750_000_004, T + 5000],
      values: [1.5, true, '2.25', 'NaN', 4, 5], qualities: [null, 'BAD_NOT_CONNECTED', QUALITY_CODES.UNCERTAIN, null, null, 12345],
    }], 0, errors);
    expect(isSeriesEntry(e)).toBe(true);
    if (!isSeriesEntry(e)) return;
    expect(Array.from({ length: e.length }, (_, k) => [e.ts[k], e.values[k], e.quality ? e.quality[k] : QUALITY_CODES.GOOD])).toEqual([
      [T, 1.5, QUALITY_CODES.GOOD], [T + 1000, 1, QUALITY_CODES.BAD_NOT_CONNECTED], [T + 2000, 2.25, QUALITY_CODES.UNCERTAIN],
    ]);
    expect(e.at).toEqual([0, 1, 2]);
    expect(errors.map((x) => [x.index, x.sample, x.field])).toEqual([[0, 3, 'values[3]'], [0, 4, 'timestamps[4]'], [0, 5, 'qualities[5]']]);
  });

  it('refuses a malformed item whole, saying how many samples it carried', () => {
    const errors: IngestItemError[] = [];
    const out = parseIngestEntries([
      { tag: 'a.b', timestamps: [T, T + 1], values: [1] },
      { tag: 'a.b', timestamps: [T, T + 1], values: [1, 2], qualities: ['GOOD'] },
      { tag: 'a b', timestamps: [T], values: [1] },
      { tag: 'a.b', timestamps: [], values: [] },
      { tag: 'a.b', values: [1, 2, 3] },
      { tag: 'a.b', timestamps: [T], values: [1], dedupe_id: '' },
    ], 0, errors);
    expect(out).toEqual([]);
    expect(errors.map((x) => [x.index, x.field, x.samples])).toEqual([
      [0, 'values', 2], [1, 'qualities', 2], [2, 'tag', 1], [3, 'values', 1], [4, 'timestamps', 3], [5, 'dedupe_id', 1],
    ]);
  });

  it('keeps body order across row and columnar items', () => {
    const errors: IngestItemError[] = [];
    const out = parseIngestEntries([{ tag: 'a.b', value: 1, timestamp: T }, { tag: 'a.c', timestamps: [T], values: [2] }, { tag: 'a.d', value: 3, timestamp: T }], 0, errors);
    expect(out.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(errors).toEqual([]);
  });

  it("takes a clean item's own arrays as its columns, all GOOD", () => {
    const errors: IngestItemError[] = [];
    const ts = [T, T + 1000, T + 2000], values = [1, 2.5, -3];
    const [e] = parseIngestEntries([{ tag: 'a.b', timestamps: ts, values }], 0, errors);
    if (!isSeriesEntry(e)) throw new Error('expected a columnar entry');
    expect([e.length, e.ts, e.values, e.quality, e.at]).toEqual([3, ts, values, null, null]);
    expect(errors).toEqual([]);
  });
});

describe('body framing', () => {
  it('reads JSON lines by line number, refusing a broken line alone and skipping blank ones', () => {
    const errors: IngestItemError[] = [];
    const items = splitItems('{"tag":"a.b","timestamps":[1750000000000],"values":[1]}\n\n{"tag":\n{"tag":"a.b","value":2,"timestamp":1750000001000}\n', 'lines', errors);
    expect(items).toHaveLength(4);
    expect(errors).toEqual([{ index: 2, field: 'line', message: expect.stringMatching(/^not JSON/) }]);
    expect(countSamples(items)).toBe(2);
    expect(parseIngestEntries(items, 0, errors).map((e) => e.index)).toEqual([0, 3]);
  });

  it('takes JSON arrays and single items, refuses a body that is not JSON, and knows its media types', () => {
    expect(splitItems('{"tag":"a.b","value":1}', 'json', [])).toHaveLength(1);
    expect(countSamples(splitItems('[{"tag":"a.b","timestamps":[1,2,3],"values":[1,2,3]},{"tag":"a.b","value":1}]', 'json', []))).toBe(4);
    expect(() => splitItems('[{"tag":', 'json', [])).toThrow(IngestBodyError);
    expect(framingOf('application/json; charset=utf-8')).toBe('json');
    expect(framingOf('application/x-ndjson')).toBe('lines');
    expect(framingOf('application/jsonl')).toBe('lines');
    expect(framingOf('text/plain')).toBeNull();
    expect(framingOf(undefined)).toBeNull();
  });
});
