// Export of a frame through the export service: the frame's window and tags become an
// ordinary export request, and a header section describing the frame (name, template,
// times, parent, attributes) comes first, so the file says which batch it is. CSV only:
// the header is `field,value` lines, a blank line, then the export's own CSV.
import type { Writable } from 'node:stream';
import { csvField } from '../export/csv-encoder';
import { encoderFor, rawSource, runExport, type ExportResult } from '../export/export-service';
import type { ExportRequest } from '../export/export-request';
import { ZonedTime } from '../export/time-format';
import { writeTo } from '../export/zip-writer';
import type { TsdbStore } from '../tsdb/store';
import { attributeText, type Frame } from './frame';
import { frameWindow } from './frame-data';

/** `field, value` rows describing a frame: what precedes its data in an export. */
export function frameHeader(f: Frame, time: ZonedTime): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['frame', f.name], ['id', f.id], ['template', f.template],
    ['start', time.iso(f.start)], ['end', f.end === null ? '' : time.iso(f.end)],
  ];
  if (f.parent) rows.push(['parent', f.parent]);
  for (const [k, v] of Object.entries(f.attributes)) rows.push([`attribute:${k}`, attributeText(v)]);
  return rows;
}

export function frameExportRequest(f: Frame, tags: string[], opts: { tz: string; layout: 'long' | 'wide' }, now: number): ExportRequest {
  const w = frameWindow(f, now);
  return { tags, from: w.from, to: w.to, format: 'csv', layout: opts.layout, tz: opts.tz };
}

export async function exportFrameCsv(out: Writable, store: TsdbStore, f: Frame, req: ExportRequest): Promise<ExportResult> {
  const time = new ZonedTime(req.tz);
  const head = frameHeader(f, time).map(([k, v]) => `${csvField(k)},${csvField(v)}`).join('\r\n');
  await writeTo(out, `${head}\r\n\r\n`);
  return runExport(rawSource(store), req, encoderFor(out, req, time));
}
