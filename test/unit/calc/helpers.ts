import { compile, type CalcResult, type CompileOptions, type InputSample } from '../../../runtime/calc';

/** Evaluates an expression once against a fixed set of tag samples. */
export function evalWith(
  expr: string, tags: Record<string, number | boolean | InputSample> = {}, now = 0, opts: CompileOptions = {},
): CalcResult {
  const m = new Map<string, InputSample>();
  for (const [k, v] of Object.entries(tags)) {
    m.set(k, typeof v === 'object' ? v : { value: v, ts: now, quality: 0 });
  }
  return compile(expr, opts).evaluate({ now, get: (t) => m.get(t) });
}

/** The value of an expression that must be GOOD and finite. */
export function val(expr: string, tags: Record<string, number | boolean | InputSample> = {}): number {
  const r = evalWith(expr, tags);
  if (r.value === null) throw new Error(`${expr} gave no value (quality ${r.quality})`);
  return r.value;
}

/** Runs a compiled expression over explicit (t, value[, quality]) points of tag `x`. */
export function feed(expr: string, points: [number, number, number?][], opts: CompileOptions = {}): CalcResult[] {
  const c = compile(expr, { aliases: { x: 'p.x' }, ...opts });
  const cur: InputSample = { value: 0, ts: 0, quality: 0 };
  return points.map(([t, v, q]) => {
    cur.value = v;
    cur.ts = t;
    cur.quality = q ?? 0;
    return c.evaluate({ now: t, get: (tag) => (tag === 'p.x' ? cur : undefined) });
  });
}
