// The layout of one EGD exchange as a tag table: where each value sits in the data (byte
// offset, type, bit), with scaling and deadband. Validated with errors naming row and
// column; CSV like the other device tables (FORMAT-datagram.md, "Layout CSV").
import { tableFromCsv, tableNumber as num, tableScaling, tableTag, tableToCsv, TagTableError } from '../tag-table';

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

export function parseEgdLayout(rows: unknown): EgdTag[] {
  if (!Array.isArray(rows)) throw new Error('layout: must be an array of rows');
  const seen = new Set<string>();
  return rows.map((r, row) => {
    if (r === null || typeof r !== 'object') throw new TagTableError(row, 'row', 'must be an object');
    const input = r as Record<string, unknown>;
    const tag = tableTag(row, input.tag);
    if (seen.has(tag)) throw new TagTableError(row, 'tag', `"${tag}" appears twice`);
    seen.add(tag);
    const type = String(input.type ?? '').trim().toLowerCase() as EgdType;
    if (!EGD_TYPES.includes(type)) throw new TagTableError(row, 'type', `must be one of ${EGD_TYPES.join(', ')} (got ${JSON.stringify(input.type)})`);
    const byte = num(row, 'byte', input.byte, NaN);
    if (!Number.isInteger(byte) || byte < 0 || byte + SIZE[type] > 1400) throw new TagTableError(row, 'byte', `must be an integer 0 … ${1400 - SIZE[type]} for ${type} (got ${JSON.stringify(input.byte)})`);
    const bit = num(row, 'bit', input.bit, 0);
    if (type === 'bool' && (!Number.isInteger(bit) || bit < 0 || bit > 7)) throw new TagTableError(row, 'bit', `must be an integer 0 … 7 (got ${JSON.stringify(input.bit)})`);
    const { scale, offset, deadband } = tableScaling(row, input);
    return { tag, byte, type, bit: type === 'bool' ? bit : 0, scale, offset, deadband };
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

/** Raw rows from CSV; a line with more cells than the header names keeps the first ones. */
export function egdLayoutFromCsv(text: string): Record<string, string>[] {
  return tableFromCsv(text, { columns: EGD_CSV_COLUMNS, required: ['tag', 'byte', 'type'], strictWidth: false });
}

export function egdLayoutToCsv(tags: EgdTag[]): string {
  return tableToCsv(EGD_CSV_COLUMNS, tags);
}
