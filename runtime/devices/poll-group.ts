// Poll groups: a named period every polled protocol (Modbus, EtherNet/IP) schedules its
// tags by. The period is written in the one duration grammar (runtime/platform), with
// units in any case, or as a number of milliseconds.
import { durationOrError } from '../platform';

export interface PollGroup {
  name: string;
  periodMs: number;
}

/** Parses "<n> ms|s|m|h" (any duration of the platform grammar) or a plain number of milliseconds. */
export function parsePeriod(v: unknown, field = 'period'): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const text = String(v ?? '').trim().toLowerCase();
  const ms = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : durationOrError(text, { allowZero: true });
  if (typeof ms === 'string') throw new Error(`${field}: must be a duration such as 100ms, 1s, 10s, 5m or 1h (got ${JSON.stringify(v)})`);
  return Math.round(ms);
}

export function parseGroups(rows: unknown): PollGroup[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('groups: at least one poll group is needed');
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const o = (r ?? {}) as Record<string, unknown>;
    const name = String(o.name ?? '').trim();
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`groups[${i}].name: must match [A-Za-z0-9_-]+ (got ${JSON.stringify(o.name)})`);
    if (seen.has(name)) throw new Error(`groups[${i}].name: "${name}" appears twice`);
    seen.add(name);
    const periodMs = parsePeriod(o.period ?? o.periodMs, `groups[${i}].period`);
    if (periodMs < 100 || periodMs > 86_400_000) throw new Error(`groups[${i}].period: must be between 100 ms and 24 h (got ${periodMs} ms)`);
    return { name, periodMs };
  });
}
