// What every device tag table (Modbus, EtherNet/IP, EGD) shares: errors that name the row
// and the column, number cells with defaults, the common columns (group, scale, deadband)
// and the CSV form (a header naming the columns in any order and case, `,` or `;`
// separated, quoted cells, blank lines and # comments ignored). Each protocol's
// FORMAT-tag-csv.md lists its columns.
import { tagError } from '../model';
import type { PollGroup } from './poll-group';

export class TagTableError extends Error {
  constructor(readonly row: number, readonly field: string, message: string) {
    super(`tags[${row}].${field}: ${message}`);
    this.name = 'TagTableError';
  }
}

/** A number cell; an empty one is `fallback`. */
export function tableNumber(row: number, field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new TagTableError(row, field, `must be a number (got ${JSON.stringify(v)})`);
  return n;
}

/** The tag name column: a valid historian tag path. */
export function tableTag(row: number, v: unknown): string {
  const tag = typeof v === 'string' ? v.trim() : v;
  const err = tagError(tag);
  if (err) throw new TagTableError(row, 'tag', err);
  return String(tag);
}

/** scale (not 0, default 1), offset (default 0) and deadband (>= 0, default 0) of a row. */
export function tableScaling(row: number, input: Record<string, unknown>): { scale: number; offset: number; deadband: number } {
  const scale = tableNumber(row, 'scale', input.scale, 1);
  if (scale === 0) throw new TagTableError(row, 'scale', 'must not be 0');
  const deadband = tableNumber(row, 'deadband', input.deadband, 0);
  if (deadband < 0) throw new TagTableError(row, 'deadband', `must be >= 0 (got ${deadband})`);
  return { scale, offset: tableNumber(row, 'offset', input.offset, 0), deadband };
}

/** The group column: an empty cell is the default group. */
export function tableGroup(v: unknown, defaultGroup: string): string {
  return v === undefined || v === null || String(v).trim() === '' ? defaultGroup : String(v).trim();
}

/**
 * Validates a whole table of polled tags: every row with `parse`, each of the sample tags a
 * row produces unique, groups that exist.
 */
export function parsePolledTable<T extends { group: string }>(
  rows: unknown, groups: PollGroup[], parse: (input: Record<string, unknown>, row: number, defaultGroup: string) => T, sampleTags: (t: T) => string[],
): T[] {
  if (!Array.isArray(rows)) throw new Error('tags: must be an array of rows');
  const names = new Set(groups.map((g) => g.name));
  const seen = new Set<string>();
  return rows.map((r, i) => {
    if (r === null || typeof r !== 'object') throw new TagTableError(i, 'row', 'must be an object');
    const t = parse(r as Record<string, unknown>, i, groups[0]?.name ?? 'default');
    for (const name of sampleTags(t)) {
      const e = tagError(name);
      if (e) throw new TagTableError(i, 'tag', e);
      if (seen.has(name)) throw new TagTableError(i, 'tag', `"${name}" appears twice`);
      seen.add(name);
    }
    if (!names.has(t.group)) throw new TagTableError(i, 'group', `no poll group named "${t.group}" (groups: ${[...names].join(', ') || 'none'})`);
    return t;
  });
}

// --- CSV ------------------------------------------------------------------------------

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export interface CsvTableOptions<C extends string> {
  columns: readonly C[];
  /** columns the header must name */
  required: readonly C[];
  /** a line with more cells than the header names is an error (default true) */
  strictWidth?: boolean;
}

/** Raw rows from CSV, keyed by the column names as `columns` spells them; the caller validates them. */
export function tableFromCsv<C extends string>(text: string, o: CsvTableOptions<C>): Record<C, string>[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length === 0) return [];
  const known = new Map(o.columns.map((c) => [c.toLowerCase(), c]));
  const cols = splitCsvLine(lines[0]).map((h, i) => {
    const c = known.get(h.toLowerCase());
    if (!c) throw new Error(`csv header: unknown column "${h}" at position ${i + 1} (columns: ${o.columns.join(', ')})`);
    return c;
  });
  for (const req of o.required) if (!cols.includes(req)) throw new Error(`csv header: column "${req}" is required`);
  return lines.slice(1).map((l, r) => {
    const cells = splitCsvLine(l);
    if ((o.strictWidth ?? true) && cells.length > cols.length) throw new Error(`csv line ${r + 2}: ${cells.length} cells but ${cols.length} columns`);
    const rec = {} as Record<C, string>;
    cols.forEach((c, i) => { rec[c] = cells[i] ?? ''; });
    return rec;
  });
}

function cell(v: string | number): string {
  const s = String(v);
  return /[",;\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV of a table: the header, then one line per row in the columns' order. */
export function tableToCsv<C extends string>(columns: readonly C[], rows: ReadonlyArray<Record<C, string | number>>): string {
  const lines = [columns.join(',')];
  for (const t of rows) lines.push(columns.map((c) => cell(t[c])).join(','));
  return lines.join('\n') + '\n';
}
