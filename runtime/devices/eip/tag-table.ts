// The EtherNet/IP (Logix) tag table: one row per historian tag, validated with errors that
// name the row and the column, and its CSV form (FORMAT-tag-csv.md). Poll groups and
// periods are the same as Modbus's.
import type { PollGroup } from '../poll-group';
import { parsePolledTable, tableFromCsv, tableGroup, tableNumber as num, tableScaling, tableTag, tableToCsv, TagTableError } from '../tag-table';
import { CIP_TYPE_NAMES, encodeTagPath, type CipType } from './cip';

export { parseGroups, parsePeriod, type PollGroup } from '../poll-group';
export { TagTableError } from '../tag-table';

export interface EipTag {
  tag: string;
  group: string;
  /** Logix tag name: `Speed`, `Program:Main.Count`, `Motor[3].Amps`, `Recipe.Steps[2]` */
  address: string;
  type: CipType;
  /** consecutive array elements read from `address` on; > 1 emits `<tag>.<i>` per element */
  elements: number;
  scale: number;
  offset: number;
  deadband: number;
}

export const EIP_CSV_COLUMNS = ['tag', 'group', 'address', 'type', 'elements', 'scale', 'offset', 'deadband'] as const;
export const MAX_ELEMENTS = 1000;

export function parseEipTag(input: Record<string, unknown>, row: number, defaultGroup = 'default'): EipTag {
  const tag = tableTag(row, input.tag);
  const address = String(input.address ?? '').trim();
  try {
    encodeTagPath(address);
  } catch (e) {
    throw new TagTableError(row, 'address', (e as Error).message.replace(/^address: /, ''));
  }
  const type = String(input.type ?? '').trim().toLowerCase() as CipType;
  if (!CIP_TYPE_NAMES.includes(type)) throw new TagTableError(row, 'type', `must be one of ${CIP_TYPE_NAMES.join(', ')} (got ${JSON.stringify(input.type)})`);
  const elements = num(row, 'elements', input.elements, 1);
  if (!Number.isInteger(elements) || elements < 1 || elements > MAX_ELEMENTS) throw new TagTableError(row, 'elements', `must be an integer 1 … ${MAX_ELEMENTS} (got ${JSON.stringify(input.elements)})`);
  const { scale, offset, deadband } = tableScaling(row, input);
  return { tag, group: tableGroup(input.group, defaultGroup), address, type, elements, scale, offset, deadband };
}

/** Historian tag names a row produces: the tag itself, or `<tag>.<i>` per array element. */
export function sampleTags(t: EipTag): string[] {
  if (t.elements === 1) return [t.tag];
  return Array.from({ length: t.elements }, (_, i) => `${t.tag}.${i}`);
}

export function parseEipTagTable(rows: unknown, groups: PollGroup[]): EipTag[] {
  return parsePolledTable(rows, groups, parseEipTag, sampleTags);
}

/** Raw rows from CSV (header row names the columns); validate them with parseEipTagTable. */
export function eipTagTableFromCsv(text: string): Record<string, string>[] {
  return tableFromCsv(text, { columns: EIP_CSV_COLUMNS, required: ['tag', 'address', 'type'] });
}

export function eipTagTableToCsv(tags: EipTag[]): string {
  return tableToCsv(EIP_CSV_COLUMNS, tags);
}
