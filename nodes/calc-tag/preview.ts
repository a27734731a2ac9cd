// Live preview for the calc-tag edit dialog: compiles the expression being typed and
// evaluates it once against the latest stored value of each input. Compile errors come
// back with their position so the dialog can point at them.
import { CalcError, compile, type InputSample } from '../../runtime/calc';
import { qualityName } from '../../runtime/model';
import type { TsdbStore } from '../../runtime/tsdb';
import { parseAliases } from '../lib/calc-config';

export interface PreviewRequest {
  expression: unknown;
  aliases?: unknown;
  staleAfterMs?: unknown;
}

export type PreviewAnswer =
  | {
    ok: true;
    value: number | null;
    quality: string;
    /** evaluation time: now, so stale inputs show as UNCERTAIN_STALE */
    at: number;
    inputs: Array<{ tag: string; value: number | null; ts: number | null; quality: string | null }>;
    store: string | null;
  }
  | { ok: false; error: string; reason: string; pos: { offset: number; line: number; col: number } | null };

export async function previewExpression(
  store: TsdbStore | null, storeName: string | null, req: PreviewRequest, now: number = Date.now(),
): Promise<PreviewAnswer> {
  if (typeof req.expression !== 'string' || req.expression.trim() === '') {
    return { ok: false, error: 'expression: type an expression', reason: 'expression: type an expression', pos: null };
  }
  let aliases: Record<string, string>;
  try {
    aliases = parseAliases(req.aliases);
  } catch (e) {
    return { ok: false, error: (e as Error).message, reason: (e as Error).message, pos: null };
  }
  const stale = req.staleAfterMs === undefined || req.staleAfterMs === '' ? undefined : Number(req.staleAfterMs);
  let expr;
  try {
    expr = compile(req.expression, { aliases, staleAfterMs: stale });
  } catch (e) {
    if (e instanceof CalcError) return { ok: false, error: e.message, reason: e.reason, pos: e.pos };
    throw e;
  }
  const latest = new Map<string, InputSample>();
  if (store && expr.inputs.length) {
    for (const l of await store.latest(expr.inputs)) latest.set(l.tag, { value: l.value, ts: l.ts, quality: l.quality });
  }
  const r = expr.evaluate({ now, get: (tag) => latest.get(tag) });
  return {
    ok: true, value: r.value, quality: qualityName(r.quality), at: now,
    inputs: expr.inputs.map((tag) => {
      const l = latest.get(tag);
      return l ? { tag, value: l.value as number, ts: l.ts, quality: qualityName(l.quality) } : { tag, value: null, ts: null, quality: null };
    }),
    store: store ? storeName : null,
  };
}
