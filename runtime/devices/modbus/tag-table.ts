// The Modbus tag table: one row per tag, validated with errors that name the row and the
// column, and its CSV form (FORMAT-tag-csv.md).
import { tagError } from '../../model';
import { DATA_TYPES, isBitKind, REGISTER_KINDS, widthOf, type DataType, type Order, type RegisterKind } from './datatypes';

export interface ModbusTag {
  tag: string;
  /** poll group name */
  group: string;
  register: RegisterKind;
  /** 0-based protocol address (0 … 65535) */
  address: number;
  type: DataType;
  /** bit index 0 … 15 for type "bit" */
  bit: number;
  byteOrder: Order;
  wordOrder: Order;
  scale: number;
  offset: number;
  /** absolute, in engineering units; 0 = every poll */
  deadband: number;
}

export interface PollGroup {
  name: string;
  periodMs: number;
}

export const CSV_COLUMNS = ['tag', 'group', 'register', 'address', 'type', 'bit', 'byteOrder', 'wordOrder', 'scale', 'offset', 'deadband'] as const;

export class TagTableError extends Error {
  constructor(readonly row: number, readonly field: string, message: string) {
    super(`tags[${row}].${field}: ${message}`);
    this.name = 'TagTableError';
  }
}

function num(row: number, field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new TagTableError(row, field, `must be a number (got ${JSON.stringify(v)})`);
  return n;
}

function order(row: number, field: string, v: unknown): Order {
  if (v === undefined || v === null || v === '') return 'BE';
  const s = String(v).trim().toUpperCase();
  if (s === 'BE' || s === 'LE') return s;
  throw new TagTableError(row, field, `must be BE or LE (got ${JSON.stringify(v)})`);
}

/** Validates one row (from the editor's JSON or a CSV record); defaults fill empty cells. */
export function parseTag(input: Record<string, unknown>, row: number, defaultGroup = 'default'): ModbusTag {
  const err = tagError(typeof input.tag === 'string' ? input.tag.trim() : input.tag);
  if (err) throw new TagTableError(row, 'tag', err);
  const register = String(input.register ?? '').trim().toLowerCase() as RegisterKind;
  if (!REGISTER_KINDS.includes(register)) throw new TagTableError(row, 'register', `must be one of ${REGISTER_KINDS.join(', ')} (got ${JSON.stringify(input.register)})`);
  const address = num(row, 'address', input.address, NaN);
  if (!Number.isInteger(address) || address < 0 || address > 65535) throw new TagTableError(row, 'address', `must be an integer 0 … 65535 (got ${JSON.stringify(input.address)})`);
  const rawType = input.type === undefined || input.type === '' ? (isBitKind(register) ? 'bool' : 'uint16') : String(input.type).trim().toLowerCase();
  if (!DATA_TYPES.includes(rawType as DataType)) throw new TagTableError(row, 'type', `must be one of ${DATA_TYPES.join(', ')} (got ${JSON.stringify(input.type)})`);
  const type = rawType as DataType;
  if (isBitKind(register) && type !== 'bool') throw new TagTableError(row, 'type', `${register}s hold single bits: use bool (got ${type})`);
  const bit = num(row, 'bit', input.bit, 0);
  if (type === 'bit' && (!Number.isInteger(bit) || bit < 0 || bit > 15)) throw new TagTableError(row, 'bit', `must be an integer 0 … 15 (got ${JSON.stringify(input.bit)})`);
  if (address + widthOf(register, type) - 1 > 65535) throw new TagTableError(row, 'address', `${type} at ${address} runs past register 65535`);
  const scale = num(row, 'scale', input.scale, 1);
  if (scale === 0) throw new TagTableError(row, 'scale', 'must not be 0');
  const deadband = num(row, 'deadband', input.deadband, 0);
  if (deadband < 0) throw new TagTableError(row, 'deadband', `must be >= 0 (got ${deadband})`);
  const group = input.group === undefined || input.group === null || String(input.group).trim() === '' ? defaultGroup : String(input.group).trim();
  return {
    tag: String(input.tag).trim(), group, register, address, type, bit: type === 'bit' ? bit : 0,
    byteOrder: order(row, 'byteOrder', input.byteOrder), wordOrder: order(row, 'wordOrder', input.wordOrder),
    scale, offset: num(row, 'offset', input.offset, 0), deadband,
  };
}

/** Validates a whole table: every row, unique tag paths, groups that exist. */
export function parseTagTable(rows: unknown, groups: PollGroup[]): ModbusTag[] {
  if (!Array.isArray(rows)) throw new Error('tags: must be an array of rows');
  const names = new Set(groups.map((g) => g.name));
  const seen = new Set<string>();
  return rows.map((r, i) => {
    if (r === null || typeof r !== 'object') throw new TagTableError(i, 'row', 'must be an object');
    const t = parseTag(r as Record<string, unknown>, i, groups[0]?.name ?? 'default');
    if (seen.has(t.tag)) throw new TagTableError(i, 'tag', `"${t.tag}" appears twice`);
    if (!names.has(t.group)) throw new TagTableError(i, 'group', `no poll group named "${t.group}" (groups: ${[...names].join(', ') || 'none'})`);
    seen.add(t.tag);
    return t;
  });
}

/** Parses "<n> ms|s|m|h" or a plain number of milliseconds. */
export function parsePeriod(v: unknown, field = 'period'): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(String(v ?? ''));
  if (!m) throw new Error(`${field}: must be a duration such as 100ms, 1s, 10s, 5m or 1h (got ${JSON.stringify(v)})`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000));
}

export function parseGroups(rows: unknown): PollGroup[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('groups: at least one poll group is needed');
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const o = (r ?? {}) as Record<string, unknown>;
    const name = String(o.name ?? '').trim();
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`groups[${i}].name: must match [A-Za-z0-9_-]+ (got ${JSON.stringify(o.name)})`);
    if (seen.has(name)) throw new Error(`groups[${i}].name: "${name}" appears twice`);
    seen.add(name);
    const periodMs = parsePeriod(o.period ?? o.periodMs, `groups[${i}].period`);
    if (periodMs < 100 || periodMs > 86_400_000) throw new Error(`groups[${i}].period: must be between 100 ms and 24 h (got ${periodMs} ms)`);
    return { name, periodMs };
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

/**
 * Parses a tag table from CSV: a header row naming columns (any order, case-insensitive,
 * `tag` `register` `address` required), blank lines and lines starting with # ignored.
 * Returns raw rows; validate them with parseTagTable.
 */
export function tagTableFromCsv(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]).map((h) => h.toLowerCase());
  const known = new Map(CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const cols = header.map((h, i) => {
    const c = known.get(h);
    if (!c) throw new Error(`csv header: unknown column "${h}" at position ${i + 1} (columns: ${CSV_COLUMNS.join(', ')})`);
    return c;
  });
  for (const req of ['tag', 'register', 'address']) if (!cols.includes(req as never)) throw new Error(`csv header: column "${req}" is required`);
  return lines.slice(1).map((l, r) => {
    const cells = splitCsvLine(l);
    if (cells.length > cols.length) throw new Error(`csv line ${r + 2}: ${cells.length} cells but ${cols.length} columns`);
    const rec: Record<string, string> = {};
    cols.forEach((c, i) => { rec[c] = cells[i] ?? ''; });
    return rec;
  });
}

function cell(v: string | number): string {
  const s = String(v);
  return /[",;\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tagTableToCsv(tags: ModbusTag[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of tags) lines.push(CSV_COLUMNS.map((c) => cell(t[c])).join(','));
  return lines.join('\n') + '\n';
}
