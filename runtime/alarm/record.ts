// One configured alarm at run time: its definition, its ISA-18.2 state and the condition
// tracking behind it. The persisted part is what store.ts writes; the rest (last value,
// ROC window) is rebuilt from the next samples after a restart.
import { compilePattern } from '../model';
import { newTrack, type ConditionTrack } from './condition';
import { AlarmCommandError } from './errors';
import { staticLimit, type AlarmDefinition, type AlarmType, type Priority } from './definition';
import { isAnnunciated, STATE_NAMES, type AlarmState } from './states';
import { settableLimitsOf, type SettableLimit } from './limits';

export interface ShelveInfo {
  user: string;
  reason: string;
  since: number;
  /** null for one-shot shelving (until the next return to normal) */
  until: number | null;
  oneShot: boolean;
}

export interface OutOfServiceInfo {
  user: string;
  reason: string;
  since: number;
}

export interface AlarmRecord {
  def: AlarmDefinition;
  /** the definition as stored, to tell a changed definition from a redeployed one */
  defJson: string;
  group: string;
  state: AlarmState;
  /** time of the last state change */
  since: number;
  /** debounced condition (raw condition held through on-/off-delay) */
  active: boolean;
  activeSince: number | null;
  /** raw.since: when the raw condition last changed, the start of a pending delay */
  rawSince: number;
  track: ConditionTrack;
  lastValue: number | null;
  lastTs: number | null;
  lastQuality: number;
  suppressedByCondition: boolean;
  suppressedManually: boolean;
  shelve: ShelveInfo | null;
  outOfService: OutOfServiceInfo | null;
  /** cached earliest timer (Infinity when none) */
  nextDue: number;
  dirty: boolean;
}

export function newRecord(def: AlarmDefinition, group: string, now: number): AlarmRecord {
  return {
    def, defJson: JSON.stringify(def), group, state: 'A', since: now, active: false, activeSince: null, rawSince: now, track: newTrack(),
    lastValue: null, lastTs: null, lastQuality: 0, suppressedByCondition: false, suppressedManually: false,
    shelve: null, outOfService: null, nextDue: Infinity, dirty: true,
  };
}

export type TimerKind = 'activate' | 'clear' | 'realarm' | 'unshelve';

/**
 * The alarm's earliest pending timer. Timers are derived from the state rather than
 * stored, so a change of condition cancels a pending delay without bookkeeping.
 */
export function nextTimer(r: AlarmRecord): { due: number; kind: TimerKind } | null {
  let due = Infinity;
  let kind: TimerKind = 'activate';
  if (r.track.raw !== r.active) {
    due = r.rawSince + (r.track.raw ? r.def.onDelayMs : r.def.offDelayMs);
    kind = r.track.raw ? 'activate' : 'clear';
  }
  if (r.state === 'C' && r.active && r.def.reAlarmMs > 0 && r.since + r.def.reAlarmMs < due) {
    due = r.since + r.def.reAlarmMs;
    kind = 'realarm';
  }
  if (r.state === 'E' && r.shelve?.until != null && r.shelve.until < due) {
    due = r.shelve.until;
    kind = 'unshelve';
  }
  return due === Infinity ? null : { due, kind };
}

/** The read model of an alarm, as listed to operators. */
export interface AlarmView {
  id: string;
  group: string;
  tag: string;
  type: AlarmType;
  priority: Priority;
  state: AlarmState;
  stateName: string;
  since: number;
  conditionActive: boolean;
  activeSince: number | null;
  acknowledged: boolean;
  /** latching alarm held in B or C after its condition cleared, waiting for reset */
  latched: boolean;
  value: number | null;
  valueTs: number | null;
  limit: number | null;
  /** the limits PUT /alarms/:id/limits can change, with their values now */
  limits: Partial<Record<SettableLimit, number>>;
  message: string;
  consequence: string;
  correctiveAction: string;
  shelve: ShelveInfo | null;
  outOfService: OutOfServiceInfo | null;
  suppressed: { byCondition: boolean; manually: boolean };
}

export function viewOf(r: AlarmRecord): AlarmView {
  const d = r.def;
  return {
    id: d.id, group: r.group, tag: d.tag, type: d.type, priority: d.priority,
    state: r.state, stateName: STATE_NAMES[r.state], since: r.since,
    conditionActive: r.active, activeSince: r.activeSince,
    acknowledged: r.state !== 'B' && r.state !== 'D',
    latched: (r.state === 'B' || r.state === 'C') && !r.active,
    value: r.lastValue, valueTs: r.lastTs, limit: staticLimit(d), limits: settableLimitsOf(d),
    message: d.message, consequence: d.consequence, correctiveAction: d.correctiveAction,
    shelve: r.shelve ? { ...r.shelve } : null,
    outOfService: r.outOfService ? { ...r.outOfService } : null,
    suppressed: { byCondition: r.suppressedByCondition, manually: r.suppressedManually },
  };
}

export interface AlarmFilter {
  /** area: a tag pattern with NATS wildcards (`acme.plant1.>`) */
  area?: string;
  priority?: Priority | Priority[];
  state?: AlarmState | AlarmState[];
  /** true: on the alarm summary (B, C, D); false: not */
  active?: boolean;
  group?: string;
  ids?: string[];
}

/** Compiles a filter once; throws naming the field when the area pattern is invalid. */
export function compileFilter(f: AlarmFilter = {}): (r: AlarmRecord) => boolean {
  let area: ((tag: string) => boolean) | null = null;
  if (f.area !== undefined) {
    try {
      area = compilePattern(f.area);
    } catch (e) {
      throw new AlarmCommandError('area', (e as Error).message);
    }
  }
  const pri = f.priority === undefined ? null : new Set(Array.isArray(f.priority) ? f.priority : [f.priority]);
  const st = f.state === undefined ? null : new Set(Array.isArray(f.state) ? f.state : [f.state]);
  const ids = f.ids === undefined ? null : new Set(f.ids);
  return (r) =>
    (area === null || area(r.def.tag)) &&
    (pri === null || pri.has(r.def.priority)) &&
    (st === null || st.has(r.state)) &&
    (f.active === undefined || isAnnunciated(r.state) === f.active) &&
    (f.group === undefined || r.group === f.group) &&
    (ids === null || ids.has(r.def.id));
}
