// The layout of one EGD exchange as a tag table: where each value sits in the data (byte
// offset, type, bit), with scaling and deadband. Validated with errors naming row and
// column; CSV like the other device tables (FORMAT-datagram.md, "Layout CSV").
import { tagError } from '../../model';
import { TagTableError } from '../modbus/tag-table';

export const EGD_TYPES = ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
export type EgdType = (typeof EGD_TYPES)[number];
const SIZE: Record<EgdType, number> = { bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

export interface EgdTag {
  tag: string;
  /** byte offset in the exchange data, 0 … 1399 */
  byte: number;
  type: EgdType;
  /** bit 0 … 7 of the byte, for bool */
  bit: number;
  scale: number;
  offset: number;
  deadband: number;
}

export const EGD_CSV_COLUMNS = ['tag', 'byte', 'type', 'bit', 'scale', 'offset', 'deadband'] as const;

export function egdTypeSize(t: EgdType): number {
  return SIZE[t];
}

function num(row: number, field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new TagTableError(row, field, `must be a number (got ${JSON.stringify(v)})`);
  return n;
}

export function parseEgdLayout(rows: unknown): EgdTag[] {
  if (!Array.isArray(rows)) throw new Error('layout: must be an array of rows');
  const seen = new Set<string>();
  return rows.map((r, row) => {
    if (r === null || typeof r !== 'object') throw new TagTableError(row, 'row', 'must be an object');
    const input = r as Record<string, unknown>;
    const tag = typeof input.tag === 'string' ? input.tag.trim() : input.tag;
    const err = tagError(tag);
    if (err) throw new TagTableError(row, 'tag', err);
    if (seen.has(String(tag))) throw new TagTableError(row, 'tag', `"${String(tag)}" appears twice`);
    seen.add(String(tag));
    const type = String(input.type ?? '').trim().toLowerCase() as EgdType;
    if (!EGD_TYPES.includes(type)) throw new TagTableError(row, 'type', `must be one of ${EGD_TYPES.join(', ')} (got ${JSON.stringify(input.type)})`);
    const byte = num(row, 'byte', input.byte, NaN);
    if (!Number.isInteger(byte) || byte < 0 || byte + SIZE[type] > 1400) throw new TagTableError(row, 'byte', `must be an integer 0 … ${1400 - SIZE[type]} for ${type} (got ${JSON.stringify(input.byte)})`);
    const bit = num(row, 'bit', input.bit, 0);
    if (type === 'bool' && (!Number.isInteger(bit) || bit < 0 || bit > 7)) throw new TagTableError(row, 'bit', `must be an integer 0 … 7 (got ${JSON.stringify(input.bit)})`);
    const scale = num(row, 'scale', input.scale, 1);
    if (scale === 0) throw new TagTableError(row, 'scale', 'must not be 0');
    const deadband = num(row, 'deadband', input.deadband, 0);
    if (deadband < 0) throw new TagTableError(row, 'deadband', `must be >= 0 (got ${deadband})`);
    return { tag: String(tag), byte, type, bit: type === 'bool' ? bit : 0, scale, offset: num(row, 'offset', input.offset, 0), deadband };
  });
}

/** Reads one tag's raw value; undefined when the exchange is shorter than the layout says. */
export function readEgdValue(data: Buffer, t: EgdTag): number | undefined {
  if (t.byte + SIZE[t.type] > data.length) return undefined;
  switch (t.type) {
    case 'bool': return (data[t.byte] >> t.bit) & 1;
    case 'int8': return data.readInt8(t.byte);
    case 'uint8': return data.readUInt8(t.byte);
    case 'int16': return data.readInt16LE(t.byte);
    case 'uint16': return data.readUInt16LE(t.byte);
    case 'int32': return data.readInt32LE(t.byte);
    case 'uint32': return data.readUInt32LE(t.byte);
    case 'float32': return data.readFloatLE(t.byte);
    case 'float64': return data.readDoubleLE(t.byte);
  }
}

// --- CSV ------------------------------------------------------------------------------

function split(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) { if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; }
    else if (c === '"') q = true;
    else if (c === ',' || c === ';') { out.push(cur.trim()); cur = ''; }
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

export function egdLayoutFromCsv(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (!lines.length) return [];
  const known = new Map(EGD_CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const cols = split(lines[0]).map((h, i) => {
    const c = known.get(h.toLowerCase());
    if (!c) throw new Error(`csv header: unknown column "${h}" at position ${i + 1} (columns: ${EGD_CSV_COLUMNS.join(', ')})`);
    return c;
  });
  for (const req of ['tag', 'byte', 'type']) if (!cols.includes(req as never)) throw new Error(`csv header: column "${req}" is required`);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    const rec: Record<string, string> = {};
    cols.forEach((c, i) => { rec[c] = cells[i] ?? ''; });
    return rec;
  });
}

export function egdLayoutToCsv(tags: EgdTag[]): string {
  const cell = (v: string | number) => { const s = String(v); return /[",;\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
  return [EGD_CSV_COLUMNS.join(','), ...tags.map((t) => EGD_CSV_COLUMNS.map((c) => cell(t[c])).join(','))].join('\n') + '\n';
}
