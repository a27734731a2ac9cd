// Blocks written before a format change must read back identically afterwards.
// fixtures/format-v1.blk was written by the release that had chunk format 1 only
// (magic 0xA1) and rollup sections for every series; its series are regenerated here.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockReader } from '../../../runtime/tsdb/block';
import { LocalBlockSource } from '../../../runtime/tsdb/block-source';
import { summarize } from '../../../runtime/tsdb/summary';
import { fixtureSeries } from './fixtures/format-v1-series';
import { fixtureSeriesV2 } from './fixtures/format-v2-series';
import { fixtureSeriesV3 } from './fixtures/format-v3-series';

function bits(a: Float64Array): string[] {
  const u = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  return Array.from(u, (x) => x.toString(16));
}

function bucketRows(c: ReturnType<typeof fixtureSeries>[number]['cols'], res: number) {
  const out: Array<ReturnType<typeof summarize>> = [];
  let i = 0;
  while (i < c.ts.length) {
    const b = Math.floor(c.ts[i] / res) * res;
    let j = i;
    while (j < c.ts.length && c.ts[j] < b + res) j++;
    out.push(summarize(c, i, j));
    i = j;
  }
  return out;
}

describe('block and chunk format compatibility', () => {
  it('reads a format-1 block (every value codec, both rollup encodings) bit for bit', async () => {
    const src = new LocalBlockSource(path.join(__dirname, 'fixtures'));
    const r = await BlockReader.open('format-v1', src);
    const expected = fixtureSeries();
    expect([...r.series.keys()]).toEqual(expected.map((s) => s.tag));
    for (const { tag, cols } of expected) {
      const entry = r.series.get(tag)!;
      const ts: number[] = [], values: number[] = [], quality: number[] = [];
      let at = 0;
      for (const c of entry.chunks) {
        const d = await r.loadChunk(c);
        expect(c.summary).toEqual(summarize(cols, at, at + d.ts.length));
        at += d.ts.length;
        ts.push(...d.ts); values.push(...d.values); quality.push(...d.quality);
      }
      expect(ts, tag).toEqual(Array.from(cols.ts));
      expect(bits(Float64Array.from(values)), tag).toEqual(bits(cols.values));
      expect(quality, tag).toEqual(Array.from(cols.quality));
      for (const res of [60_000, 3_600_000]) {
        const rows = await r.rollups(tag, res);
        expect(rows, `${tag} ${res}`).not.toBeNull();
        const want = bucketRows(cols, res);
        expect(rows!.rows.length).toBe(want.length);
        for (let k = 0; k < want.length; k++) {
          const got = rows!.rows[k];
          expect(got.count).toBe(want[k].count);
          expect(got.min).toBe(want[k].min);
          expect(got.max).toBe(want[k].max);
          expect(got.first).toBe(want[k].first);
          expect(got.last).toBe(want[k].last);
          expect(got.firstTs).toBe(want[k].firstTs);
          expect(got.lastTs).toBe(want[k].lastTs);
          expect(got.quality).toBe(want[k].quality);
          expect(got.sum).toBeCloseTo(want[k].sum, 6);
        }
      }
    }
    await src.close();
  });

  it('reads a block of index version 2 with codec and plain rollup sections bit for bit', async () => {
    // fixtures/format-v2.blk: written by the release before rollup encoding 3 and index
    // version 3 (rollup levels only where they paid, rows codec-encoded or plain)
    const src = new LocalBlockSource(path.join(__dirname, 'fixtures'));
    const r = await BlockReader.open('format-v2', src);
    const expected = fixtureSeriesV2();
    expect([...r.series.keys()]).toEqual(expected.map((s) => s.tag));
    let levels = 0;
    for (const { tag, cols } of expected) {
      const entry = r.series.get(tag)!;
      const ts: number[] = [], values: number[] = [], quality: number[] = [];
      let at = 0;
      for (const c of entry.chunks) {
        const d = await r.loadChunk(c);
        expect(c.summary).toEqual(summarize(cols, at, at + d.ts.length));
        at += d.ts.length;
        ts.push(...d.ts); values.push(...d.values); quality.push(...d.quality);
      }
      expect(ts, tag).toEqual(Array.from(cols.ts));
      expect(bits(Float64Array.from(values)), tag).toEqual(bits(cols.values));
      expect(quality, tag).toEqual(Array.from(cols.quality));
      for (const { res } of entry.rollups) {
        levels++;
        const rows = (await r.rollups(tag, res))!;
        const want = bucketRows(cols, res);
        expect(rows.rows.length, `${tag} ${res}`).toBe(want.length);
        // every field, sums and integrals included, exactly as the samples give them
        expect(bitsOf(rows.rows), `${tag} ${res}`).toEqual(bitsOf(want));
        expect(Array.from(rows.starts)).toEqual(want.map((w) => Math.floor(w.firstTs / res) * res));
      }
    }
    // the levels that release kept: all three of the 1 s series (1 h and 1 d plain), 1 d of the 5-minute one
    expect(r.series.get('fx.dense')!.rollups.map((x) => x.res)).toEqual([60_000, 3_600_000, 86_400_000]);
    expect(r.series.get('fx.slow')!.rollups.map((x) => x.res)).toEqual([86_400_000]);
    expect(levels).toBeGreaterThan(8);
    // a level that joined the ladder later (5 min) is served by the finer level such a block keeps
    expect(bitsOf((await r.rollups('fx.dense', 300_000))!.rows)).toEqual(bitsOf((await r.rollups('fx.dense', 60_000))!.rows));
    expect(r.hasRollup('fx.slow', 3_600_000)).toBe(false);
    await src.close();
  });
});

describe('block index version 3', () => {
  it('reads a block of index version 3 (every chunk with its summary) bit for bit', async () => {
    // fixtures/format-v3.blk: written by the release before index version 4, which leaves
    // out the summaries of small chunks; every entry here must keep its stored summary
    const src = new LocalBlockSource(path.join(__dirname, 'fixtures'));
    const r = await BlockReader.open('format-v3', src);
    const expected = fixtureSeriesV3().sort((a, b) => (a.tag < b.tag ? -1 : 1));
    expect([...r.series.keys()]).toEqual(expected.map((s) => s.tag));
    for (const { tag, cols } of expected) {
      const entry = r.series.get(tag)!;
      const ts: number[] = [], values: number[] = [], quality: number[] = [];
      let at = 0;
      for (const c of entry.chunks) {
        expect(c.partial, tag).toBeFalsy();
        const d = await r.loadChunk(c);
        expect(bitsOf([c.summary])).toEqual(bitsOf([summarize(cols, at, at + d.ts.length)]));
        at += d.ts.length;
        ts.push(...d.ts); values.push(...d.values); quality.push(...d.quality);
      }
      expect(ts, tag).toEqual(Array.from(cols.ts));
      expect(bits(Float64Array.from(values)), tag).toEqual(bits(cols.values));
      expect(quality, tag).toEqual(Array.from(cols.quality));
      for (const { res } of entry.rollups) {
        const rows = (await r.rollups(tag, res))!;
        expect(bitsOf(rows.rows), `${tag} ${res}`).toEqual(bitsOf(bucketRows(cols, res)));
      }
    }
    expect(r.series.get('fx.hourly')!.chunks[0].summary.quality).toBe(0x4000);
    await src.close();
  });
});

function bitsOf(rows: object[]): unknown {
  return rows.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? (Object.is(v, -0) ? '-0' : v) : v])));
}
