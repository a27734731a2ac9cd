// RFC 4180 CSV written by hand, batch by batch: a header line, then one line per row,
// CRLF line ends. Values are plain JS number text (shortest round-trip form), times ISO
// 8601 in the export's time zone.
import type { Writable } from 'node:stream';
import { columnTitles, qualityText, type ExportEncoder, type ExportLayout } from './encoder';
import type { LongBatch, WideBatch } from './rows';
import type { ZonedTime } from './time-format';
import { writeTo } from './zip-writer';

/** Quotes a field when needed; a leading = + - @ is defused so spreadsheets never run it as a formula. */
export function csvField(s: string): string {
  const t = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export class CsvEncoder implements ExportEncoder {
  readonly contentType = 'text/csv; charset=utf-8';
  readonly extension = 'csv';
  private readonly tagText: string[];

  constructor(private readonly out: Writable, private readonly tags: readonly string[], private readonly layout: ExportLayout, private readonly time: ZonedTime) {
    this.tagText = tags.map(csvField);
  }

  begin(): Promise<void> {
    return writeTo(this.out, columnTitles(this.layout, this.tags).map(csvField).join(',') + '\r\n');
  }

  long(b: LongBatch): Promise<void> {
    let s = '';
    for (let i = 0; i < b.n; i++) {
      s += `${this.time.iso(b.ts[i])},${this.tagText[b.tag[i]]},${b.value[i]},${qualityText(b.quality[i])}\r\n`;
    }
    return writeTo(this.out, s);
  }

  wide(b: WideBatch): Promise<void> {
    let s = '';
    const k = this.tags.length;
    for (let i = 0; i < b.n; i++) {
      s += this.time.iso(b.ts[i]);
      for (let j = 0; j < k; j++) s += b.has[j][i] ? `,${b.values[j][i]},${qualityText(b.quality[j][i])}` : ',,';
      s += '\r\n';
    }
    return writeTo(this.out, s);
  }

  async end(): Promise<void> {}
}
