import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { qualityCode } from '../../../runtime/model';
import { encoderFor, rawSource, runExport, downsampledSource } from '../../../runtime/export/export-service';
import { parseExportRequest, ExportRequestError } from '../../../runtime/export/export-request';
import { XlsxEncoder } from '../../../runtime/export/xlsx-encoder';
import { XlsxBook } from '../../../runtime/export/xlsx-book';
import { ZonedTime } from '../../../runtime/export/time-format';
import { csvField } from '../../../runtime/export/csv-encoder';
import { longRows, type SeriesSource } from '../../../runtime/export/rows';
import { exportRoutes } from '../../../runtime/server/routes/export-routes';
import { makeTempDir } from '../../helpers/tmp';
import { serveRoutes, type TestApp } from './fixtures';

const A = 'acme.site.area.line1.pump1.flow';
const B = 'acme.site.area.line1.pump1.pressure';
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
let store: TsdbStore;

beforeAll(async () => {
  store = await TsdbStore.open({ dir: await makeTempDir('export-'), maintenanceIntervalMs: 0, outOfOrderWindowMs: 1e12 });
  const samples = [];
  for (let i = 0; i < 100; i++) samples.push({ tag: A, ts: T0 + i * 1000, value: i * 1.5, quality: i === 7 ? qualityCode('BAD_NOT_CONNECTED') : 0 });
  for (let i = 0; i < 50; i++) samples.push({ tag: B, ts: T0 + i * 2000, value: 100 - i, quality: 0 });
  await store.write(samples);
});
afterAll(async () => { await store.close(); });

function collect(): { out: PassThrough; done: Promise<Buffer> } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c) => chunks.push(c));
  return { out, done: new Promise((r) => out.on('end', () => r(Buffer.concat(chunks)))) };
}

async function exportToBuffer(query: Record<string, unknown>, source: SeriesSource = rawSource(store)): Promise<{ body: Buffer; rows: number }> {
  const req = parseExportRequest(query);
  const { out, done } = collect();
  const { rows } = await runExport(source, req, encoderFor(out, req));
  out.end();
  return { body: await done, rows };
}

describe('export request', () => {
  it('names the failing field', () => {
    const bad = (q: Record<string, unknown>) => { try { parseExportRequest(q); } catch (e) { return (e as ExportRequestError).field; } return null; };
    expect(bad({ from: 0, to: 1 })).toBe('tags');
    expect(bad({ tags: 'acme..x', from: 0, to: 1 })).toMatch(/^tags/);
    expect(bad({ tags: A, from: 'yesterday', to: 1 })).toBe('from');
    expect(bad({ tags: A, from: 5, to: 1 })).toBe('to');
    expect(bad({ tags: A, from: 0, to: 1, format: 'pdf' })).toBe('format');
    expect(bad({ tags: A, from: 0, to: 1, layout: 'tall' })).toBe('layout');
    expect(bad({ tags: A, from: 0, to: 1, tz: 'Mars/Olympus' })).toBe('tz');
    expect(parseExportRequest({ tags: `${A},${B},${A}`, from: 0, to: 1 }).tags).toEqual([A, B]);
  });
});

describe('CSV', () => {
  it('long layout: every sample once, merged by time, ties in tag order, quality named', async () => {
    const { body, rows } = await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 10_000, format: 'csv' });
    const lines = body.toString('utf8').split('\r\n');
    expect(lines[0]).toBe('time,tag,value,quality');
    expect(lines.at(-1)).toBe('');
    expect(rows).toBe(10 + 5);
    expect(lines.slice(1, 5)).toEqual([
      `2026-01-01T00:00:00.000Z,${A},0,GOOD`,
      `2026-01-01T00:00:00.000Z,${B},100,GOOD`,
      `2026-01-01T00:00:01.000Z,${A},1.5,GOOD`,
      `2026-01-01T00:00:02.000Z,${A},3,GOOD`,
    ]);
    expect(lines).toContain(`2026-01-01T00:00:07.000Z,${A},10.5,BAD_NOT_CONNECTED`);
    const times = lines.slice(1, -1).map((l) => l.split(',')[0]);
    expect([...times].sort()).toEqual(times);
  });

  it('wide layout: one row per timestamp, empty cells where a tag has no sample', async () => {
    const { body, rows } = await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 4000, format: 'csv', layout: 'wide' });
    expect(rows).toBe(4);
    expect(body.toString('utf8').split('\r\n')).toEqual([
      `time,${A},${A}:quality,${B},${B}:quality`,
      '2026-01-01T00:00:00.000Z,0,GOOD,100,GOOD',
      '2026-01-01T00:00:01.000Z,1.5,GOOD,,',
      '2026-01-01T00:00:02.000Z,3,GOOD,99,GOOD',
      '2026-01-01T00:00:03.000Z,4.5,GOOD,,',
      '',
    ]);
  });

  it('writes times in the requested zone, including its DST offset', async () => {
    const { body } = await exportToBuffer({ tags: A, from: T0, to: T0 + 1000, tz: 'Europe/Istanbul' });
    expect(body.toString().split('\r\n')[1]).toBe(`2026-01-01T03:00:00.000+03:00,${A},0,GOOD`);
    const ny = new ZonedTime('America/New_York');
    expect(ny.iso(Date.UTC(2026, 6, 1, 12))).toBe('2026-07-01T08:00:00.000-04:00');
    expect(ny.iso(Date.UTC(2026, 0, 1, 12))).toBe('2026-01-01T07:00:00.000-05:00');
  });

  it('quotes fields that need it and defuses formula prefixes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=cmd()')).toBe("'=cmd()");
    expect(csvField('-x.y')).toBe("'-x.y");
  });

  it('an empty range gives just the title line', async () => {
    const { body, rows } = await exportToBuffer({ tags: A, from: T0 - 10_000, to: T0 - 1 });
    expect(rows).toBe(0);
    expect(body.toString()).toBe('time,tag,value,quality\r\n');
  });

  it('"as displayed" exports the min-max view, not every sample', async () => {
    const { rows } = await exportToBuffer({ tags: A, from: T0, to: T0 + 100_000 }, downsampledSource(store, 10));
    expect(rows).toBeGreaterThan(2);
    expect(rows).toBeLessThanOrEqual(22);
  });
});

