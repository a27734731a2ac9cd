import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SeriesIndex } from '../../../runtime/tsdb/block';
import { decodeIndex, encodeIndex } from '../../../runtime/tsdb/block-index';

const value = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1e6, max: 1e6 }).map((m) => m / 100), fc.constantFrom(-0, 0, 5e-324, 0.1 + 0.2, 1e300));

const series = fc.array(fc.record({
  tag: fc.string({ minLength: 1, maxLength: 40 }),
  chunks: fc.array(fc.record({
    len: fc.integer({ min: 1, max: 1e6 }), crc: fc.integer({ min: 0, max: 2 ** 32 - 1 }), count: fc.integer({ min: 1, max: 2 ** 24 }),
    gap: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), span: fc.integer({ min: 0, max: 2 ** 40 }),
    min: value, max: value, first: value, last: value, sum: value, integral: value, quality: fc.integer({ min: 0, max: 0xffff }),
  }), { maxLength: 6 }),
  rollups: fc.array(fc.record({ res: fc.constantFrom(60_000, 3_600_000), rows: fc.nat(1e6), offset: fc.nat(2 ** 40), len: fc.nat(2 ** 31), crc: fc.nat(2 ** 31) }), { maxLength: 3 }),
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

describe('block index version 3', () => {
  it('round-trips every entry exactly, -0 and extreme values included (property)', () => {
    fc.assert(fc.property(series, (list) => {
      const unique = [...new Map(list.map((s) => [s.tag, s])).values()];
      const got = decodeIndex(encodeIndex(unique), 3);
      expect(bitsOf([...got.values()])).toEqual(bitsOf(unique));
    }), { numRuns: 200 });
  });

  it('spends about half of version 1 on chunks of 2-decimal readings', () => {
    const s: SeriesIndex = { tag: 'slow.area1.tag00001.pv', rollups: [], chunks: [] };
    for (let i = 0; i < 5; i++) {
      s.chunks.push({ offset: 100 + i * 300, len: 300, crc: 123456789, summary: { count: 480, firstTs: 1.7e12 + i * 144e6, lastTs: 1.7e12 + i * 144e6 + 143.7e6, min: 20.01, max: 31.5, sum: 12345.670000000002, first: 25.25, last: 22.5, integral: 3.6e9 + 0.1, quality: 0 } });
    }
    const v2 = encodeIndex([s]).length;
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
    const bytes = encodeIndex(list).length;
    // version 2 took ~115 bytes per series here (tag, f64 offsets, f64 integral, 28-byte rollup entry)
    expect(bytes / 1000).toBeLessThan(60);
    const back = decodeIndex(encodeIndex(list), 3);
    expect(bitsOf([...back.values()])).toEqual(bitsOf(list));
  });
});
