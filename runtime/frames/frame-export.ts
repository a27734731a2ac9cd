// Export of a frame through the export service: the frame's window and tags become an
// ordinary export request, and a header describing the frame (name, template, times,
// parent, attributes with their units) comes first, so the file says which batch it is. CSV: `field,value`
// lines (`field,value,unit` for an attribute with a unit), a blank line, then the export's own CSV. XLSX: a first sheet "Frame" with those
// rows, then the data sheets as GET /export writes them. Several frames in one file: CSV
// sections one after the other; an XLSX sheet per frame, named after it, with the frame's
// header rows above its column titles.
import type { Writable } from 'node:stream';
import { csvField } from '../export';
import { encoderFor, rawSource, runExport, type ExportResult } from '../export';
import { MAX_SHEET_ROWS, XlsxBook, XlsxEncoder } from '../export';
import type { ExportRequest } from '../export';
import { ZonedTime } from '../export';
import { writeTo } from '../export';
import type { TsdbStore } from '../tsdb';
import { attributeText, type Frame } from './frame';
import { frameWindow } from './frame-data';

/**
 * `field, value` rows describing a frame: what precedes its data in an export. An attribute
 * captured from a tag with a unit has the unit as a third cell (`attribute:flowBefore,44,m3/h`).
 */
export function frameHeader(f: Frame, time: ZonedTime): Array<[string, string] | [string, string, string]> {
  const rows: Array<[string, string] | [string, string, string]> = [
    ['frame', f.name], ['id', f.id], ['template', f.template],
    ['start', time.iso(f.start)], ['end', f.end === null ? '' : time.iso(f.end)],
  ];
  if (f.parent) rows.push(['parent', f.parent]);
  for (const [k, v] of Object.entries(f.attributes)) {
    const unit = f.units[k];
    rows.push(unit ? [`attribute:${k}`, attributeText(v), unit] : [`attribute:${k}`, attributeText(v)]);
  }
  return rows;
}

export function frameExportRequest(f: Frame, tags: string[], opts: { tz: string; layout: 'long' | 'wide'; format?: 'csv' | 'xlsx' }, now: number): ExportRequest {
  const w = frameWindow(f, now);
  return { tags, from: w.from, to: w.to, format: opts.format ?? 'csv', layout: opts.layout, tz: opts.tz };
}

/**
 * Several frames in one CSV: one section per frame (its header lines, a blank line, its
 * data with its own column titles), sections separated by a blank line, in the order given.
 */
export async function exportFramesCsv(out: Writable, store: TsdbStore, sections: ReadonlyArray<{ frame: Frame; req: ExportRequest }>): Promise<ExportResult> {
  let rows = 0;
  for (let i = 0; i < sections.length; i++) {
    if (i > 0) await writeTo(out, '\r\n');
    rows += (await exportFrameCsv(out, store, sections[i].frame, sections[i].req)).rows;
  }
  return { rows };
}

/**
 * Several frames in one workbook: a sheet per frame, in the order given, named after the
 * frame (made unique and cut to Excel's 31 characters), its header rows (frame, id,
 * template, start, end, parent, attribute:<name>), a blank row, then its data with titles.
 * A frame with more rows than a sheet holds continues on `<name> (2)`.
 */
export async function exportFramesXlsx(out: Writable, store: TsdbStore, sections: ReadonlyArray<{ frame: Frame; req: ExportRequest }>): Promise<ExportResult> {
  const book = new XlsxBook(out);
  let rows = 0;
  for (const { frame, req } of sections) {
    const time = new ZonedTime(req.tz);
    const enc = new XlsxEncoder(book, req.tags, req.layout, time, MAX_SHEET_ROWS, { header: frameHeader(frame, time), headerAt: 'top', sheetName: frame.name });
    rows += (await runExport(rawSource(store), req, enc)).rows;
  }
  await book.finish();
  return { rows };
}

export async function exportFrameXlsx(out: Writable, store: TsdbStore, f: Frame, req: ExportRequest): Promise<ExportResult> {
  const time = new ZonedTime(req.tz);
  return runExport(rawSource(store), req, new XlsxEncoder(out, req.tags, req.layout, time, MAX_SHEET_ROWS, { header: frameHeader(f, time), headerName: 'Frame' }));
}

export async function exportFrameCsv(out: Writable, store: TsdbStore, f: Frame, req: ExportRequest): Promise<ExportResult> {
  const time = new ZonedTime(req.tz);
  const head = frameHeader(f, time).map((cells) => cells.map(csvField).join(',')).join('\r\n');
  await writeTo(out, `${head}\r\n\r\n`);
  return runExport(rawSource(store), req, encoderFor(out, req, time));
}
