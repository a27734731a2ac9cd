import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SeriesIndex } from '../../../runtime/tsdb/block';
import { decodeIndex, encodeIndex, encodeIndexV3, SUMMARY_MIN_SAMPLES } from '../../../runtime/tsdb/block-index';

const value = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1e6, max: 1e6 }).map((m) => m / 100), fc.constantFrom(-0, 0, 5e-324, 0.1 + 0.2, 1e300));

const series = fc.array(fc.record({
  tag: fc.string({ minLength: 1, maxLength: 40 }),
  chunks: fc.array(fc.record({
    len: fc.integer({ min: 1, max: 1e6 }), crc: fc.integer({ min: 0, max: 2 ** 32 - 1 }), count: fc.integer({ min: 1, max: 2 ** 24 }),
    gap: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), span: fc.integer({ min: 0, max: 2 ** 40 }),
    min: value, max: value, first: value, last: value, sum: value, integral: value, quality: fc.integer({ min: 0, max: 0xffff }),
  }), { maxLength: 6 }),
  rollups: fc.array(fc.record({ res: fc.constantFrom(60_000, 3_600_000, 86_400_000, 1_500, 7), rows: fc.nat(1e6), offset: fc.nat(2 ** 40), len: fc.nat(2 ** 31), crc: fc.nat(2 ** 31) }), { maxLength: 3 }),
  base: fc.nat(2 ** 40),
}), { maxLength: 5 }).map((list) => list.map((s): SeriesIndex => {
  let offset = s.base;
  let ts = 0;
  return {
    tag: s.tag,
    rollups: s.rollups,
    chunks: s.chunks.map((c) => {
      const firstTs = ts + c.gap;
      ts = firstTs + c.span;
      const e = { offset, len: c.len, crc: c.crc, summary: { count: c.count, firstTs, lastTs: ts, min: c.min, max: c.max, sum: c.sum, first: c.first, last: c.last, integral: c.integral, quality: c.quality } };
      offset += c.len;
      return e;
    }),
  };
}));

function bitsOf(x: unknown): unknown {
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : x;
  if (Array.isArray(x)) return x.map(bitsOf);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, bitsOf(v)]));
  return x;
}

/** What version 4 keeps of an entry: small chunks keep count and times only. */
function asV4(list: SeriesIndex[]): SeriesIndex[] {
  return list.map((s) => ({
    ...s,
    chunks: s.chunks.map((c) => c.summary.count >= SUMMARY_MIN_SAMPLES ? c : {
      ...c, partial: true,
      summary: { count: c.summary.count, firstTs: c.summary.firstTs, lastTs: c.summary.lastTs, min: NaN, max: NaN, sum: NaN, first: NaN, last: NaN, integral: NaN, quality: 0 },
    }),
  }));
}

describe('block index summaries of large values', () => {
  it('keeps a large value exact beside one that needs decimals (both versions)', () => {
    for (const field of ['min', 'max', 'first'] as const) {
      for (const big of [-870702889230166, 870702889230166, -1e15, 11_258_999_068_426.5]) {
        const summary = { count: 100_000, firstTs: 0, lastTs: 0, min: 0, max: 0, sum: 0, first: 0, last: 0.01, integral: 0, quality: 0, [field]: big };
        const s: SeriesIndex[] = [{ tag: 'big', rollups: [], chunks: [{ offset: 8, len: 1, crc: 0, summary }] }];
        for (const [version, encode] of [[4, encodeIndex], [3, encodeIndexV3]] as const) {
          expect(decodeIndex(encode(s), version).get('big')!.chunks[0].summary[field]).toBe(big);
        }
      }
    }
  });
});

describe('block index version 3 (read)', () => {
  it('round-trips every entry exactly, -0 and extreme values included (property)', () => {
    fc.assert(fc.property(series, (list) => {
      const unique = [...new Map(list.map((s) => [s.tag, s])).values()];
      const got = decodeIndex(encodeIndexV3(unique), 3);
      expect(bitsOf([...got.values()])).toEqual(bitsOf(unique));
    }), { numRuns: 200 });
  });
});

