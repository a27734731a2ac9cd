// The scan of columnar JSON lines (runtime/ingest/series-line.ts) must answer exactly what
// JSON.parse + parseSeriesItem answer, line by line: the same items (same numbers, bit for
// bit, -0 included), the same refusals with the same index, sample, field and message.
// Generated lines mix the common shape with everything the scan hands back to JSON.parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSeriesEntry, parseIngestEntries, splitItems } from '../../../runtime/ingest';
import type { IngestEntry, IngestItemError } from '../../../runtime/ingest';

const T = 1_750_000_000_000;

/** What the body gave before the scan: every line through JSON.parse. */
function viaJsonParse(text: string, errors: IngestItemError[]): IngestEntry[] {
  const lines = text.split('\n');
  const items: unknown[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try { items[i] = JSON.parse(line); } catch (e) { errors.push({ index: i, field: 'line', message: `not JSON (${(e as Error).message})` }); }
  });
  return parseIngestEntries(items, 0, errors);
}

function viaScan(text: string, errors: IngestItemError[]): IngestEntry[] {
  return parseIngestEntries(splitItems(Buffer.from(text), 'lines', errors), 0, errors);
}

/** An entry as plain data; numbers as their bit patterns so -0 and 0 differ. */
function plain(e: IngestEntry): unknown {
  if (!isSeriesEntry(e)) return e;
  const bits = (a: ArrayLike<number>) => Array.from(a, (x) => Object.is(x, -0) ? '-0' : String(x));
  return { index: e.index, tag: e.tag, length: e.length, ts: bits(e.ts), values: bits(e.values), quality: e.quality && Array.from(e.quality), at: e.at ?? Array.from({ length: e.length }, (_, k) => k), dedupeId: e.dedupeId };
}

function same(text: string): void {
  const a: IngestItemError[] = [], b: IngestItemError[] = [];
  const want = viaJsonParse(text, a).map(plain), got = viaScan(text, b).map(plain);
  expect(got).toEqual(want);
  expect(b).toEqual(a);
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
// number texts: plain, printed doubles, float32 artefacts, long, exponents, and invalid JSON
const numberText = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => String(Math.fround(x) * 1.0000001)),
  fc.tuple(fc.boolean(), digits(1, 9), digits(0, 9)).map(([neg, i, f]) => `${neg ? '-' : ''}${i.replace(/^0+(?=\d)/, '')}${f ? '.' + f : ''}`),
  fc.tuple(digits(1, 20), digits(1, 20)).map(([i, f]) => `${i.replace(/^0+(?=\d)/, '')}.${f}`),
  fc.constantFrom('0', '-0', '0.0', '-0.0', '1e3', '1E-3', '2.5e+2', '1e400', '-1e400', '01', '1.', '.5', '-', '+1', '0x10', 'NaN', 'Infinity', '1_0', '1.5.5', '123456789012345', '1234567890123456', '0.1234567890123456789'),
);
const tsText = fc.oneof(
  fc.integer({ min: 0, max: 4_000_000_000_000 }).map(String),
  fc.integer({ min: T, max: T + 1e9 }).map(String),
  fc.constantFrom('1750000000', '1750000000000.5', '-1', '7258118400001', '1.75e12', '"2025-06-15T15:06:41Z"', 'null'),
);
const valueText = fc.oneof({ weight: 8, arbitrary: numberText }, { weight: 1, arbitrary: fc.constantFrom('true', 'false', '"2.5"', 'null', '"x"') });
const space = fc.constantFrom('', '', '', ' ', '  ', '\t', '\r');
const tag = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a.b', 'plant.area1.temp', 'x_1-2.y') }, { weight: 1, arbitrary: fc.constantFrom('', 'a b', 'a..b', 'ä.b', 'a\\u0062', 'a"b') });

const line = fc.record({
  n: fc.integer({ min: 0, max: 12 }),
  extra: fc.integer({ min: -1, max: 3 }),
  tag, ts: fc.array(tsText, { minLength: 12, maxLength: 12 }), values: fc.array(valueText, { minLength: 12, maxLength: 12 }),
  order: fc.constantFrom([0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1]),
  qualities: fc.array(fc.constantFrom('0', '0', '32769', '16384', '12345', 'null', '"GOOD"', '-1', '1.5'), { minLength: 13, maxLength: 13 }),
  alias: fc.boolean(), sp: space, more: fc.constantFrom('', '', '', '"qualities":[]', '"labels":{"a":"b"}', '"dedupe_id":"d1"', '"tag":"a.c"', '"bogus":1'),
  lose: fc.integer({ min: -1, max: 2 }),
}).map(({ n, extra, tag, ts, values, qualities, order, alias, sp, more, lose }) => {
  const parts = [
    `"${alias ? 'metric_name' : 'tag'}"${sp}:${sp}"${tag}"`,
    `"timestamps":${sp}[${sp}${ts.slice(0, n).join(`${sp},${sp}`)}${sp}]`,
    `"values":[${values.slice(0, Math.max(0, n + (extra === 3 ? 1 : 0))).join(',')}]`,
  ];
  const fields = order.map((k) => parts[k]).filter((_, k) => k !== lose);
  if (more === '"qualities":[]') fields.push(`"qualities":${sp}[${qualities.slice(0, n + (extra === 2 ? 1 : 0)).join(`,${sp}`)}]`);
  else if (more) fields.push(more);
  return `${sp}{${sp}${fields.join(`${sp},${sp}`)}${sp}}${sp}`;
});
const garbage = fc.constantFrom('', '   ', '{"tag":', '[1,2]', '{"tag":"a.b","value":1,"timestamp":1750000000000}', '{"tag":"a.b","timestamps":[1750000000000],"values":[1]', 'null');

