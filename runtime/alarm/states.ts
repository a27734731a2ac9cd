// The ISA-18.2 alarm state machine as data: one rule per (state, event) pair, so the
// table can be printed, documented (STATES.md) and enumerated by tests. The service
// never decides a transition anywhere else.

export type AlarmState = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';

export const STATES: readonly AlarmState[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

export const STATE_NAMES: Readonly<Record<AlarmState, string>> = {
  A: 'Normal',
  B: 'Unacknowledged Alarm',
  C: 'Acknowledged Alarm',
  D: 'Returned to Normal Unacknowledged',
  E: 'Shelved',
  F: 'Suppressed by Design',
  G: 'Out of Service',
};

/**
 * Condition events come from the evaluator (`activate`, `clear`, `realarm`) or from the
 * suppression tag (`suppress`, `unsuppress`); operator commands are `ack`, `reset`,
 * `shelve`, `unshelve`, `suppress`, `unsuppress`, `remove` (out of service) and `restore`
 * (return to service). Shelve expiry is an `unshelve` by the system.
 */
export type AlarmEvent =
  | 'activate' | 'clear' | 'realarm'
  | 'ack' | 'reset'
  | 'shelve' | 'unshelve'
  | 'suppress' | 'unsuppress'
  | 'remove' | 'restore';

export const EVENTS: readonly AlarmEvent[] = [
  'activate', 'clear', 'realarm', 'ack', 'reset', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'remove', 'restore',
];

/** Events that only the evaluator produces: an impossible one is ignored, never "refused". */
export const CONDITION_EVENTS: ReadonlySet<AlarmEvent> = new Set(['activate', 'clear', 'realarm']);

export type RefusalReason =
  | 'not_in_alarm' | 'already_acknowledged' | 'unacknowledged' | 'not_latched' | 'condition_active'
  | 'shelved' | 'already_shelved' | 'not_shelved' | 'shelve_exceeds_maximum' | 'invalid_duration'
  | 'suppressed' | 'already_suppressed' | 'not_suppressed' | 'suppressed_by_condition'
  | 'out_of_service' | 'already_out_of_service' | 'in_service'
  | 'not_permitted' | 'signature_required' | 'signature_invalid' | 'unknown_alarm';

/**
 * `implied` is "the state the condition then implies" on leaving E, F or G:
 * F while the alarm is still suppressed by design, else B if the condition is active, else A.
 * `stay` accepts the event without a state change (the condition flag is still tracked).
 */
export type Outcome = { to: AlarmState | 'implied' } | { stay: true } | { refuse: RefusalReason };

/** Guards read the alarm's definition and condition, never wall-clock time. */
export type Guard = 'latching' | 'active' | 'oneShot';
export type Rule = Outcome | { if: Guard; then: Rule; else: Rule };

export interface GuardContext {
  /** definition is latching */
  latching: boolean;
  /** debounced condition, after the event is applied */
  active: boolean;
  /** the current shelve is one-shot (until the next return to normal) */
  oneShot: boolean;
  /** suppressed by design (condition tag or manual), after the event is applied */
  suppressed: boolean;
}

const to = (s: AlarmState | 'implied'): Outcome => ({ to: s });
const stay: Outcome = { stay: true };
const refuse = (r: RefusalReason): Outcome => ({ refuse: r });

// Commands that are the same from every in-service, unshelved state A–D.
const FROM_A_TO_D = {
  shelve: to('E'), unshelve: refuse('not_shelved'),
  suppress: to('F'), unsuppress: refuse('not_suppressed'),
  remove: to('G'), restore: refuse('in_service'),
} as const;

export const TRANSITIONS: Readonly<Record<AlarmState, Readonly<Record<AlarmEvent, Rule>>>> = {
  A: {
    activate: to('B'), clear: stay, realarm: stay,
    ack: refuse('not_in_alarm'), reset: refuse('not_latched'),
    ...FROM_A_TO_D,
  },
  B: {
    activate: stay,
    // a latching alarm holds B after return to normal until acknowledged and reset
    clear: { if: 'latching', then: stay, else: to('D') },
    realarm: stay,
    ack: to('C'),
    reset: { if: 'latching', then: refuse('unacknowledged'), else: refuse('not_latched') },
    ...FROM_A_TO_D,
  },
  C: {
    activate: stay,
    clear: { if: 'latching', then: stay, else: to('A') },
    realarm: { if: 'active', then: to('B'), else: stay },
    ack: refuse('already_acknowledged'),
    reset: { if: 'latching', then: { if: 'active', then: refuse('condition_active'), else: to('A') }, else: refuse('not_latched') },
    ...FROM_A_TO_D,
  },
  D: {
    activate: to('B'), clear: stay, realarm: stay,
    ack: to('A'), reset: refuse('not_latched'),
    ...FROM_A_TO_D,
  },
  E: {
    activate: stay,
    // one-shot shelving ends at the next return to normal
    clear: { if: 'oneShot', then: to('implied'), else: stay },
    realarm: stay,
    ack: refuse('shelved'), reset: refuse('shelved'),
    shelve: refuse('already_shelved'), unshelve: to('implied'),
    suppress: to('F'), unsuppress: refuse('not_suppressed'),
    remove: to('G'), restore: refuse('in_service'),
  },
  F: {
    activate: stay, clear: stay, realarm: stay,
    ack: refuse('suppressed'), reset: refuse('suppressed'),
    shelve: refuse('suppressed'), unshelve: refuse('not_shelved'),
    suppress: refuse('already_suppressed'), unsuppress: to('implied'),
    remove: to('G'), restore: refuse('in_service'),
  },
  G: {
    activate: stay, clear: stay, realarm: stay,
    ack: refuse('out_of_service'), reset: refuse('out_of_service'),
    shelve: refuse('out_of_service'), unshelve: refuse('not_shelved'),
    suppress: refuse('out_of_service'), unsuppress: refuse('out_of_service'),
    remove: refuse('already_out_of_service'), restore: to('implied'),
  },
};

export type Resolved = { kind: 'to'; to: AlarmState } | { kind: 'stay' } | { kind: 'refuse'; reason: RefusalReason };

/** Where `event` takes an alarm in `state`, given its definition and condition. */
export function resolveTransition(state: AlarmState, event: AlarmEvent, ctx: GuardContext): Resolved {
  let rule: Rule = TRANSITIONS[state][event];
  while ('if' in rule) rule = ctx[rule.if] ? rule.then : rule.else;
  if ('refuse' in rule) return { kind: 'refuse', reason: rule.refuse };
  if ('stay' in rule) return { kind: 'stay' };
  if (rule.to !== 'implied') return { kind: 'to', to: rule.to };
  return { kind: 'to', to: ctx.suppressed ? 'F' : ctx.active ? 'B' : 'A' };
}

/** B and D wait for an acknowledgement; a latched alarm is B or C after its condition cleared. */
export function isUnacknowledged(state: AlarmState): boolean {
  return state === 'B' || state === 'D';
}

/** States shown on the operator's alarm summary. */
export function isAnnunciated(state: AlarmState): boolean {
  return state === 'B' || state === 'C' || state === 'D';
}
