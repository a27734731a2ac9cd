import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRollups, minSamplesPerRow, RollupBuilder } from '../../../runtime/tsdb/rollup';
import { decodePacked, encodePacked, ENC_PACKED } from '../../../runtime/tsdb/rollup-packed';
import { summarize } from '../../../runtime/tsdb/summary';

function bitsOf(x: ArrayLike<number>): string[] {
  return Array.from(x, (v) => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : String(v)));
}

const anyValue = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e7, max: 1e7 }).map((m) => m / 100),
  fc.constantFrom(-0, 0, 5e-324, 0.1 + 0.2, 1e300, -1e300, Infinity, 91.45716359999999),
);

/** Columns as a builder could give them, and arbitrary ones (what the decoder must survive too). */
const section = fc.integer({ min: 1, max: 60 }).chain((n) => fc.record({
  starts: fc.array(fc.integer({ min: 1, max: 1e7 }), { minLength: n, maxLength: n }).map((gaps) => { let t = 1.7e12; return gaps.map((g) => (t += g)); }),
  cols: fc.tuple(
    fc.array(fc.integer({ min: 1, max: 2 ** 24 }), { minLength: n, maxLength: n }),
    ...Array.from({ length: 6 }, () => fc.array(anyValue, { minLength: n, maxLength: n })),
    fc.array(fc.integer({ min: 0, max: 3_599_999 }), { minLength: n, maxLength: n }),
    fc.array(fc.integer({ min: 0, max: 3_599_999 }), { minLength: n, maxLength: n }),
  ),
  quality: fc.array(fc.constantFrom(0, 0, 0, 0x4001, 0x8000), { minLength: n, maxLength: n }),
}));