describe('scanned columnar lines', () => {
  it('give what JSON.parse and parseSeriesItem give, for generated bodies', () => {
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 5, arbitrary: line }, { weight: 1, arbitrary: garbage }), { minLength: 1, maxLength: 8 }), fc.boolean(), (lines, endNl) => {
      same(lines.join('\n') + (endNl ? '\n' : ''));
    }), { numRuns: 3000 });
  });

  it('read every printed double bit-exactly, or leave it to JSON.parse', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e6, max: 1e6 }).map((k) => k / 100)), { minLength: 1, maxLength: 50, size: 'max' }), (vs) => {
      same(`{"tag":"a.b","timestamps":[${vs.map((_, i) => T + i).join(',')}],"values":[${vs.map(String).join(',')}]}`);
    }), { numRuns: 2000 });
  });

  it('take the common line without JSON.parse, and hand anything else to it', () => {
    const [fast, coded, slow] = parseIngestEntries(splitItems(Buffer.from([
      `{"tag":"a.b","timestamps":[${T},${T + 1}],"values":[1.5,-0]}`,
      `{"tag":"a.b","timestamps":[${T},${T + 1}],"values":[91.45716359999999,1e-3],"qualities":[0,32769]}`,
      `{"tag":"a.b","timestamps":[${T}],"values":[1],"qualities":["GOOD"]}`,
    ].join('\n')), 'lines', []), 0, []);
    if (!isSeriesEntry(fast) || !isSeriesEntry(coded) || !isSeriesEntry(slow)) throw new Error('expected columnar entries');
    expect(fast.values).toBeInstanceOf(Float64Array);
    expect(Array.from(fast.values)).toEqual([1.5, -0]);
    expect(coded.values).toBeInstanceOf(Float64Array);
    expect([Array.from(coded.values), Array.from(coded.quality!)]).toEqual([[91.45716359999999, 0.001], [0, 32769]]);
    expect(Array.isArray(slow.values)).toBe(true);
  });

  it('never take one tag for another, even when their bytes hash alike', () => {
    // a.djchjpgl and a.nbcwsvmz collide in the scan's 32-bit tag hash (found by search)
    const body = (tag: string, v: number) => Buffer.from(`{"tag":"${tag}","timestamps":[${T}],"values":[${v}]}\n{"tag":"a..b","timestamps":[${T}],"values":[0]}\n`);
    for (const [tag, v] of [['a.djchjpgl', 1], ['a.nbcwsvmz', 2], ['a.djchjpgl', 3], ['a.nbcwsvmz', 4]] as const) {
      const errors: IngestItemError[] = [];
      const entries = parseIngestEntries(splitItems(body(tag, v), 'lines', errors), 0, errors);
      expect(entries.map((e) => isSeriesEntry(e) && [e.tag, e.values[0]])).toEqual([[tag, v]]);
      expect(errors.map((e) => [e.index, e.field])).toEqual([[1, 'tag']]);
    }
  });

  it('keep each line its own numbers when a body outgrows the scan buffer', () => {
    const lines = Array.from({ length: 40 }, (_, k) => `{"tag":"a.t${k}","timestamps":[${Array.from({ length: 300 + k }, (_, i) => T + i).join(',')}],"values":[${Array.from({ length: 300 + k }, (_, i) => k * 1000 + i).join(',')}]}`);
    const entries = parseIngestEntries(splitItems(Buffer.from(lines.join('\n')), 'lines', []), 0, []);
    expect(entries).toHaveLength(40);
    entries.forEach((e, k) => {
      if (!isSeriesEntry(e)) throw new Error('expected a columnar entry');
      expect(e.length).toBe(300 + k);
      expect([e.values[0], e.values[e.length - 1], e.ts[e.length - 1]]).toEqual([k * 1000, k * 1000 + 299 + k, T + 299 + k]);
    });
  });
});
