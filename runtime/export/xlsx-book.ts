// The workbook around XLSX sheets: the ZIP stream, the shared-string table and the list of
// sheets, written out (workbook, relationships, styles, strings, content types) once every
// sheet is done. One book can hold the sheets of several exports (e.g. one per event
// frame); see FORMAT-export.md.
import type { Writable } from 'node:stream';
import { ZipWriter } from './zip-writer';

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '&quot;'));
}

/** Excel's limits on a sheet name: 31 characters, none of []:*?/\, not blank, no leading or trailing apostrophe. */
const MAX_SHEET_NAME = 31;

const CONTENT_TYPES = (sheets: number) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${
  Array.from({ length: sheets }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')
}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm:ss.000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

export class XlsxBook {
  private readonly zip: ZipWriter;
  private readonly strings = new Map<string, number>();
  private readonly names: string[] = [];
  private open = false;

  constructor(out: Writable) {
    this.zip = new ZipWriter(out);
  }

  /** Index of `s` in the shared-string table. */
  str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) { i = this.strings.size; this.strings.set(s, i); }
    return i;
  }

  /**
   * A sheet name Excel accepts, made from `wanted`: forbidden characters become `_`, cut to
   * 31 characters, and a ` (2)`, ` (3)` ... suffix when another sheet already has it
   * (Excel compares names without case).
   */
  sheetName(wanted: string): string {
    let base = wanted.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '').trim() || 'Sheet';
    base = base.slice(0, MAX_SHEET_NAME);
    const taken = new Set(this.names.map((n) => n.toLowerCase()));
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); k++) {
      const suffix = ` (${k})`;
      name = base.slice(0, MAX_SHEET_NAME - suffix.length) + suffix;
    }
    return name;
  }

  /** Starts the next sheet (`name` as given by sheetName); its XML follows through write(). */
  async openSheet(name: string): Promise<void> {
    if (this.open) throw new Error('xlsx: a sheet is still open');
    this.names.push(name);
    this.open = true;
    await this.zip.openEntry(`xl/worksheets/sheet${this.names.length}.xml`);
  }

  write(xml: string): Promise<void> {
    return this.zip.write(xml);
  }

  async closeSheet(): Promise<void> {
    await this.zip.closeEntry();
    this.open = false;
  }

  /** Writes the workbook parts after the last sheet and ends the ZIP. */
  async finish(): Promise<void> {
    const n = this.names.length;
    const sheetList = this.names.map((name, i) => `<sheet name="${xmlEscape(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
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
