// A streaming XLSX (Office Open XML SpreadsheetML) writer: the sheet XML is generated row
// by row into a deflating ZIP entry, so a million-row workbook needs the memory of one
// batch. Strings (titles, tags, quality names — a small set) go to the shared-string
// table, written after the sheets; times are Excel serial dates with a millisecond
// format; a sheet that reaches Excel's row limit continues on the next sheet.
// See FORMAT-export.md for the parts written.
import type { Writable } from 'node:stream';
import { columnTitles, qualityText, type ExportEncoder, type ExportLayout } from './encoder';
import type { LongBatch, WideBatch } from './rows';
import type { ZonedTime } from './time-format';
import { ZipWriter } from './zip-writer';

/** Excel's sheet limit is 1,048,576 rows, one of which is the title row. */
export const MAX_SHEET_ROWS = 1_048_575;

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '&quot;'));
}

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const CONTENT_TYPES = (sheets: number) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${
  Array.from({ length: sheets }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')
}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm:ss.000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

export class XlsxEncoder implements ExportEncoder {
  readonly contentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  readonly extension = 'xlsx';
  private readonly zip: ZipWriter;
  private readonly strings = new Map<string, number>();
  private readonly titles: string[];
  private sheets = 0;
  private row = 0;
  private readonly tagIdx: number[];
  private readonly cols: string[];

  /** sheets before the data (a `header` sheet) */
  private readonly leading: number;

  /** `header`: `field, value` rows written first on their own sheet named `headerName` (e.g. the event frame an export is of). */
  constructor(out: Writable, private readonly tags: readonly string[], private readonly layout: ExportLayout, private readonly time: ZonedTime,
    private readonly maxSheetRows = MAX_SHEET_ROWS, private readonly header: ReadonlyArray<readonly [string, string]> | null = null,
    private readonly headerName = 'Info') {
    this.leading = header ? 1 : 0;
    this.zip = new ZipWriter(out);
    this.titles = columnTitles(layout, tags);
    this.tagIdx = tags.map((t) => this.str(t));
    this.cols = this.titles.map((_, i) => colName(i));
  }

  private str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) { i = this.strings.size; this.strings.set(s, i); }
    return i;
  }

  private q(code: number): number {
    return this.str(qualityText(code));
  }

  private async openSheet(): Promise<void> {
    this.sheets++;
    this.row = 1;
    await this.zip.openEntry(`xl/worksheets/sheet${this.sheets}.xml`);
    const widths = this.titles.map((_, i) => `<col min="${i + 1}" max="${i + 1}" width="${i === 0 ? 24 : this.layout === 'long' && i === 1 ? 48 : 16}" customWidth="1"/>`).join('');
    await this.zip.write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>${widths}</cols><sheetData><row r="1">${
  this.titles.map((t, i) => `<c r="${colName(i)}1" t="s" s="2"><v>${this.str(t)}</v></c>`).join('')}</row>`);
  }

  private async closeSheet(): Promise<void> {
    await this.zip.write('</sheetData></worksheet>');
    await this.zip.closeEntry();
  }

  async begin(): Promise<void> {
    if (this.header) {
      this.sheets++;
      await this.zip.openEntry(`xl/worksheets/sheet${this.sheets}.xml`);
      const rows = this.header.map(([k, v], i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s" s="2"><v>${this.str(k)}</v></c><c r="B${i + 1}" t="s"><v>${this.str(v)}</v></c></row>`).join('');
      await this.zip.write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="1" width="24" customWidth="1"/><col min="2" max="2" width="48" customWidth="1"/></cols><sheetData>${rows}</sheetData></worksheet>`);
      await this.zip.closeEntry();
    }
    return this.openSheet();
  }

  /** Rows [i, j) of a batch fit on the current sheet; rolls over to a new sheet when full. */
  private async room(): Promise<number> {
    if (this.row - 1 >= this.maxSheetRows) { await this.closeSheet(); await this.openSheet(); }
    return this.maxSheetRows - (this.row - 1);
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
      this.row = r;
      await this.zip.write(s);
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
      this.row = r;
      await this.zip.write(s);
    }
  }

  async end(): Promise<void> {
    await this.closeSheet();
    const n = this.sheets;
    const name = (i: number) => (i < this.leading ? xmlEscape(this.headerName) : i === this.leading ? 'Data' : `Data ${i - this.leading + 1}`);
    const sheetList = Array.from({ length: n }, (_, i) => `<sheet name="${name(i)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
    await this.zip.entry('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheetList}</sheets></workbook>`);
    const rels = Array.from({ length: n }, (_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
    await this.zip.entry('xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId${n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`);
    await this.zip.entry('xl/styles.xml', STYLES);
    const sst = [...this.strings.keys()].map((s) => `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`).join('');
    await this.zip.entry('xl/sharedStrings.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${this.strings.size}" uniqueCount="${this.strings.size}">${sst}</sst>`);
    await this.zip.entry('[Content_Types].xml', CONTENT_TYPES(n));
    await this.zip.entry('_rels/.rels', ROOT_RELS);
    await this.zip.finish();
  }
}
