// The Modbus tag table: one row per tag, validated with errors that name the row and the
// column, and its CSV form (FORMAT-tag-csv.md). What all device tables share is in
// ../tag-table.ts, poll groups in ../poll-group.ts.
import type { PollGroup } from '../poll-group';
import { parsePolledTable, tableFromCsv, tableGroup, tableNumber as num, tableScaling, tableTag, tableToCsv, TagTableError } from '../tag-table';
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

export { parseGroups, parsePeriod, type PollGroup } from '../poll-group';
export { TagTableError } from '../tag-table';

export const CSV_COLUMNS = ['tag', 'group', 'register', 'address', 'type', 'bit', 'byteOrder', 'wordOrder', 'scale', 'offset', 'deadband'] as const;

function order(row: number, field: string, v: unknown): Order {
  if (v === undefined || v === null || v === '') return 'BE';
  const s = String(v).trim().toUpperCase();
  if (s === 'BE' || s === 'LE') return s;
  throw new TagTableError(row, field, `must be BE or LE (got ${JSON.stringify(v)})`);
}

/** Validates one row (from the editor's JSON or a CSV record); defaults fill empty cells. */
export function parseTag(input: Record<string, unknown>, row: number, defaultGroup = 'default'): ModbusTag {
  const tag = tableTag(row, input.tag);
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
  const { scale, offset, deadband } = tableScaling(row, input);
  const group = tableGroup(input.group, defaultGroup);
  return {
    tag, group, register, address, type, bit: type === 'bit' ? bit : 0,
    byteOrder: order(row, 'byteOrder', input.byteOrder), wordOrder: order(row, 'wordOrder', input.wordOrder),
    scale, offset, deadband,
  };
}

/** Validates a whole table: every row, unique tag paths, groups that exist. */
export function parseTagTable(rows: unknown, groups: PollGroup[]): ModbusTag[] {
  return parsePolledTable(rows, groups, parseTag, (t) => [t.tag]);
}

/**
 * Parses a tag table from CSV: a header row naming columns (any order, case-insensitive,
 * `tag` `register` `address` required), blank lines and lines starting with # ignored.
 * Returns raw rows; validate them with parseTagTable.
 */
export function tagTableFromCsv(text: string): Record<string, string>[] {
  return tableFromCsv(text, { columns: CSV_COLUMNS, required: ['tag', 'register', 'address'] });
}

export function tagTableToCsv(tags: ModbusTag[]): string {
  return tableToCsv(CSV_COLUMNS, tags);
}
