// Alarm-system health figures (ISA-18.2 §16, EEMUA 191) computed from the journal.
// Definitions are in KPI.md; every number here can be recomputed by hand from journal rows.
import { compilePattern } from '../model';
import type { Priority } from './definition';
import { AlarmCommandError } from './errors';
import type { JournalSnapshot } from './store';
import type { JournalEntry } from './transition';

export const PERIOD_MS = 10 * 60_000;
export const FLOOD_THRESHOLD = 10;
export const CHATTER_WINDOW_MS = 60_000;
export const CHATTER_COUNT = 3;
export const STALE_MS = 24 * 3_600_000;
/** ISA-18.2 / EEMUA target mix of annunciated alarms: low+medium / high / urgent (percent) */
export const PRIORITY_TARGET = { lowMedium: 80, high: 15, urgent: 5 } as const;

export interface KpiOptions {
  /** a console's area: tag pattern with NATS wildcards; default all tags */
  console?: string;
  /** an alarm's text, which operators know it by (null: not known, e.g. removed from the flows) */
  messageOf?: (alarmId: string) => string | null;
}

export interface AlarmKpis {
  from: number;
  to: number;
  periodMs: number;
  /** annunciated alarms (transitions into B) in [from, to) */
  alarms: number;
  /** alarms ÷ (duration in 10-minute units) */
  averagePer10Min: number;
  /** counts per 10-minute period aligned to `from`; the last one may be shorter */
  periods: { start: number; count: number }[];
  /** % of periods with more than 10 alarms */
  floodPercent: number;
  floodPeriods: number;
  /** most alarms in one of those periods */
  peak10Min: number;
  top10: { alarmId: string; tag: string; count: number; share: number; message: string | null }[];
  /** % of all alarms that the top 10 account for */
  top10Share: number;
  /** alarms annunciated at least 3 times within one minute; `maxPerMinute` is the most in any minute */
  chattering: { alarmId: string; tag: string; maxPerMinute: number; message: string | null }[];
  /** alarms in B or C at `to` for longer than 24 h */
  stale: { alarmId: string; tag: string; activeSince: number; ageMs: number; message: string | null }[];
  priority: {
    counts: Record<Priority, number>;
    /** percent of alarms: low and medium together, high, urgent */
    percent: { lowMedium: number; high: number; urgent: number };
    target: typeof PRIORITY_TARGET;
  };
  /** alarms in each hold state at `to` */
  shelved: number;
  suppressed: number;
  outOfService: number;
  /** operator actions in [from, to) */
  shelveActions: number;
  outOfServiceActions: number;
  /** EEMUA 191's reading of the average alarm rate (see KPI.md) */
  load: LoadVerdict;
}

export type LoadVerdict = 'very likely acceptable' | 'manageable' | 'likely over-demanding' | 'very likely unacceptable';

/**
 * EEMUA 191's table for the long-term average alarm rate in steady operation: under one per
 * 10 minutes "very likely to be acceptable", up to one per 5 minutes "manageable", below one
 * per minute "likely to be over-demanding", one per minute or more "very likely unacceptable".
 */
export function loadVerdict(averagePer10Min: number): LoadVerdict {
  if (averagePer10Min <= 1) return 'very likely acceptable';
  if (averagePer10Min <= 2) return 'manageable';
  if (averagePer10Min < 10) return 'likely over-demanding';
  return 'very likely unacceptable';
}

const pct = (n: number, d: number) => (d === 0 ? 0 : (n * 100) / d);

/** An annunciation is every entry into B from another state (activation, re-alarm, unshelve…). */
export function isAnnunciation(e: JournalEntry): boolean {
  return e.to === 'B' && e.from !== 'B';
}

/**
 * KPIs over [from, to). `entries` are the journal entries in that range in journal order;
 * `snapshot` is each alarm's state just before `to` (store.snapshotAt).
 */