describe('block index version 4', () => {
  it('round-trips every entry exactly, -0 and extreme values included; small chunks keep count and times (property)', () => {
    const small = fc.array(fc.record({ count: fc.integer({ min: 1, max: 2 * SUMMARY_MIN_SAMPLES }), sumInt: fc.integer({ min: -1e9, max: 1e9 }), scale: fc.integer({ min: 0, max: 4 }) }), { minLength: 6, maxLength: 6 });
    fc.assert(fc.property(series, small, (list, tweaks) => {
      const unique = [...new Map(list.map((s) => [s.tag, s])).values()];
      // chunks on both sides of the summary threshold, sums that are decimals at their scale
      let j = 0;
      for (const s of unique) for (const c of s.chunks) {
        const t = tweaks[j++ % tweaks.length];
        if (j % 2) { c.summary.count = t.count; c.summary.sum = t.sumInt / 10 ** t.scale; }
      }
      const got = decodeIndex(encodeIndex(unique), 4);
      expect(bitsOf([...got.values()])).toEqual(bitsOf(asV4(unique)));
    }), { numRuns: 300 });
  });

  it('keeps the sign of a decimal sum between 2^52 and 2^53 at its scale (found by the property above)', () => {
    const summary = { count: 1024, firstTs: 0, lastTs: 0, min: 0, max: 0, sum: -45035996273704.97, first: 0, last: -170.71, integral: 0, quality: 0 };
    const list: SeriesIndex[] = [{ tag: 'a', rollups: [], chunks: [{ offset: 0, len: 1, crc: 0, summary }] }];
    expect(decodeIndex(encodeIndex(list), 4).get('a')!.chunks[0].summary.sum).toBe(-45035996273704.97);
  });

  it('shares tag prefixes and suffixes with the previous tag', () => {
    const tags = ['a.b.tag00001.pv', 'a.b.tag00002.pv', 'a.b.tag00010.pv', 'a.c', 'a.c.x', 'x', 'xx', 'µ.pv', 'µµ.pv', ''];
    const list: SeriesIndex[] = tags.map((tag) => ({ tag, chunks: [], rollups: [] }));
    const back = decodeIndex(encodeIndex(list), 4);
    expect([...back.keys()]).toEqual(tags);
  });

  it('spends about half of version 1 on chunks of 2-decimal readings', () => {
    const s: SeriesIndex = { tag: 'slow.area1.tag00001.pv', rollups: [], chunks: [] };
    for (let i = 0; i < 5; i++) {
      s.chunks.push({ offset: 100 + i * 300, len: 300, crc: 123456789, summary: { count: 480, firstTs: 1.7e12 + i * 144e6, lastTs: 1.7e12 + i * 144e6 + 143.7e6, min: 20.01, max: 31.5, sum: 12345.670000000002, first: 25.25, last: 22.5, integral: 3.6e9 + 0.1, quality: 0 } });
    }
    const v2 = encodeIndexV3([s]).length;
    const v1 = 4 + 2 + s.tag.length + 4 + 5 * 90 + 1;
    expect(v2).toBeLessThan(0.6 * v1);
  });

  it('spends a few dozen bytes on a slow series in a block: one chunk and a day rollup', () => {
    // 1,000 five-minute tags in a week block: one chunk of 2016 samples and one rollup section each
    const list: SeriesIndex[] = [];
    let offset = 8;
    for (let k = 0; k < 1000; k++) {
      const first = 1.7e12, step = 300_000, n = 2016;
      const sum = 2016 * 41.37 + k * 0.01;
      const summary = { count: n, firstTs: first, lastTs: first + (n - 1) * step, min: 20.01, max: 61.5, sum, first: 40.25, last: 42.5, integral: step * (sum - 42.5), quality: 0 };
      const len = 1500 + (k % 50);
      list.push({ tag: `slow.area${k % 10}.tag${String(k).padStart(5, '0')}.pv`, chunks: [{ offset, len, crc: 0x9abcdef0, summary }], rollups: [{ res: 86_400_000, rows: 7, offset: offset + len, len: 140, crc: 0x12345678 }] });
      offset += len + 140;
    }
    list.sort((a, b) => (a.tag < b.tag ? -1 : 1));
    // offsets follow the sorted order, as the writer lays series out
    offset = 8;
    for (const s of list) { s.chunks[0].offset = offset; offset += s.chunks[0].len; s.rollups[0].offset = offset; offset += s.rollups[0].len; }
    const bytes = encodeIndexV3(list).length;
    // version 2 took ~115 bytes per series here (tag, f64 offsets, f64 integral, 28-byte rollup entry)
    expect(bytes / 1000).toBeLessThan(60);
    const back = decodeIndex(encodeIndexV3(list), 3);
    expect(bitsOf([...back.values()])).toEqual(bitsOf(list));
    // version 4: counts, spans and tags against the previous series, the sum as a decimal
    const v4 = encodeIndex(list).length;
    expect(v4).toBeLessThan(0.8 * bytes);
    expect(bitsOf([...decodeIndex(encodeIndex(list), 4).values()])).toEqual(bitsOf(list));
  });

  it('spends under 20 bytes on an hourly series in a week block (one chunk of 168 samples, no rollups)', () => {
    const list: SeriesIndex[] = [];
    let offset = 8;
    for (let k = 0; k < 200; k++) {
      const first = 1.7e12, step = 3_600_000, n = 168;
      const summary = { count: n, firstTs: first, lastTs: first + (n - 1) * step, min: 20.01, max: 61.5, sum: 6950.5, first: 40.25, last: 42.5, integral: step * (6950.5 - 42.5), quality: 0 };
      const len = 130 + (k % 20);
      list.push({ tag: `hourly.area${k % 10}.tag${String(k).padStart(5, '0')}.pv`, chunks: [{ offset, len, crc: 0x9abcdef0, summary }], rollups: [] });
      offset += len;
    }
    list.sort((a, b) => (a.tag < b.tag ? -1 : 1));
    offset = 8;
    for (const s of list) { s.chunks[0].offset = offset; offset += s.chunks[0].len; }
    const v3 = encodeIndexV3(list).length, v4 = encodeIndex(list).length;
    expect(v3 / 200).toBeGreaterThan(40);
    expect(v4 / 200).toBeLessThan(20);
    expect(bitsOf([...decodeIndex(encodeIndex(list), 4).values()])).toEqual(bitsOf(asV4(list)));
  });
});
