// The editor stores alarm rows as flat form values (strings from inputs, seconds for
// delays); the alarm service wants definitions in its own units. This turns one into the
// other and leaves validation to the service, which names the bad field.
import { alarmIdOfRow } from '../../runtime/alarm';

export interface AlarmRow {
  id?: string;
  type?: string;
  tag?: string;
  priority?: string;
  setpoint?: unknown;
  deadband?: unknown;
  setpointTag?: string;
  limit?: unknown;
  direction?: string;
  ratePerSecond?: unknown;
  windowS?: unknown;
  /** discrete: 'equals' | 'notEquals' */
  compare?: string;
  state?: unknown;
  includeUncertain?: boolean;
  onDelayS?: unknown;
  offDelayS?: unknown;
  reAlarmS?: unknown;
  maxShelveH?: unknown;
  latching?: boolean;
  message?: string;
  consequence?: string;
  correctiveAction?: string;
  suppressTag?: string;
  suppressEquals?: unknown;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A number field: blank → undefined; anything else Number() (NaN is left for the service to name). */
function num(v: unknown): number | undefined {
  if (blank(v)) return undefined;
  return typeof v === 'number' ? v : Number(v);
}

function ms(v: unknown, factor: number): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n * factor);
}

function discrete(v: unknown): number | boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return num(v);
}

/** The id an alarm gets when the row leaves it empty: `<tag>:<type>` (runtime/alarm/limits.ts). */
export function defaultAlarmId(row: AlarmRow): string {
  return alarmIdOfRow({ ...row, id: undefined });
}

export function rowToDefinition(row: AlarmRow): Record<string, unknown> {
  const type = String(row.type ?? '').toUpperCase();
  const d: Record<string, unknown> = {
    id: blank(row.id) ? defaultAlarmId({ ...row, type }) : String(row.id).trim(),
    type,
    tag: typeof row.tag === 'string' ? row.tag.trim() : row.tag,
  };
  const put = (k: string, v: unknown) => { if (v !== undefined) d[k] = v; };
  put('priority', blank(row.priority) ? undefined : row.priority);
  put('message', blank(row.message) ? undefined : row.message);
  put('consequence', blank(row.consequence) ? undefined : row.consequence);
  put('correctiveAction', blank(row.correctiveAction) ? undefined : row.correctiveAction);
  put('onDelayMs', ms(row.onDelayS, 1000));
  put('offDelayMs', ms(row.offDelayS, 1000));
  put('reAlarmMs', ms(row.reAlarmS, 1000));
  put('maxShelveMs', ms(row.maxShelveH, 3_600_000));
  if (row.latching === true) d.latching = true;
  if (!blank(row.suppressTag)) {
    const eq = discrete(row.suppressEquals);
    d.suppressWhen = eq === undefined ? { tag: String(row.suppressTag).trim() } : { tag: String(row.suppressTag).trim(), equals: eq };
  }
  switch (type) {
    case 'HI': case 'HIHI': case 'LO': case 'LOLO':
      put('setpoint', num(row.setpoint));
      put('deadband', num(row.deadband));
      break;
    case 'DEVIATION':
      put('setpointTag', blank(row.setpointTag) ? undefined : String(row.setpointTag).trim());
      put('limit', num(row.limit));
      put('deadband', num(row.deadband));
      put('direction', blank(row.direction) ? undefined : row.direction);
      break;
    case 'ROC':
      put('ratePerSecond', num(row.ratePerSecond));
      put('windowMs', ms(row.windowS, 1000));
      put('deadband', num(row.deadband));
      put('direction', blank(row.direction) ? undefined : row.direction);
      break;
    case 'DISCRETE':
      put(row.compare === 'notEquals' ? 'notEquals' : 'equals', discrete(row.state));
      break;
    case 'BAD_QUALITY':
      if (row.includeUncertain === true) d.includeUncertain = true;
      break;
  }
  return d;
}

/** Tags the definitions read: process tags, deviation setpoint tags, suppression tags. */
export function watchedTags(defs: readonly Record<string, unknown>[]): Set<string> {
  const tags = new Set<string>();
  for (const d of defs) {
    for (const t of [d.tag, d.setpointTag, (d.suppressWhen as { tag?: unknown } | undefined)?.tag]) {
      if (typeof t === 'string') tags.add(t);
    }
  }
  return tags;
}
