import { describe, expect, it } from 'vitest';
import { ARENA_PAGE_BYTES, ChunkArena } from '../../../runtime/tsdb/head-arena';
import { Head } from '../../../runtime/tsdb/head';

describe('head chunk arena', () => {
  it('places chunks back to back, raw ones 8-aligned, in pages that double up to the page size', () => {
    const a = new ChunkArena();
    const placed: Array<{ page: number; start: number; len: number }> = [];
    for (let i = 0; i < 2000; i++) {
      const len = 50 + ((i * 37) % 2300);
      const start = a.place(len, i % 3 === 0);
      placed.push({ page: a.placedPage, start, len });
      if (i % 3 === 0) expect(start % 8).toBe(0);
      expect(start + len).toBeLessThanOrEqual(a.page(a.placedPage).length);
    }
    // no two chunks of a page overlap
    const byPage = new Map<number, Array<{ start: number; len: number }>>();
    for (const p of placed) (byPage.get(p.page) ?? byPage.set(p.page, []).get(p.page)!).push(p);
    for (const list of byPage.values()) {
      list.sort((x, y) => x.start - y.start);
      for (let k = 1; k < list.length; k++) expect(list[k].start).toBeGreaterThanOrEqual(list[k - 1].start + list[k - 1].len);
    }
    const sizes = [...byPage.keys()].map((p) => a.page(p).length);
    expect(Math.max(...sizes)).toBe(ARENA_PAGE_BYTES);
    expect(sizes[0]).toBeLessThan(ARENA_PAGE_BYTES);
    expect(a.capacity).toBe(sizes.reduce((s, x) => s + x, 0));
    // the pages are mostly used: at most one chunk's worth is left at the end of each, and pages grow to 100 chunks' worth
    const used = placed.reduce((s, p) => s + p.len, 0);
    expect(used).toBeGreaterThan(a.capacity * 0.85);
  });

  it('gives a chunk larger than a page a page of its own', () => {
    const a = new ChunkArena();
    a.place(100, false);
    const start = a.place(ARENA_PAGE_BYTES + 10, true);
    expect(start).toBe(0);
    expect(a.page(a.placedPage).length).toBe(ARENA_PAGE_BYTES + 10);
    expect(a.place(100, false)).toBeGreaterThanOrEqual(0);
  });

  it('keeps every series of a head readable from the shared pages', () => {
    const h = new Head(1e12, 0, 128, 1 << 30);
    // interleaved series, so their chunks alternate in the pages
    for (let i = 0; i < 5000; i++) for (let k = 0; k < 7; k++) h.getOrCreate(`s${k}`).append(i * 1000, k * 1e6 + i, k);
    for (let k = 0; k < 7; k++) {
      const s = h.getOrCreate(`s${k}`);
      expect(s.closedCount).toBe(Math.floor(5000 / 128));
      let i = 0;
      for (const c of s.closed) {
        const cols = c.load();
        for (let j = 0; j < c.summary.count; j++, i++) {
          expect(cols.ts[j]).toBe(i * 1000);
          expect(cols.values[j]).toBe(k * 1e6 + i);
          expect(cols.quality[j]).toBe(k);
        }
      }
      expect(i).toBe(s.closedCount * 128);
    }
  });
});