describe('rollup section encoding 3 (packed)', () => {
  it('decodes every column bit for bit, whatever the values (property)', () => {
    fc.assert(fc.property(section, (s) => {
      const buf = encodePacked(s)!;
      expect(buf).not.toBeNull();
      expect(buf[0]).toBe(ENC_PACKED);
      const d = decodePacked(buf);
      expect(bitsOf(d.starts)).toEqual(bitsOf(s.starts));
      for (let k = 0; k < 9; k++) expect(bitsOf(d.cols[k]), `column ${k}`).toEqual(bitsOf(s.cols[k]));
      expect(Array.from(d.quality)).toEqual(s.quality);
    }), { numRuns: 300 });
  });

  it('rows built from samples decode to the summaries of their buckets, exactly (property)', () => {
    const samples = fc.array(fc.tuple(fc.integer({ min: 1, max: 400_000 }), fc.oneof(fc.integer({ min: -5000, max: 5000 }).map((m) => m / 100), fc.double({ min: -1e6, max: 1e6, noNaN: true }))), { minLength: 1, maxLength: 400, size: 'max' });
    fc.assert(fc.property(samples, fc.constantFrom(60_000, 3_600_000), (list, res) => {
      const n = list.length;
      const c = { ts: new Float64Array(n), values: new Float64Array(n), quality: new Uint16Array(n) };
      let t = 1.7e12;
      list.forEach(([dt, v], i) => { c.ts[i] = t += dt; c.values[i] = v; c.quality[i] = i % 97 === 5 ? 0x8000 : 0; });
      const b = new RollupBuilder(res);
      for (let i = 0; i < n; i++) b.add(c.ts[i], c.values[i], c.quality[i]);
      const buf = b.finish();
      expect(buf[0]).toBe(ENC_PACKED);
      const got = decodeRollups(buf);
      let i = 0, k = 0;
      while (i < n) {
        const start = Math.floor(c.ts[i] / res) * res;
        let j = i;
        while (j < n && c.ts[j] < start + res) j++;
        expect(got.starts[k]).toBe(start);
        const want = summarize(c, i, j);
        const row = got.rows[k];
        for (const f of ['count', 'firstTs', 'lastTs', 'min', 'max', 'sum', 'first', 'last', 'integral', 'quality'] as const) expect(Object.is(row[f], want[f]), `${f}: ${row[f]} vs ${want[f]}`).toBe(true);
        i = j; k++;
      }
      expect(got.rows.length).toBe(k);
    }), { numRuns: 200 });
  });

  it('costs a few bytes a row for a regular 2-decimal series, far less than a chunk per column', () => {
    const b = new RollupBuilder(60_000);
    let x = 50;
    for (let i = 0; i < 86_400; i++) { x += Math.sin(i * 0.7) * 0.05; b.add(1.7e12 + i * 1000, Math.round(x * 100) / 100, 0); }
    expect(b.finish().length / 1440).toBeLessThan(6);
  });

  it('rejects corrupt sections instead of returning made-up rows', () => {
    const b = new RollupBuilder(60_000);
    for (let i = 0; i < 600; i++) b.add(1.7e12 + i * 1000, Math.round(Math.sin(i / 9) * 1000) / 100, 0);
    const buf = b.finish();
    expect(() => decodePacked(buf.subarray(0, buf.length - 3))).toThrow();
    expect(() => decodePacked(Buffer.concat([buf, Buffer.from([0, 0])]))).toThrow(/trailing/);
  });

  it('keeps a level only where the longest view it serves would otherwise decode over 200,000 samples', () => {
    // 10 Hz tags keep 1 min, 1 s tags not (5 min instead); 1 s, 10 s and 1-minute tags keep
    // 1 h, 5-minute tags not; 5-minute tags keep 1 d, hourly ones not
    expect(600).toBeGreaterThan(minSamplesPerRow(60_000));
    expect(60).toBeLessThan(minSamplesPerRow(60_000));
    expect(300).toBeGreaterThan(minSamplesPerRow(300_000));
    expect(30).toBeLessThan(minSamplesPerRow(300_000));
    expect(60).toBeGreaterThan(minSamplesPerRow(3_600_000));
    expect(12).toBeLessThan(minSamplesPerRow(3_600_000));
    expect(288).toBeGreaterThan(minSamplesPerRow(86_400_000));
    expect(24).toBeLessThan(minSamplesPerRow(86_400_000));
    // and the builder applies it to what it was given
    const week = Date.UTC(2024, 0, 4); // a week as compacted blocks align it
    const hourOf5min = new RollupBuilder(3_600_000);
    for (let i = 0; i < 2016; i++) hourOf5min.add(week + i * 300_000, i % 7, 0);
    expect(hourOf5min.pays).toBe(false);
    const hourOf1min = new RollupBuilder(3_600_000);
    for (let i = 0; i < 10_080; i++) hourOf1min.add(week + i * 60_000, i % 7, 0);
    expect(hourOf1min.pays).toBe(true);
    const dayOf5min = new RollupBuilder(86_400_000);
    for (let i = 0; i < 2016; i++) dayOf5min.add(week + i * 300_000, i % 7, 0);
    expect(dayOf5min.pays).toBe(true);
    const dayOfHourly = new RollupBuilder(86_400_000);
    for (let i = 0; i < 168; i++) dayOfHourly.add(week + i * 3_600_000, i % 7, 0);
    expect(dayOfHourly.pays).toBe(false);
  });

  it('a builder reset for the next series writes what a fresh one writes (a block writer keeps one per level)', () => {
    const reused = new RollupBuilder(60_000);
    // a long series grows its arrays, a short one then leaves rows of the long one behind them
    const series = [
      Array.from({ length: 5000 }, (_, i): [number, number, number] => [1.7e12 + i * 1000, Math.round(Math.sin(i / 50) * 1e4) / 100, i % 300 === 7 ? 0x4000 : 0]),
      Array.from({ length: 90 }, (_, i): [number, number, number] => [1.7e12 + 7 * i * 1000, i % 5, 0]),
      Array.from({ length: 1 }, (): [number, number, number] => [1.7e12, 42.5, 0x8000]),
      Array.from({ length: 700 }, (_, i): [number, number, number] => [1.7e12 + i * 60_000, i / 4, 0]),
    ];
    for (const rows of series) {
      const fresh = new RollupBuilder(60_000);
      reused.reset();
      for (const [t, v, q] of rows) { fresh.add(t, v, q); reused.add(t, v, q); }
      expect(reused.rows).toBe(fresh.rows);
      expect(reused.pays).toBe(fresh.pays);
      expect(reused.cannotPay(rows.length)).toBe(fresh.cannotPay(rows.length));
      const buf = reused.finish();
      expect(Buffer.compare(buf, fresh.finish())).toBe(0);
      // and both are right: each row is its bucket's summary (rows beyond the first arrays included)
      const c = { ts: Float64Array.from(rows, (r) => r[0]), values: Float64Array.from(rows, (r) => r[1]), quality: Uint16Array.from(rows, (r) => r[2]) };
      const got = decodeRollups(buf);
      let i = 0, k = 0;
      while (i < rows.length) {
        const start = Math.floor(c.ts[i] / 60_000) * 60_000;
        let j = i;
        while (j < rows.length && c.ts[j] < start + 60_000) j++;
        expect(got.starts[k]).toBe(start);
        expect(got.rows[k]).toEqual(summarize(c, i, j));
        i = j; k++;
      }
      expect(got.rows.length).toBe(k);
    }
  });
});
