// The alarm service: configured alarms, their ISA-18.2 states, operator commands and the
// journal. Time comes only from sample timestamps, `tick(now)` and the injected clock,
// never from timers of its own, so tests drive it on a simulated clock and the caller
// (the isa-alarm node, the server) owns scheduling.
import { SampleError, type Sample } from '../model';
import { newTrack, rawCondition, suppressionCondition } from './condition';
import { AlarmDefinitionError, parseDefinitions, staticLimit, type AlarmDefinition, type Priority } from './definition';
import { AlarmCommandError } from './errors';
import { computeKpis, type AlarmKpis, type KpiOptions } from './kpi';
import { DEFAULT_POLICY, type Actor, type AlarmAction, type AlarmPolicy } from './policy';
import { compileFilter, newRecord, nextTimer, viewOf, type AlarmFilter, type AlarmRecord, type AlarmView, type TimerKind } from './record';
import { isUnacknowledged, resolveTransition, type AlarmEvent, type AlarmState, type RefusalReason } from './states';
import { AlarmStore, type JournalFilter, type JournalPage, type JournalResult, type StoredAlarm } from './store';
import type { Transition } from './transition';

export interface AlarmServiceOptions {
  /** SQLite file path (the caller's data directory) or an already open store */
  db: string | AlarmStore;
  /** time for operator commands and configure; default Date.now */
  clock?: () => number;
  /** permission and e-signature questions; missing members fall back to DEFAULT_POLICY */
  policy?: Partial<AlarmPolicy>;
  /** a throwing listener is reported here and never stops the others; default console.error */
  onListenerError?: (err: unknown, transition: Transition) => void;
}

export interface Refusal {
  id: string;
  reason: RefusalReason;
  message: string;
}

export type CommandResult = ({ ok: true; id: string; transition: Transition }) | ({ ok: false } & Refusal);

export interface AckResult {
  acknowledged: Transition[];
  refused: Refusal[];
}

export interface ConfigureResult {
  added: string[];
  /** existing ids whose definition changed (state kept) */
  updated: string[];
  /** existing ids with an identical definition (state kept) */
  unchanged: string[];
  /** ids of the group no longer defined (state row deleted, journal kept) */
  removed: string[];
}

export interface ShelveOptions extends Actor {
  reason: string;
  /** timed shelve; at most the definition's maxShelveMs */
  durationMs?: number;
  /** shelved until the next return to normal */
  oneShot?: boolean;
}

export interface ServiceOptions extends Actor {
  reason?: string;
}

export { AlarmCommandError, AlarmRefusedError } from './errors';

const REFUSAL_TEXT: Record<RefusalReason, string> = {
  not_in_alarm: 'the alarm is not in alarm and has nothing to acknowledge',
  already_acknowledged: 'the alarm is already acknowledged',
  unacknowledged: 'acknowledge the alarm before resetting it',
  not_latched: 'only a latched alarm can be reset',
  condition_active: 'the alarm condition is still active',
  shelved: 'the alarm is shelved',
  already_shelved: 'the alarm is already shelved',
  not_shelved: 'the alarm is not shelved',
  shelve_exceeds_maximum: 'the shelve duration exceeds the maximum shelve time',
  invalid_duration: 'durationMs must be a positive integer number of milliseconds, or oneShot true',
  suppressed: 'the alarm is suppressed by design',
  already_suppressed: 'the alarm is already suppressed',
  not_suppressed: 'the alarm is not suppressed',
  suppressed_by_condition: 'the suppression condition still holds',
  out_of_service: 'the alarm is out of service',
  already_out_of_service: 'the alarm is already out of service',
  in_service: 'the alarm is in service',
  not_permitted: 'the role is not permitted to do this',
  signature_required: 'this action requires an electronic signature',
  signature_invalid: 'the electronic signature is not valid for this action',
  unknown_alarm: 'no alarm with this id is configured',
};

const PRIORITY_RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2, urgent: 3 };

const Role = { Process: 0, Setpoint: 1, Suppress: 2 } as const;
type Role = (typeof Role)[keyof typeof Role];
interface Subscription { rec: AlarmRecord; role: Role }

interface Meta {
  user: string | null;
  comment: string | null;
  detail?: Record<string, unknown> | null;
}

