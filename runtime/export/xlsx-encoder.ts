// A streaming XLSX (Office Open XML SpreadsheetML) writer: the sheet XML is generated row
// by row into a deflating ZIP entry, so a million-row workbook needs the memory of one
// batch. Strings (titles, tags, quality names — a small set) go to the shared-string
// table, written after the sheets; times are Excel serial dates with a millisecond
// format; a sheet that reaches Excel's row limit continues on the next sheet. Several
// encoders can write into one XlsxBook (one sheet per event frame, say).
// See FORMAT-export.md for the parts written.
import type { Writable } from 'node:stream';
import { columnTitles, qualityText, type ExportEncoder, type ExportLayout } from './encoder';
import type { LongBatch, WideBatch } from './rows';
import type { ZonedTime } from './time-format';
import { XlsxBook, xmlEscape } from './xlsx-book';

export { xmlEscape };

/** Excel's sheet limit is 1,048,576 rows, one of which is the title row. */
export const MAX_SHEET_ROWS = 1_048_575;

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** `field, value` rows, with an optional third cell (an attribute's unit) */
export type XlsxHeader = ReadonlyArray<readonly [string, string] | readonly [string, string, string]>;

export interface XlsxSheetOptions {
  /** `field, value` rows describing the export (e.g. the event frame it is of) */
  header?: XlsxHeader | null;
  /** 'sheet' (default): the header on its own first sheet named `headerName`; 'top': above the column titles of the first data sheet */
  headerAt?: 'sheet' | 'top';
  headerName?: string;
  /** name of the data sheet; a full sheet continues on `<name> (2)`, ... (default `Data`, then `Data 2`, ...) */
  sheetName?: string;
}

export class XlsxEncoder implements ExportEncoder {
  readonly contentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  readonly extension = 'xlsx';
  private readonly book: XlsxBook;
  /** the encoder made the book, so it finishes it; a shared book is finished by its owner */
  private readonly ownsBook: boolean;
  private readonly titles: string[];
  private part = 0;
  private row = 0;
  /** data rows the current sheet can still take */
  private capacity = 0;
  private readonly tagIdx: number[];
  private readonly cols: string[];

  /**
   * `out`: a stream (the encoder writes a whole workbook) or a shared XlsxBook (the encoder
   * adds its sheets; the book's owner finishes it).
   */
  constructor(out: Writable | XlsxBook, private readonly tags: readonly string[], private readonly layout: ExportLayout, private readonly time: ZonedTime,
    private readonly maxSheetRows = MAX_SHEET_ROWS, private readonly opts: XlsxSheetOptions = {}) {
    this.ownsBook = !(out instanceof XlsxBook);
    this.book = out instanceof XlsxBook ? out : new XlsxBook(out);
    this.titles = columnTitles(layout, tags);
    this.tagIdx = tags.map((t) => this.book.str(t));
    this.cols = this.titles.map((_, i) => colName(i));
  }

  private q(code: number): number {
    return this.book.str(qualityText(code));
  }

  private headerRows(rows: XlsxHeader): string {
    return rows.map(([k, v, unit], i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s" s="2"><v>${this.book.str(k)}</v></c><c r="B${i + 1}" t="s"><v>${this.book.str(v)}</v></c>${
      unit === undefined ? '' : `<c r="C${i + 1}" t="s"><v>${this.book.str(unit)}</v></c>`}</row>`).join('');
  }

  private async openSheet(): Promise<void> {
    this.part++;
    const base = this.opts.sheetName;
    const wanted = base === undefined ? (this.part === 1 ? 'Data' : `Data ${this.part}`) : this.part === 1 ? base : `${base} (${this.part})`;
    await this.book.openSheet(this.book.sheetName(wanted));
    // a header above the titles: its rows, a blank row, then the titles
    const top = this.part === 1 && this.opts.header && this.opts.headerAt === 'top' ? this.opts.header : null;
    const titleRow = top ? top.length + 2 : 1;
    this.row = titleRow;
    this.capacity = this.maxSheetRows - (titleRow - 1);
    const widths = this.titles.map((_, i) => `<col min="${i + 1}" max="${i + 1}" width="${i === 0 ? 24 : this.layout === 'long' && i === 1 ? 48 : 16}" customWidth="1"/>`).join('');
    await this.book.write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView workbookViewId="0"><pane ySplit="${titleRow}" topLeftCell="A${titleRow + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>${widths}</cols><sheetData>${top ? this.headerRows(top) : ''}<row r="${titleRow}">${
  this.titles.map((t, i) => `<c r="${colName(i)}${titleRow}" t="s" s="2"><v>${this.book.str(t)}</v></c>`).join('')}</row>`);
  }

  private async closeSheet(): Promise<void> {
    await this.book.write('</sheetData></worksheet>');
    await this.book.closeSheet();
  }

  async begin(): Promise<void> {
    const header = this.opts.header;
    if (header && this.opts.headerAt !== 'top') {
      await this.book.openSheet(this.book.sheetName(this.opts.headerName ?? 'Info'));
      await this.book.write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="1" width="24" customWidth="1"/><col min="2" max="2" width="48" customWidth="1"/></cols><sheetData>${this.headerRows(header)}</sheetData></worksheet>`);
      await this.book.closeSheet();
    }
    return this.openSheet();
  }

  /** Rows [i, j) of a batch fit on the current sheet; rolls over to a new sheet when full. */
  private async room(): Promise<number> {
    if (this.capacity <= 0) { await this.closeSheet(); await this.openSheet(); }
    return this.capacity;
  }

  async long(b: LongBatch): Promise<void> {
    let i = 0;
    while (i < b.n) {
      const end = Math.min(b.n, i + (await this.room()));
      let s = '';
      let r = this.row;
      for (; i < end; i++) {
        // Cell references are optional in the format but some readers need them.
        s += `<row r="${++r}"><c r="A${r}" s="1"><v>${this.time.excelSerial(b.ts[i])}</v></c><c r="B${r}" t="s"><v>${this.tagIdx[b.tag[i]]}</v></c><c r="C${r}"><v>${b.value[i]}</v></c><c r="D${r}" t="s"><v>${this.q(b.quality[i])}</v></c></row>`;
      }
      this.capacity -= r - this.row;
      this.row = r;
      await this.book.write(s);
    }
  }

  async wide(b: WideBatch): Promise<void> {
    const k = this.tags.length;
    let i = 0;
    while (i < b.n) {
      const end = Math.min(b.n, i + (await this.room()));
      let s = '';
      let r = this.row;
      for (; i < end; i++) {
        s += `<row r="${++r}"><c r="A${r}" s="1"><v>${this.time.excelSerial(b.ts[i])}</v></c>`;
        for (let j = 0; j < k; j++) {
          if (!b.has[j][i]) continue;
          s += `<c r="${this.cols[1 + 2 * j]}${r}"><v>${b.values[j][i]}</v></c><c r="${this.cols[2 + 2 * j]}${r}" t="s"><v>${this.q(b.quality[j][i])}</v></c>`;
        }
        s += '</row>';
      }
      this.capacity -= r - this.row;
      this.row = r;
      await this.book.write(s);
    }
  }

  async end(): Promise<void> {
    await this.closeSheet();
    if (this.ownsBook) await this.book.finish();
  }
}
