// A training request as a flow sends it: `msg.train = {from, to, stepMs?, spec?}` where
// times are epoch ms, ISO strings, `now` or `-<duration>` relative to now (`-2h`), and
// the spec defaults to the one configured in the node.
import { durationOrError as parseDuration } from '../../runtime/platform';
import type { ModelSpec } from '../../runtime/twin';
import type { TrainRange } from '../../runtime/twin';

export interface TrainRequest extends TrainRange {
  spec: ModelSpec;
}

export function parseTime(v: unknown, field: string, now: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v instanceof Date && Number.isFinite(v.getTime())) return v.getTime();
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === 'now') return now;
    if (s.startsWith('-')) {
      const ms = parseDuration(s.slice(1));
      if (typeof ms === 'string') throw new Error(`${field}: ${ms}`);
      return now - ms;
    }
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  throw new Error(`${field}: must be epoch ms, an ISO time, "now" or "-<duration>" such as "-2h" (got ${JSON.stringify(v)})`);
}

/** The spec configured in the node's editor (kind, target, inputs / tags). */
export function configuredSpec(config: Record<string, unknown>): ModelSpec | null {
  const kind = String(config.trainKind ?? '');
  const list = (v: unknown) => String(v ?? '').split(/[,\s]+/).map((t) => t.trim()).filter(Boolean);
  const target = String(config.trainTarget ?? '').trim();
  const inputs = list(config.trainInputs);
  switch (kind) {
    case 'regression': case 'arx': return target ? { kind, target, inputs } as ModelSpec : null;
    case 'fopdt': return target && inputs[0] ? { kind, target, input: inputs[0] } : null;
    case 'holt': return target ? { kind, target } : null;
    case 'pca': case 'mset': return inputs.length >= 2 ? { kind, tags: inputs } as ModelSpec : null;
    default: return null;
  }
}

export function parseTrainRequest(train: unknown, fallback: ModelSpec | null, now: number): TrainRequest {
  if (train === null || typeof train !== 'object' || Array.isArray(train)) throw new Error('msg.train: must be an object {from, to, stepMs?, spec?}');
  const t = train as Record<string, unknown>;
  const from = parseTime(t.from ?? '-1h', 'msg.train.from', now);
  const to = parseTime(t.to ?? 'now', 'msg.train.to', now);
  if (!(to > from)) throw new Error('msg.train.to: must be after from');
  const stepMs = t.stepMs === undefined ? undefined : Number(t.stepMs);
  if (stepMs !== undefined && !(Number.isInteger(stepMs) && stepMs > 0)) throw new Error(`msg.train.stepMs: must be a positive integer (got ${JSON.stringify(t.stepMs)})`);
  const spec = (t.spec ?? fallback) as ModelSpec | null;
  if (!spec || typeof spec !== 'object') throw new Error('msg.train.spec: no model spec given and none configured in the node (kind, target, inputs)');
  const interpolation = t.interpolation === 'linear' ? 'linear' : 'step';
  return { from, to, stepMs, interpolation, spec };
}