const CONDITION: Meta = { user: null, comment: null };

export class AlarmService {
  private readonly store: AlarmStore;
  private readonly ownsStore: boolean;
  private readonly clock: () => number;
  private readonly policy: AlarmPolicy;
  private readonly onListenerError: (err: unknown, t: Transition) => void;
  private readonly records = new Map<string, AlarmRecord>();
  private readonly groups = new Map<string, Set<string>>();
  private subs = new Map<string, Subscription[]>();
  private readonly timers = new Set<AlarmRecord>();
  private readonly dirty = new Set<AlarmRecord>();
  private readonly listeners = new Set<(t: Transition) => void>();
  private out: Transition[] = [];

  constructor(opts: AlarmServiceOptions) {
    this.ownsStore = typeof opts.db === 'string';
    this.store = typeof opts.db === 'string' ? AlarmStore.open(opts.db) : opts.db;
    this.clock = opts.clock ?? Date.now;
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.onListenerError = opts.onListenerError ?? ((err) => console.error('alarm transition listener failed:', err));
  }

  // ---------------------------------------------------------------- configuration

  /**
   * Sets the definitions of one group (one isa-alarm node). Ids that persist keep their
   * state across redeploys and restarts; ids dropped from the group lose their state row
   * (their journal stays). Throws AlarmDefinitionError naming the bad field.
   */
  configure(group: string, definitions: readonly unknown[]): ConfigureResult {
    if (typeof group !== 'string' || group.length === 0) throw new AlarmDefinitionError('group', 'must be a non-empty string');
    const defs = parseDefinitions(definitions);
    defs.forEach((d, i) => {
      const other = this.records.get(d.id);
      if (other && other.group !== group) throw new AlarmDefinitionError('id', `"${d.id}" is already defined in group "${other.group}"`, i);
    });
    const now = this.clock();
    const result: ConfigureResult = { added: [], updated: [], unchanged: [], removed: [] };
    this.run(() => {
      const wanted = new Set(defs.map((d) => d.id));
      const known = new Set([...(this.groups.get(group) ?? []), ...this.store.loadGroup(group).map((r) => r.id)]);
      for (const id of known) {
        if (wanted.has(id)) continue;
        const rec = this.records.get(id);
        if (rec) this.forget(rec);
        this.store.delete(id);
        result.removed.push(id);
      }
      for (const def of defs) {
        const json = JSON.stringify(def);
        let rec = this.records.get(def.id);
        let stored: StoredAlarm | undefined;
        if (rec) {
          (json === rec.defJson ? result.unchanged : result.updated).push(def.id);
        } else if ((stored = this.store.load(def.id))) {
          rec = hydrate(stored, def, group);
          (json === stored.definition ? result.unchanged : result.updated).push(def.id);
        } else {
          rec = newRecord(def, group, now);
          result.added.push(def.id);
        }
        rec.group = group;
        if (json !== rec.defJson) this.redefine(rec, def, json, now);
        this.records.set(def.id, rec);
        this.mark(rec);
        this.schedule(rec);
      }
      this.groups.set(group, wanted);
      this.rebuildSubscriptions();
    });
    return result;
  }

