// The event-frame editor keeps its definitions as flat form rows; this turns them into
// FrameEngine definitions, naming the row and field of any mistake.
import { parseAliases } from '../lib/calc-config';
import type { AttributeCapture, FrameDefinition, TriggerMode } from '../../runtime/frames';

export interface FrameRow {
  key?: string;
  template?: string;
  name?: string;
  mode?: string;
  start?: string;
  end?: string;
  tag?: string;
  aliases?: string | Record<string, string>;
  /** `name = source @start|@end|@before` per line (or comma); source: a tag, an alias or msg.<field> */
  attributes?: string | AttributeCapture[];
  parent?: string;
  minDurationS?: unknown;
  tags?: string | string[];
}

const CAPTURE = /^([A-Za-z0-9_.-]{1,64})\s*=\s*(\S+?)\s*(?:@\s*(start|end|before))?$/;

export function parseCaptures(text: unknown, where: string): AttributeCapture[] {
  if (text === undefined || text === null || text === '') return [];
  if (Array.isArray(text)) return text as AttributeCapture[];
  if (typeof text !== 'string') throw new Error(`${where}: must be lines of name = tag @start|@end|@before`);
  const out: AttributeCapture[] = [];
  for (const part of text.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const m = CAPTURE.exec(p);
    if (!m) throw new Error(`${where}: "${p}" must be name = tag (or alias, or msg.field) @start|@end|@before`);
    out.push({ name: m[1], from: m[2], at: (m[3] as AttributeCapture['at'] | undefined) ?? 'start' });
  }
  return out;
}

export function parseFrameRows(rows: unknown): FrameDefinition[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('frames: add at least one frame definition');
  return rows.map((r: FrameRow, i): FrameDefinition => {
    const where = `frame #${i + 1}`;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const min = r.minDurationS === undefined || r.minDurationS === '' ? 0 : Number(r.minDurationS);
    if (!Number.isFinite(min) || min < 0) throw new Error(`${where} minDurationS: must be a number of seconds ≥ 0 (got ${JSON.stringify(r.minDurationS)})`);
    const tags = Array.isArray(r.tags) ? r.tags : (text(r.tags)?.split(/[,\s]+/).filter(Boolean) ?? []);
    return {
      key: text(r.key) ?? `f${i + 1}`,
      template: text(r.template) ?? '',
      name: text(r.name),
      mode: (text(r.mode) ?? 'expression') as TriggerMode,
      start: text(r.start),
      end: text(r.end),
      tag: text(r.tag),
      aliases: parseAliases(r.aliases, `${where} aliases`),
      attributes: parseCaptures(r.attributes, `${where} attributes`),
      parent: text(r.parent),
      minDurationMs: Math.round(min * 1000),
      tags,
    };
  });
}
