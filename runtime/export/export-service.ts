// Runs one export: picks the encoder, merges the tags' samples in time order and streams
// them through it. The caller supplies where samples come from (a store's raw query, or
// its min-max downsampling for "as displayed") and an onExport hook that sees every
// export before its first byte (the audit trail records it there).
import type { Writable } from 'node:stream';
import type { TsdbStore } from '../tsdb';
import type { Columns } from '../tsdb';
import { CsvEncoder } from './csv-encoder';
import type { ExportEncoder } from './encoder';
import type { ExportRequest } from './export-request';
import { JsonEncoder } from './json-encoder';
import { longRows, wideRows, type SeriesSource } from './rows';
import { ZonedTime } from './time-format';
import { XlsxEncoder } from './xlsx-encoder';

export interface ExportEvent {
  user: string | null;
  tags: string[];
  from: number;
  to: number;
  format: ExportRequest['format'];
  layout: ExportRequest['layout'];
  /** set when the export is the downsampled view rather than raw samples */
  points: number | null;
}

export type OnExport = (e: ExportEvent) => void | Promise<void>;

export interface ExportResult { rows: number }

export function encoderFor(out: Writable, req: ExportRequest, time = new ZonedTime(req.tz)): ExportEncoder {
  switch (req.format) {
    case 'csv': return new CsvEncoder(out, req.tags, req.layout, time);
    case 'json': return new JsonEncoder(out, req.tags, req.layout, time, { from: req.from, to: req.to });
    case 'xlsx': return new XlsxEncoder(out, req.tags, req.layout, time);
  }
}

/** Raw samples of a store. */
export function rawSource(store: TsdbStore): SeriesSource {
  return (tag, from, to) => store.raw({ tag, from, to });
}

/** The store's min-max downsampling to about `points` points: what a chart shows. */
export function downsampledSource(store: TsdbStore, points: number): SeriesSource {
  return async function* (tag, from, to): AsyncGenerator<Columns> {
    const p = await store.downsample({ tag, from, to, points, mode: 'minmax' });
    if (p.ts.length === 0) return;
    yield { ts: Float64Array.from(p.ts), values: Float64Array.from(p.values), quality: new Uint16Array(p.ts.length) };
  };
}

export function fileName(req: ExportRequest, ext: string): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const what = req.tags.length === 1 ? req.tags[0] : `${req.tags.length}-tags`;
  return `${what}_${stamp(req.from)}_${stamp(req.to)}.${ext}`;
}

/** Streams the export into `enc`; returns the number of data rows written. */
export async function runExport(source: SeriesSource, req: ExportRequest, enc: ExportEncoder): Promise<ExportResult> {
  let rows = 0;
  await enc.begin();
  if (req.layout === 'long') {
    for await (const b of longRows(source, req.tags, req.from, req.to)) { rows += b.n; await enc.long(b); }
  } else {
    for await (const b of wideRows(source, req.tags, req.from, req.to)) { rows += b.n; await enc.wide(b); }
  }
  await enc.end();
  return { rows };
}