  /**
   * Unloads a group (its node closed). State rows stay so a redeploy resumes where it
   * was; `purge` (the node was deleted) removes them too. The journal is never touched.
   */
  removeGroup(group: string, opts: { purge?: boolean } = {}): void {
    const ids = this.groups.get(group) ?? new Set<string>();
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec) this.forget(rec);
    }
    this.groups.delete(group);
    if (opts.purge) {
      this.run(() => {
        for (const r of this.store.loadGroup(group)) this.store.delete(r.id);
      });
    }
    this.rebuildSubscriptions();
  }

  // ---------------------------------------------------------------- samples and time

  /**
   * Feeds samples (in time order) to every alarm watching their tags and returns the
   * transitions they caused, in journal order. Samples older than an alarm's last one
   * are ignored for that alarm. Timers of alarms without new samples wait for tick().
   */
  evaluate(samples: readonly Sample[]): Transition[] {
    validateSamples(samples);
    return this.run(() => {
      for (const s of samples) {
        const subs = this.subs.get(s.tag);
        if (subs === undefined) continue;
        for (const sub of subs) {
          if (sub.role === Role.Process) this.onProcess(sub.rec, s);
          else if (sub.role === Role.Setpoint) this.onSetpoint(sub.rec, s);
          else this.onSuppression(sub.rec, s);
        }
      }
      return this.out;
    });
  }

  /** Fires every on/off-delay, re-alarm and shelve expiry due at or before `now`. */
  tick(now: number = this.clock()): Transition[] {
    if (!Number.isFinite(now)) throw new AlarmCommandError('now', 'must be epoch milliseconds');
    return this.run(() => {
      const due = [...this.timers].filter((r) => r.nextDue <= now).sort((a, b) => a.nextDue - b.nextDue);
      for (const r of due) this.advance(r, now);
      return this.out;
    });
  }

  // ---------------------------------------------------------------- operator commands

  /**
   * Acknowledges alarms: one id, a list of ids, every unacknowledged alarm
   * (`'all-visible'`: B and D, i.e. not shelved, suppressed or out of service) or every
   * unacknowledged alarm matching a filter. Refusals are reported only for explicit ids.
   */
  ack(target: string | readonly string[] | 'all-visible' | AlarmFilter, actor: Actor): AckResult {
    checkActor(actor);
    let ids: string[];
    if (target === 'all-visible' || (typeof target === 'object' && !Array.isArray(target))) {
      const match = target === 'all-visible' ? () => true : compileFilter(target as AlarmFilter);
      ids = [...this.records.values()].filter((r) => isUnacknowledged(r.state) && match(r)).map((r) => r.def.id);
    } else if (typeof target === 'string') ids = [target];
    else if (Array.isArray(target)) ids = [...target];
    else throw new AlarmCommandError('target', 'must be an id, an array of ids, "all-visible" or a filter');
    const result: AckResult = { acknowledged: [], refused: [] };
    this.run(() => {
      for (const id of ids) {
        const r = this.command(id, 'ack', 'ack', actor);
        if (r.ok) result.acknowledged.push(r.transition);
        else result.refused.push({ id: r.id, reason: r.reason, message: r.message });
      }
    });
    return result;
  }

  /** Resets a latched alarm whose condition has cleared (C → A). */
  reset(id: string, actor: Actor): CommandResult {
    checkActor(actor);
    return this.run(() => this.command(id, 'reset', 'reset', actor));
  }

  /** Shelves an alarm for `durationMs` (≤ maxShelveMs) or one-shot; records who, why and until when. */
  shelve(id: string, opts: ShelveOptions): CommandResult {
    checkActor(opts);
    if (typeof opts.reason !== 'string' || opts.reason.trim() === '') throw new AlarmCommandError('reason', 'must say why the alarm is shelved');
    return this.run(() => this.command(id, 'shelve', 'shelve', opts, {
      check: (rec) => {
        if (opts.oneShot === true) return null;
        const d = opts.durationMs;
        if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) return 'invalid_duration';
        return d > rec.def.maxShelveMs ? 'shelve_exceeds_maximum' : null;
      },
      apply: (rec, now) => {
        const oneShot = opts.oneShot === true;
        rec.shelve = { user: opts.user, reason: opts.reason, since: now, until: oneShot ? null : now + (opts.durationMs as number), oneShot };
        return { comment: opts.reason, detail: { until: rec.shelve.until, oneShot } };
      },
    }));
  }

  unshelve(id: string, actor: Actor): CommandResult {
    checkActor(actor);
    return this.run(() => this.command(id, 'unshelve', 'unshelve', actor));
  }

  /** Suppresses by design by hand (the condition tag does the same automatically). */
  suppress(id: string, actor: Actor): CommandResult {
    checkActor(actor);
    return this.run(() => this.command(id, 'suppress', 'suppress', actor, {
      apply: (rec) => { rec.suppressedManually = true; return {}; },
    }));
  }

  /** Lifts a manual suppression; refused while the suppression condition still holds. */
  unsuppress(id: string, actor: Actor): CommandResult {
    checkActor(actor);
    return this.run(() => this.command(id, 'unsuppress', 'unsuppress', actor, {
      check: (rec) => (rec.suppressedByCondition ? 'suppressed_by_condition' : null),
      apply: (rec) => { rec.suppressedManually = false; return {}; },
    }));
  }

  /** Removes an alarm from service (maintenance); the policy decides which roles may. */
  outOfService(id: string, opts: ServiceOptions): CommandResult {
    checkActor(opts);
    return this.run(() => this.command(id, 'outOfService', 'remove', opts, {
      apply: (rec, now) => {
        rec.outOfService = { user: opts.user, reason: opts.reason ?? '', since: now };
        return { comment: opts.reason ?? opts.comment ?? null };
      },
    }));
  }

  returnToService(id: string, opts: ServiceOptions): CommandResult {
    checkActor(opts);
    return this.run(() => this.command(id, 'returnToService', 'restore', opts));
  }

  // ---------------------------------------------------------------- reading

  /** Alarms matching the filter, most urgent first, then most recent change first. */
  list(filter: AlarmFilter = {}): AlarmView[] {
    const match = compileFilter(filter);
    return [...this.records.values()]
      .filter(match)
      .sort((a, b) => PRIORITY_RANK[b.def.priority] - PRIORITY_RANK[a.def.priority] || b.since - a.since || (a.def.id < b.def.id ? -1 : 1))
      .map(viewOf);
  }

  get(id: string): AlarmView | undefined {
    const r = this.records.get(id);
    return r && viewOf(r);
  }

  journal(filter: JournalFilter = {}, page: JournalPage = {}): JournalResult {
    return this.store.journal(filter, page);
  }

  /** Alarm-system KPIs over [from, to) from the journal (see KPI.md). */
  kpi(from: number, to: number, opts: KpiOptions = {}): AlarmKpis {
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new AlarmCommandError('from', 'from and to must be epoch milliseconds');
    const messageOf = (id: string) => this.records.get(id)?.def.message ?? null;
    return computeKpis(from, to, this.store.entriesBetween(from, to), this.store.snapshotAt(to), { messageOf, ...opts });
  }

  /** Called once per transition, after it is committed; returns the unsubscribe function. */
  onTransition(listener: (t: Transition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    if (this.ownsStore) this.store.close();
  }

  // ---------------------------------------------------------------- internals

  /** One unit of work: one transaction, then the transitions go to listeners. */
  private run<T>(fn: () => T): T {
    const outer = this.out;
    const mine: Transition[] = [];
    this.out = mine;
    let result: T;
    try {
      result = this.store.transaction(() => {
        const r = fn();
        for (const rec of this.dirty) this.store.save(rec, rec.defJson);
        this.dirty.clear();
        return r;
      });
    } finally {
      this.out = outer;
    }
    for (const t of mine) this.emit(t);
    return result;
  }

  private emit(t: Transition): void {
    for (const l of this.listeners) {
      try {
        l(t);
      } catch (err) {
        this.onListenerError(err, t);
      }
    }
  }

  private command(
    id: string, action: AlarmAction, event: AlarmEvent, actor: Actor,
    hooks: { check?: (rec: AlarmRecord) => RefusalReason | null; apply?: (rec: AlarmRecord, now: number) => Partial<Meta> } = {},
  ): CommandResult {
    const refuse = (reason: RefusalReason): CommandResult => ({ ok: false, id, reason, message: REFUSAL_TEXT[reason] });
    const rec = this.records.get(id);
    if (!rec) return refuse('unknown_alarm');
    if (!this.policy.allow(action, actor, id)) return refuse('not_permitted');
    const now = this.clock();
    this.advance(rec, now);
    const first = resolveTransition(rec.state, event, this.guards(rec));
    if (first.kind === 'refuse') return refuse(first.reason);
    const bad = hooks.check?.(rec) ?? null;
    if (bad) return refuse(bad);
    if (this.policy.requireSignature(action)) {
      if (actor.signature === undefined || actor.signature === null) return refuse('signature_required');
      if (!this.policy.verifySignature(actor.signature, action, id)) return refuse('signature_invalid');
    }
    const extra = hooks.apply?.(rec, now) ?? {};
    const final = resolveTransition(rec.state, event, this.guards(rec));
    if (final.kind !== 'to' || final.to === rec.state) throw new Error(`alarm table: ${action} accepted without a state change in ${rec.state}`);
    const detail = { ...(extra.detail ?? {}), ...(actor.signature !== undefined ? { signed: true } : {}) };
    const t = this.enter(rec, final.to, event, now, {
      user: actor.user,
      comment: extra.comment !== undefined ? extra.comment : actor.comment ?? null,
      detail: Object.keys(detail).length ? detail : null,
    });
    this.schedule(rec);
    return { ok: true, id, transition: t };
  }

  private guards(rec: AlarmRecord) {
    return {
      latching: rec.def.latching,
      active: rec.active,
      oneShot: rec.shelve?.oneShot ?? false,
      suppressed: rec.suppressedByCondition || rec.suppressedManually,
    };
  }

  /** Applies an automatic event; an event the table refuses or ignores changes nothing. */
  private automatic(rec: AlarmRecord, event: AlarmEvent, ts: number, meta: Meta): void {
    const r = resolveTransition(rec.state, event, this.guards(rec));
    if (r.kind === 'to' && r.to !== rec.state) this.enter(rec, r.to, event, ts, meta);
  }

  private enter(rec: AlarmRecord, to: AlarmState, event: AlarmEvent, ts: number, meta: Meta): Transition {
    const from = rec.state;
    rec.state = to;
    rec.since = ts;
    if (to !== 'E') rec.shelve = null;
    if (to !== 'G') rec.outOfService = null;
    this.mark(rec);
    const d = rec.def;
    const entry = {
      ts, alarmId: d.id, tag: d.tag, from, to, event, value: rec.lastValue, limit: staticLimit(d),
      user: meta.user, comment: meta.comment, priority: d.priority, detail: meta.detail ?? null,
    };
    const seq = this.store.append(entry);
    const t: Transition = { seq, ...entry, group: rec.group, message: d.message, active: rec.active };
    this.out.push(t);
    return t;
  }

  private onProcess(rec: AlarmRecord, s: Sample): void {
    if (rec.lastTs !== null && s.ts < rec.lastTs) return;
    this.advance(rec, s.ts);
    rec.lastValue = s.value;
    rec.lastTs = s.ts;
    rec.lastQuality = s.quality;
    this.updateRaw(rec, rawCondition(rec.def, rec.track, s.ts, s.value, s.quality), s.ts);
  }

  private onSetpoint(rec: AlarmRecord, s: Sample): void {
    if (s.quality & 0x8000) return;
    rec.track.setpoint = s.value;
    if (rec.lastValue === null || rec.lastTs === null) return;
    const ts = Math.max(s.ts, rec.lastTs);
    this.advance(rec, ts);
    this.updateRaw(rec, rawCondition(rec.def, rec.track, ts, rec.lastValue, rec.lastQuality), ts);
  }

  private onSuppression(rec: AlarmRecord, s: Sample): void {
    if (s.quality & 0x8000 || !rec.def.suppressWhen) return;
    const cond = suppressionCondition(rec.def.suppressWhen.equals, s.value);
    if (cond === rec.suppressedByCondition) return;
    this.advance(rec, s.ts);
    this.setSuppressedByCondition(rec, cond, s.ts);
    this.schedule(rec);
  }

  private setSuppressedByCondition(rec: AlarmRecord, cond: boolean, ts: number): void {
    const before = rec.suppressedByCondition || rec.suppressedManually;
    rec.suppressedByCondition = cond;
    this.mark(rec);
    const after = rec.suppressedByCondition || rec.suppressedManually;
    if (before !== after) this.automatic(rec, after ? 'suppress' : 'unsuppress', ts, { user: null, comment: 'suppression condition' });
  }

  private updateRaw(rec: AlarmRecord, raw: boolean | null, ts: number): void {
    if (raw !== null && raw !== rec.track.raw) {
      rec.track.raw = raw;
      rec.rawSince = ts;
      this.mark(rec);
    }
    this.advance(rec, ts);
  }

  /** Fires the alarm's timers due at or before `now`, oldest first. */
  private advance(rec: AlarmRecord, now: number): void {
    for (let guard = 0; guard < 16; guard++) {
      const t = nextTimer(rec);
      if (t === null || t.due > now) break;
      this.fire(rec, t.kind, t.due);
    }
    this.schedule(rec);
  }

  private fire(rec: AlarmRecord, kind: TimerKind, due: number): void {
    switch (kind) {
      case 'activate':
        rec.active = true;
        rec.activeSince = due;
        this.mark(rec);
        this.automatic(rec, 'activate', due, CONDITION);
        break;
      case 'clear':
        rec.active = false;
        rec.activeSince = null;
        this.mark(rec);
        this.automatic(rec, 'clear', due, CONDITION);
        break;
      case 'realarm':
        this.automatic(rec, 'realarm', due, CONDITION);
        break;
      case 'unshelve':
        this.automatic(rec, 'unshelve', due, { user: 'system', comment: 'shelve expired' });
        break;
    }
  }

  private schedule(rec: AlarmRecord): void {
    const t = nextTimer(rec);
    rec.nextDue = t === null ? Infinity : t.due;
    if (t === null) this.timers.delete(rec);
    else this.timers.add(rec);
  }

  private mark(rec: AlarmRecord): void {
    this.dirty.add(rec);
  }

  private forget(rec: AlarmRecord): void {
    this.records.delete(rec.def.id);
    this.timers.delete(rec);
    this.dirty.delete(rec);
  }

  /** A changed definition keeps the state but restarts condition tracking from it. */
  private redefine(rec: AlarmRecord, def: AlarmDefinition, json: string, now: number): void {
    rec.def = def;
    rec.defJson = json;
    rec.track = newTrack(rec.active);
    rec.rawSince = now;
    if (!def.suppressWhen && rec.suppressedByCondition) this.setSuppressedByCondition(rec, false, now);
  }

  private rebuildSubscriptions(): void {
    const subs = new Map<string, Subscription[]>();
    const add = (tag: string, sub: Subscription) => {
      const list = subs.get(tag);
      if (list) list.push(sub);
      else subs.set(tag, [sub]);
    };
    for (const rec of this.records.values()) {
      add(rec.def.tag, { rec, role: Role.Process });
      if (rec.def.type === 'DEVIATION') add(rec.def.setpointTag, { rec, role: Role.Setpoint });
      if (rec.def.suppressWhen) add(rec.def.suppressWhen.tag, { rec, role: Role.Suppress });
    }
    this.subs = subs;
  }
}

