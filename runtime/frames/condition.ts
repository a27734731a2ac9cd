// A frame trigger condition: a calc expression (runtime/calc/LANGUAGE.md) with an optional
// hold, `temp > 80 for 30s`: true only once the expression has been true continuously for
// that long, and then from the time it became true (the event began then; the hold only
// filters chatter). Dotted tag paths may be written bare (`pump1.running == 1`): they are
// read as tag('pump1.running'); aliases still work.
import { compile, type CompiledExpression, type EvalContext } from '../calc';
import { durationOrError } from '../platform';

const HOLD = /^([\s\S]*\S)\s+for\s+((?:(?:\d+(?:\.\d+)?|\.\d+)[a-z]+)+)\s*$/;
// a bare dotted path outside quotes: letters first, then segments of [A-Za-z0-9_-]
const DOTTED = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\b([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+)\b/g;

export function bareTagsToCalls(source: string): string {
  return source.replace(DOTTED, (m, path: string | undefined) => (path ? `tag('${path}')` : m));
}

export interface ConditionState {
  /** time the expression became true (and stayed), null when false or unknown */
  since: number | null;
  /** the last result: true, false, or null (no value: missing or BAD-free data) */
  last: boolean | null;
}

export class Condition {
  readonly expr: CompiledExpression;
  readonly holdMs: number;
  readonly source: string;

  constructor(source: string, aliases: Readonly<Record<string, string>> = {}, field = 'condition') {
    if (typeof source !== 'string' || source.trim() === '') throw new Error(`${field}: give an expression`);
    this.source = source.trim();
    let body = this.source;
    let hold = 0;
    const m = HOLD.exec(body);
    if (m) {
      const d = durationOrError(m[2]);
      if (typeof d === 'string') throw new Error(`${field}: ${d}`);
      body = m[1];
      hold = d;
    }
    this.holdMs = hold;
    try {
      this.expr = compile(bareTagsToCalls(body), { aliases });
    } catch (e) {
      throw new Error(`${field}: ${(e as Error).message}`);
    }
  }

  get inputs(): readonly string[] { return this.expr.inputs; }

  /**
   * Evaluates at ctx.now; returns the time the condition is established from (the start of
   * the held stretch) once true for the hold, else null. A result without a value (a tag
   * with no data yet) neither sets nor clears the condition.
   */
  step(ctx: EvalContext, st: ConditionState): number | null {
    const r = this.expr.evaluate(ctx);
    if (r.value === null) return this.due(ctx.now, st);
    const v = r.value !== 0;
    st.last = v;
    if (!v) { st.since = null; return null; }
    st.since ??= ctx.now;
    return this.due(ctx.now, st);
  }

  /** Whether a held condition has become due by `now` without a new evaluation (timer tick). */
  due(now: number, st: ConditionState): number | null {
    if (!st.last || st.since === null) return null;
    return now - st.since >= this.holdMs ? st.since : null;
  }
}
