// The ingest fast paths give exactly what the full checks give: quickSample either declines
// or returns parseSample's sample; tagError's one-pattern test agrees with the
// segment-by-segment rule; parseIngestItems keeps its per-field errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSample, quickSample, tagError, QUALITY_CODES } from '../../../runtime/model';
import { parseIngestItems } from '../../../runtime/ingest/metric-item';

/** The rule as written before the fast path: bytes, then every segment. */
function referenceTagError(tag: string): boolean {
  if (tag.length === 0 || Buffer.byteLength(tag) > 255) return false;
  return tag.split('.').every((s) => /^[A-Za-z0-9_-]+$/.test(s));
}

const segment = fc.stringMatching(/^[A-Za-z0-9_\- .é\n]{0,6}$/);
const tagLike = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
  fc.array(fc.constantFrom('a', 'B', '9', '_', '-'), { minLength: 250, maxLength: 260 }).map((s) => s.join('')),
  fc.string(),
);
const anyValue = fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constantFrom('1.5', '0x1F', '', null, undefined, NaN, Infinity), fc.string());
const anyTs = fc.oneof(
  fc.integer({ min: -10, max: 8_000_000_000_000 }), fc.integer({ min: 900_000_000, max: 200_000_000_000 }),
  fc.double({ min: 0, max: 8e12 }), fc.constantFrom(undefined, null, '2024-01-01T00:00:00Z', '1700000000000', '', NaN),
);
const anyQuality = fc.oneof(fc.constantFrom(undefined, null, 'GOOD', 'good', 'BAD_NOT_CONNECTED', 'toString', 12345, 0, 32768), fc.integer(), fc.string());

describe('ingest fast paths', () => {
  it('tagError accepts exactly the tags the segment rule accepts', () => {
    fc.assert(fc.property(tagLike, (tag) => {
      expect(tagError(tag) === null).toBe(referenceTagError(tag));
    }), { numRuns: 3000 });
    // the byte limit at its edge, and a non-ASCII tag the pattern does not take
    expect(tagError('a.'.repeat(127) + 'b')).toBeNull();
    expect(tagError('a.'.repeat(127) + 'bc')).toMatch(/255 bytes/);
    expect(tagError('a.é')).toMatch(/segment 2/);
  });

  it('quickSample declines or returns what parseSample returns', () => {
    const now = 1_700_000_000_123;
    fc.assert(fc.property(tagLike, anyTs, anyValue, anyQuality, (tag, ts, value, quality) => {
      const quick = quickSample(tag, ts, value, quality, now);
      if (quick === null) return;
      expect(quick).toEqual(parseSample({ tag, ts, value, quality }, now));
    }), { numRuns: 5000 });
    // and it does take the common case
    expect(quickSample('a.b', 1_700_000_000_000, 1.5, undefined, now)).toEqual({ tag: 'a.b', ts: 1_700_000_000_000, value: 1.5, quality: QUALITY_CODES.GOOD });
  });

  it('parseIngestItems names the wrong field of each bad item among good ones', () => {
    const now = Date.now();
    const body = [
      { tag: 'a.b', value: 1, timestamp: now },
      { tag: 'a..b', value: 1 },
      { metric_name: 'a.c', value: 2, timestamp: now, dedupe_id: 'x1' },
      { tag: 'a.b', value: 1, timestamp: 1_700_000_000 },
      { tag: 'a.b', value: 1, extra: true },
      { tag: 'a.b', value: 'NaN' },
      { tag: 'a.b', value: true, quality: 'bad' },
      { tag: 'a.b', value: 1, dedupe_id: '' },
    ];
    const { items, errors } = parseIngestItems(body, now);
    expect(items.map((i) => [i.index, i.sample.tag, i.sample.value, i.sample.quality, i.dedupeId])).toEqual([
      [0, 'a.b', 1, QUALITY_CODES.GOOD, null], [2, 'a.c', 2, QUALITY_CODES.GOOD, 'x1'], [6, 'a.b', 1, QUALITY_CODES.BAD, null],
    ]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([[1, 'tag'], [3, 'timestamp'], [4, 'extra'], [5, 'value'], [7, 'dedupe_id']]);
    expect(errors[0].message).toMatch(/segment 2/);
    expect(errors[1].message).toMatch(/epoch seconds/);
  });
});
