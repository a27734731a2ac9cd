// The EtherNet/IP (Logix) tag table: one row per historian tag, validated with errors that
// name the row and the column, and its CSV form (FORMAT-tag-csv.md). Poll groups and
// periods are the same as Modbus's.
import { tagError } from '../../model';
import { parseGroups, parsePeriod, TagTableError, type PollGroup } from '../modbus/tag-table';
import { CIP_TYPE_NAMES, encodeTagPath, type CipType } from './cip';

export { parseGroups, parsePeriod, TagTableError, type PollGroup };

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

function num(row: number, field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new TagTableError(row, field, `must be a number (got ${JSON.stringify(v)})`);
  return n;
}

export function parseEipTag(input: Record<string, unknown>, row: number, defaultGroup = 'default'): EipTag {
  const tag = typeof input.tag === 'string' ? input.tag.trim() : input.tag;
  const err = tagError(tag);
  if (err) throw new TagTableError(row, 'tag', err);
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
  const scale = num(row, 'scale', input.scale, 1);
  if (scale === 0) throw new TagTableError(row, 'scale', 'must not be 0');
  const deadband = num(row, 'deadband', input.deadband, 0);
  if (deadband < 0) throw new TagTableError(row, 'deadband', `must be >= 0 (got ${deadband})`);
  const group = input.group === undefined || input.group === null || String(input.group).trim() === '' ? defaultGroup : String(input.group).trim();
  return { tag: String(tag), group, address, type, elements, scale, offset: num(row, 'offset', input.offset, 0), deadband };
}

/** Historian tag names a row produces: the tag itself, or `<tag>.<i>` per array element. */
export function sampleTags(t: EipTag): string[] {
  if (t.elements === 1) return [t.tag];
  return Array.from({ length: t.elements }, (_, i) => `${t.tag}.${i}`);
}

export function parseEipTagTable(rows: unknown, groups: PollGroup[]): EipTag[] {
  if (!Array.isArray(rows)) throw new Error('tags: must be an array of rows');
  const names = new Set(groups.map((g) => g.name));
  const seen = new Set<string>();
  return rows.map((r, i) => {
    if (r === null || typeof r !== 'object') throw new TagTableError(i, 'row', 'must be an object');
    const t = parseEipTag(r as Record<string, unknown>, i, groups[0]?.name ?? 'default');
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

/** Raw rows from CSV (header row names the columns); validate them with parseEipTagTable. */
export function eipTagTableFromCsv(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length === 0) return [];
  const known = new Map(EIP_CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const cols = splitCsvLine(lines[0]).map((h, i) => {
    const c = known.get(h.toLowerCase());
    if (!c) throw new Error(`csv header: unknown column "${h}" at position ${i + 1} (columns: ${EIP_CSV_COLUMNS.join(', ')})`);
    return c;
  });
  for (const req of ['tag', 'address', 'type']) if (!cols.includes(req as never)) throw new Error(`csv header: column "${req}" is required`);
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

export function eipTagTableToCsv(tags: EipTag[]): string {
  const lines = [EIP_CSV_COLUMNS.join(',')];
  for (const t of tags) lines.push(EIP_CSV_COLUMNS.map((c) => cell(t[c])).join(','));
  return lines.join('\n') + '\n';
}