describe('JSON', () => {
  it('parses and holds the rows of both layouts', async () => {
    const long = JSON.parse((await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 3000, format: 'json' })).body.toString());
    expect(long.rows).toHaveLength(5);
    expect(long.rows[1]).toEqual({ ts: T0, time: '2026-01-01T00:00:00.000Z', tag: B, value: 100, quality: 'GOOD' });
    const wide = JSON.parse((await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 2000, format: 'json', layout: 'wide' })).body.toString());
    expect(wide.rows).toEqual([
      { ts: T0, time: '2026-01-01T00:00:00.000Z', values: { [A]: 0, [B]: 100 }, quality: { [A]: 'GOOD', [B]: 'GOOD' } },
      { ts: T0 + 1000, time: '2026-01-01T00:00:01.000Z', values: { [A]: 1.5 }, quality: { [A]: 'GOOD' } },
    ]);
  });
});

describe('XLSX', () => {
  it('is a workbook Excel readers open, with dates, values and quality in every row', async () => {
    const { body, rows } = await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 100_000, format: 'xlsx' });
    expect(rows).toBe(150);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Data');
    expect(ws.rowCount).toBe(151);
    expect(ws.getRow(1).values).toEqual([undefined, 'time', 'tag', 'value', 'quality']);
    const r2 = ws.getRow(2);
    expect((r2.getCell(1).value as Date).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(r2.getCell(2).value).toBe(A);
    const bad = ws.getRows(2, 150)!.find((r) => r.getCell(4).value === 'BAD_NOT_CONNECTED')!;
    expect(bad.getCell(3).value).toBe(10.5);
    expect((bad.getCell(1).value as Date).toISOString()).toBe('2026-01-01T00:00:07.000Z');
  });

  it('continues on a new sheet when one is full', async () => {
    const req = parseExportRequest({ tags: A, from: T0, to: T0 + 100_000, format: 'xlsx' });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c) => chunks.push(c));
    await runExport(rawSource(store), req, new XlsxEncoder(out, req.tags, 'long', new ZonedTime('UTC'), 30));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => [w.name, w.rowCount])).toEqual([['Data', 31], ['Data 2', 31], ['Data 3', 31], ['Data 4', 11]]);
    expect(wb.worksheets[3].getRow(11).getCell(3).value).toBe(99 * 1.5);
  });

  it('several exports share one book: a sheet each, header rows above the titles, names Excel accepts', async () => {
    const { out, done } = collect();
    const book = new XlsxBook(out);
    const time = new ZonedTime('UTC');
    const a = parseExportRequest({ tags: A, from: T0, to: T0 + 100_000, format: 'xlsx' });
    const b = parseExportRequest({ tags: B, from: T0, to: T0 + 10_000, format: 'xlsx' });
    // 100 rows of A with a 2-row header into sheets of 40 data rows and a title (Excel's limit, scaled down): the header and
    // its blank row take three of them on the first sheet, so 37 + 40 + 23
    await runExport(rawSource(store), a, new XlsxEncoder(book, a.tags, 'long', time, 40, { header: [['frame', 'Batch: 1/2'], ['lot', '7']], headerAt: 'top', sheetName: 'Batch: 1/2' }));
    await runExport(rawSource(store), b, new XlsxEncoder(book, b.tags, 'long', time, 40, { header: [['frame', 'other']], headerAt: 'top', sheetName: 'batch_ 1_2' }));
    await book.finish();
    out.end();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await done) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => [w.name, w.rowCount])).toEqual([['Batch_ 1_2', 41], ['Batch_ 1_2 (2)', 41], ['Batch_ 1_2 (3)', 24], ['batch_ 1_2 (4)', 8]]);
    const first = wb.worksheets[0];
    expect([first.getRow(1).values, first.getRow(2).values]).toEqual([[undefined, 'frame', 'Batch: 1/2'], [undefined, 'lot', '7']]);
    expect(first.getRow(3).getCell(1).value).toBe(null);
    expect(first.getRow(4).values).toEqual([undefined, 'time', 'tag', 'value', 'quality']);
    expect(first.getRow(5).getCell(3).value).toBe(0);
    expect(wb.worksheets[1].getRow(1).getCell(1).value).toBe('time');
    expect(wb.worksheets[2].getRow(24).getCell(3).value).toBe(99 * 1.5);
    const last = wb.worksheets[3];
    expect(last.getRow(1).values).toEqual([undefined, 'frame', 'other']);
    expect(last.getRow(4).getCell(2).value).toBe(B);
    expect(book.sheetName('x'.repeat(40))).toHaveLength(31);
  });

  it('wide layout leaves absent cells empty', async () => {
    const { body } = await exportToBuffer({ tags: `${A},${B}`, from: T0, to: T0 + 2000, format: 'xlsx', layout: 'wide' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(2).values).toEqual([undefined, expect.any(Date), 0, 'GOOD', 100, 'GOOD']);
    expect(ws.getRow(3).getCell(2).value).toBe(1.5);
    expect(ws.getRow(3).getCell(4).value).toBe(null);
  });
});