export function computeKpis(
  from: number, to: number, entries: readonly JournalEntry[], snapshot: readonly JournalSnapshot[], opts: KpiOptions = {},
): AlarmKpis {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new Error('from, to: must be epoch milliseconds');
  if (to <= from) throw new AlarmCommandError('to', 'must be after from');
  let inConsole: (tag: string) => boolean = () => true;
  if (opts.console !== undefined) {
    try {
      inConsole = compilePattern(opts.console);
    } catch (e) {
      throw new AlarmCommandError('console', (e as Error).message);
    }
  }
  const messageOf = opts.messageOf ?? (() => null);
  const mine = entries.filter((e) => e.ts >= from && e.ts < to && inConsole(e.tag));
  const alarms = mine.filter(isAnnunciation);

  const nPeriods = Math.ceil((to - from) / PERIOD_MS);
  const periods = Array.from({ length: nPeriods }, (_, i) => ({ start: from + i * PERIOD_MS, count: 0 }));
  for (const a of alarms) periods[Math.floor((a.ts - from) / PERIOD_MS)].count++;
  const floodPeriods = periods.filter((p) => p.count > FLOOD_THRESHOLD).length;

  const byAlarm = new Map<string, { tag: string; ts: number[] }>();
  for (const a of alarms) {
    let g = byAlarm.get(a.alarmId);
    if (!g) byAlarm.set(a.alarmId, (g = { tag: a.tag, ts: [] }));
    g.ts.push(a.ts);
  }
  const ranked = [...byAlarm.entries()]
    .map(([alarmId, g]) => ({ alarmId, tag: g.tag, message: messageOf(alarmId), count: g.ts.length, share: pct(g.ts.length, alarms.length) }))
    .sort((x, y) => y.count - x.count || (x.alarmId < y.alarmId ? -1 : 1));
  const top10 = ranked.slice(0, 10);

  const chattering: AlarmKpis['chattering'] = [];
  for (const [alarmId, g] of byAlarm) {
    const ts = [...g.ts].sort((x, y) => x - y);
    let best = 0;
    for (let i = 0, j = 0; j < ts.length; j++) {
      while (ts[j] - ts[i] >= CHATTER_WINDOW_MS) i++;
      best = Math.max(best, j - i + 1);
    }
    if (best >= CHATTER_COUNT) chattering.push({ alarmId, tag: g.tag, message: messageOf(alarmId), maxPerMinute: best });
  }
  chattering.sort((x, y) => y.maxPerMinute - x.maxPerMinute || (x.alarmId < y.alarmId ? -1 : 1));

  const snap = snapshot.filter((s) => inConsole(s.tag));
  const stale = snap
    .filter((s) => s.activeSince !== null && to - s.activeSince > STALE_MS)
    .map((s) => ({ alarmId: s.alarmId, tag: s.tag, message: messageOf(s.alarmId), activeSince: s.activeSince as number, ageMs: to - (s.activeSince as number) }))
    .sort((x, y) => x.activeSince - y.activeSince);

  const counts: Record<Priority, number> = { low: 0, medium: 0, high: 0, urgent: 0 };
  for (const a of alarms) counts[a.priority]++;

  return {
    from, to, periodMs: PERIOD_MS,
    alarms: alarms.length,
    averagePer10Min: (alarms.length * PERIOD_MS) / (to - from),
    load: loadVerdict((alarms.length * PERIOD_MS) / (to - from)),
    periods,
    floodPercent: pct(floodPeriods, nPeriods),
    floodPeriods,
    peak10Min: periods.reduce((m, p) => Math.max(m, p.count), 0),
    top10,
    top10Share: top10.reduce((s, t) => s + t.share, 0),
    chattering,
    stale,
    priority: {
      counts,
      percent: {
        lowMedium: pct(counts.low + counts.medium, alarms.length),
        high: pct(counts.high, alarms.length),
        urgent: pct(counts.urgent, alarms.length),
      },
      target: PRIORITY_TARGET,
    },
    shelved: snap.filter((s) => s.state === 'E').length,
    suppressed: snap.filter((s) => s.state === 'F').length,
    outOfService: snap.filter((s) => s.state === 'G').length,
    shelveActions: mine.filter((e) => e.event === 'shelve' && e.to === 'E').length,
    outOfServiceActions: mine.filter((e) => e.event === 'remove' && e.to === 'G').length,
  };
}
