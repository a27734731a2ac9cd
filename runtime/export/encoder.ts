// What every export format implements: a header, batches of rows in one of the two
// layouts, and an end. Encoders write to a Writable and wait on its back-pressure, so an
// export of any size needs the memory of one batch.
import { qualityName } from '../model';
import type { LongBatch, WideBatch } from './rows';

export type ExportFormat = 'csv' | 'xlsx' | 'json';
export type ExportLayout = 'long' | 'wide';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'xlsx', 'json'];

export interface ExportEncoder {
  readonly contentType: string;
  readonly extension: string;
  begin(): Promise<void>;
  long(b: LongBatch): Promise<void>;
  wide(b: WideBatch): Promise<void>;
  end(): Promise<void>;
}

/** Column titles: long = time, tag, value, quality; wide = time, then value and quality per tag. */
export function columnTitles(layout: ExportLayout, tags: readonly string[]): string[] {
  if (layout === 'long') return ['time', 'tag', 'value', 'quality'];
  const cols = ['time'];
  for (const t of tags) cols.push(t, `${t}:quality`);
  return cols;
}

const names = new Map<number, string>();
/** qualityName with a cache: there are only a handful of codes in any export. */
export function qualityText(code: number): string {
  let n = names.get(code);
  if (n === undefined) { n = qualityName(code); names.set(code, n); }
  return n;
}