function hydrate(s: StoredAlarm, def: AlarmDefinition, group: string): AlarmRecord {
  const rec = newRecord(def, group, s.since);
  rec.defJson = s.definition;
  rec.state = s.state;
  rec.active = s.active;
  rec.activeSince = s.activeSince;
  rec.track = newTrack(s.raw);
  rec.rawSince = s.rawSince;
  rec.suppressedByCondition = s.suppressedByCondition;
  rec.suppressedManually = s.suppressedManually;
  rec.shelve = s.shelve;
  rec.outOfService = s.outOfService;
  rec.lastValue = s.lastValue;
  rec.lastTs = s.lastTs;
  return rec;
}

function checkActor(actor: Actor): void {
  if (actor === null || typeof actor !== 'object') throw new AlarmCommandError('actor', 'must be an object with a user');
  if (typeof actor.user !== 'string' || actor.user.trim() === '') throw new AlarmCommandError('user', 'must be a non-empty string');
  if (actor.comment !== undefined && typeof actor.comment !== 'string') throw new AlarmCommandError('comment', 'must be a string');
}

// The model's parseBatch validates at the boundary; this only guards the domain against
// samples built in code with NaN or a wrong type, which would corrupt condition tracking.
function validateSamples(samples: readonly Sample[]): void {
  if (!Array.isArray(samples)) throw new SampleError('samples', 'must be an array');
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s === null || typeof s !== 'object') throw new SampleError('sample', 'must be an object', i);
    if (typeof s.tag !== 'string') throw new SampleError('tag', 'must be a string', i);
    if (typeof s.ts !== 'number' || !Number.isFinite(s.ts)) throw new SampleError('ts', 'must be epoch milliseconds', i);
    if (typeof s.value !== 'number' || !Number.isFinite(s.value)) throw new SampleError('value', 'must be a finite number', i);
    if (typeof s.quality !== 'number' || !Number.isInteger(s.quality)) throw new SampleError('quality', 'must be a quality code', i);
  }
}
