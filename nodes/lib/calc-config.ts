// The calc-tag editor stores its list as flat form values; this turns them into CalcGraph
// definitions plus the tag metadata to register, naming the row and field of any mistake.
import type { CalcTagDef, CalcTrigger } from '../../runtime/calc';

export interface CalcRow {
  output?: string;
  expression?: string;
  /** 'any' | 'all' | 'period' */
  trigger?: string;
  periodMs?: unknown;
  unit?: string;
  description?: string;
  /** `name=tag` pairs separated by commas or new lines, or an object */
  aliases?: string | Record<string, string>;
}

export interface CalcMeta {
  output: string;
  unit?: string;
  description?: string;
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `flow = acme.a.b.flow, p = acme.a.b.pressure` → { flow: ..., p: ... }; throws naming the entry. */
export function parseAliases(text: unknown, where = 'aliases'): Record<string, string> {
  if (text === undefined || text === null || text === '') return {};
  if (typeof text === 'object' && !Array.isArray(text)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(text as Record<string, unknown>)) {
      if (!ALIAS.test(k) || typeof v !== 'string') throw new Error(`${where}: "${k}" must map a name to a tag path`);
      out[k] = v;
    }
    return out;
  }
  if (typeof text !== 'string') throw new Error(`${where}: must be name=tag pairs`);
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const name = eq < 0 ? '' : p.slice(0, eq).trim();
    const tag = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (!ALIAS.test(name) || !tag) throw new Error(`${where}: "${p}" must be name=tag (a name is a letter or _ then letters, digits, _)`);
    if (name in out) throw new Error(`${where}: "${name}" is declared twice`);
    out[name] = tag;
  }
  return out;
}

function trigger(row: CalcRow, where: string): CalcTrigger {
  const t = row.trigger ?? 'any';
  if (t === 'any' || t === 'all') return t;
  if (t === 'period') {
    const p = Number(row.periodMs);
    if (!Number.isInteger(p) || p < 10) throw new Error(`${where} periodMs: must be an integer of at least 10 ms (got ${JSON.stringify(row.periodMs)})`);
    return { periodMs: p };
  }
  throw new Error(`${where} trigger: must be any, all or period (got ${JSON.stringify(t)})`);
}

export function parseCalcRows(rows: unknown): { defs: CalcTagDef[]; meta: CalcMeta[] } {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('calcs: add at least one calculated tag');
  const defs: CalcTagDef[] = [];
  const meta: CalcMeta[] = [];
  rows.forEach((r: CalcRow, i) => {
    const where = `calc tag #${i + 1}`;
    const output = typeof r?.output === 'string' ? r.output.trim() : r?.output;
    defs.push({
      output: output as string,
      expression: typeof r?.expression === 'string' ? r.expression : (r?.expression as unknown as string),
      aliases: parseAliases(r?.aliases, `${where} aliases`),
      trigger: trigger(r ?? {}, where),
    });
    const m: CalcMeta = { output: output as string };
    if (typeof r?.unit === 'string' && r.unit.trim()) m.unit = r.unit.trim();
    if (typeof r?.description === 'string' && r.description.trim()) m.description = r.description.trim();
    meta.push(m);
  });
  return { defs, meta };
}
