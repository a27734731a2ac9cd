// The limits of an alarm as an isa-alarm node's editor row holds them: what decides when
// the alarm trips (trip points, deadbands, delays, the condition). Changing them is a
// critical action (alarms.limits.change), whether through the API or a deploy. Rows keep
// the editor's form values (strings from inputs), so values are normalised before they
// are compared: "80" and 80 are the same limit.

import type { AlarmDefinition } from './definition';

/** The row fields that are limits; other fields (priority, texts, suppression) are not. */
export const ALARM_LIMIT_FIELDS = [
  'type', 'tag', 'setpoint', 'deadband', 'setpointTag', 'limit', 'direction', 'ratePerSecond', 'windowS',
  'compare', 'state', 'includeUncertain', 'onDelayS', 'offDelayS',
] as const;

/** The fields PUT /alarms/:id/limits may set: the numeric ones. */
export const SETTABLE_LIMITS = ['setpoint', 'deadband', 'limit', 'ratePerSecond', 'windowS', 'onDelayS', 'offDelayS'] as const;
export type SettableLimit = (typeof SETTABLE_LIMITS)[number];

type Row = Record<string, unknown>;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The id an alarm gets: the row's own, or `<tag>:<TYPE>` when the row leaves it empty. */
export function alarmIdOfRow(row: Row): string {
  if (!blank(row.id)) return String(row.id).trim();
  return `${typeof row.tag === 'string' ? row.tag.trim() : String(row.tag ?? '')}:${String(row.type ?? '').toUpperCase()}`;
}

function normal(v: unknown): unknown {
  if (blank(v)) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    const n = Number(t);
    return t !== '' && Number.isFinite(n) ? n : t;
  }
  return v;
}

/** The row's limits, normalised for comparison. */
export function limitsOfRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ALARM_LIMIT_FIELDS) {
    const v = f === 'type' ? String(row.type ?? '').toUpperCase() : normal(row[f]);
    if (v !== null) out[f] = v;
  }
  return out;
}

export function sameLimits(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * An alarm's settable limits as PUT /alarms/:id/limits names them (delays and windows in
 * seconds, as the node's rows hold them): what the console's limits dialog starts from.
 */
export function settableLimitsOf(d: AlarmDefinition): Partial<Record<SettableLimit, number>> {
  const out: Partial<Record<SettableLimit, number>> = {};
  if ('setpoint' in d) out.setpoint = d.setpoint;
  if ('limit' in d) out.limit = d.limit;
  if ('ratePerSecond' in d) out.ratePerSecond = d.ratePerSecond;
  if ('windowMs' in d) out.windowS = d.windowMs / 1000;
  if ('deadband' in d) out.deadband = d.deadband;
  out.onDelayS = d.onDelayMs / 1000;
  out.offDelayS = d.offDelayMs / 1000;
  return out;
}