describe('streaming', () => {
  it('waits for a slow reader instead of buffering the whole export', async () => {
    let tsBase = 0;
    const big: SeriesSource = async function* () {
      for (let k = 0; k < 40; k++) {
        const n = 5000;
        const ts = new Float64Array(n).map((_, i) => tsBase + i);
        tsBase += n;
        yield { ts, values: new Float64Array(n), quality: new Uint16Array(n) };
      }
    };
    let pending = 0;
    let maxPending = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk, _enc, cb) { pending += chunk.length; maxPending = Math.max(maxPending, pending); setImmediate(() => { pending -= chunk.length; cb(); }); },
    });
    const req = parseExportRequest({ tags: A, from: 0, to: 1e6 });
    const { rows } = await runExport(big, req, encoderFor(slow, req));
    expect(rows).toBe(200_000);
    // one batch of text at most is ever waiting, not the ~10 MB export
    expect(maxPending).toBeLessThan(1_000_000);
  });

  it('the k-way merge keeps time order for many interleaved tags', async () => {
    const tags = ['a.x', 'b.x', 'c.x'];
    const src: SeriesSource = async function* (tag) {
      const k = tags.indexOf(tag);
      for (let part = 0; part < 3; part++) {
        const ts = Float64Array.from({ length: 4000 }, (_, i) => (part * 4000 + i) * 3 + (k === 2 ? 0 : k));
        yield { ts, values: ts.map(() => k), quality: new Uint16Array(ts.length) };
      }
    };
    const seen: Array<[number, number]> = [];
    for await (const b of longRows(src, tags, 0, 1e9)) for (let i = 0; i < b.n; i++) seen.push([b.ts[i], b.tag[i]]);
    expect(seen).toHaveLength(36_000);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i][0] > seen[i - 1][0] || (seen[i][0] === seen[i - 1][0] && seen[i][1] > seen[i - 1][1])).toBe(true);
    }
  });
});

describe('GET /export', () => {
  let app: TestApp;
  const events: unknown[] = [];
  beforeAll(async () => {
    app = await serveRoutes(exportRoutes({ store: async () => store, onExport: (e) => { events.push(e); } }));
  });
  afterAll(async () => { await app.close(); });

  it('streams a CSV attachment and reports the export to the hook', async () => {
    const r = await fetch(`${app.url}/export?tags=${A}&from=${T0}&to=${T0 + 5000}&format=csv`, { headers: { Authorization: 'Bearer OPERATOR:olga' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.csv"/);
    expect((await r.text()).split('\r\n')).toHaveLength(7);
    expect(events.at(-1)).toEqual({ user: 'olga', tags: [A], from: T0, to: T0 + 5000, format: 'csv', layout: 'long', points: null });
  });

  it('answers 400 naming the field, 401 without a login, 403 for a role without export', async () => {
    const bad = await fetch(`${app.url}/export?tags=${A}&from=${T0}&to=${T0 + 5}&tz=Nowhere/Land`, { headers: { Authorization: 'Bearer ADMIN' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^tz: /);
    expect((await fetch(`${app.url}/export?tags=${A}&from=0&to=1`)).status).toBe(401);
    expect((await fetch(`${app.url}/export?tags=${A}&from=0&to=1`, { headers: { Authorization: 'Bearer SERVICE' } })).status).toBe(403);
  });

  it('a hook that throws refuses the export before any byte', async () => {
    const refusing = await serveRoutes(exportRoutes({ store: async () => store, onExport: () => { throw new Error('audit trail unavailable'); } }));
    try {
      const r = await fetch(`${refusing.url}/export?tags=${A}&from=${T0}&to=${T0 + 5000}`, { headers: { Authorization: 'Bearer ADMIN' } });
      expect(r.status).toBe(500);
    } finally { await refusing.close(); }
  });
});
