// The transition table against an independent statement of the ISA-18.2 rules, for every
// (state, event) pair and every combination of guards.
import { describe, expect, it } from 'vitest';
import {
  EVENTS, STATES, TRANSITIONS, resolveTransition,
  type AlarmEvent, type AlarmState, type GuardContext, type Resolved,
} from '../../../runtime/alarm';

// The rules written event-first, as the standard words them.
function oracle(s: AlarmState, e: AlarmEvent, c: GuardContext): string {
  const inService = 'ABCD'.includes(s);
  const implied = c.suppressed ? 'F' : c.active ? 'B' : 'A';
  switch (e) {
    case 'activate': return s === 'A' || s === 'D' ? 'B' : s;
    case 'clear':
      if (s === 'B') return c.latching ? 'B' : 'D';
      if (s === 'C') return c.latching ? 'C' : 'A';
      if (s === 'E' && c.oneShot) return implied;
      return s;
    case 'realarm': return s === 'C' && c.active ? 'B' : s;
    case 'ack':
      if (s === 'B') return 'C';
      if (s === 'D') return 'A';
      return { A: '!not_in_alarm', C: '!already_acknowledged', E: '!shelved', F: '!suppressed', G: '!out_of_service' }[s] as string;
    case 'reset':
      if (s === 'C' && c.latching) return c.active ? '!condition_active' : 'A';
      if (s === 'B' && c.latching) return '!unacknowledged';
      return { E: '!shelved', F: '!suppressed', G: '!out_of_service' }[s as 'E'] ?? '!not_latched';
    case 'shelve':
      if (inService) return 'E';
      return { E: '!already_shelved', F: '!suppressed', G: '!out_of_service' }[s as 'E'];
    case 'unshelve': return s === 'E' ? implied : '!not_shelved';
    case 'suppress':
      if (inService || s === 'E') return 'F';
      return s === 'F' ? '!already_suppressed' : '!out_of_service';
    case 'unsuppress':
      if (s === 'F') return implied;
      return s === 'G' ? '!out_of_service' : '!not_suppressed';
    case 'remove': return s === 'G' ? '!already_out_of_service' : 'G';
    case 'restore': return s === 'G' ? implied : '!in_service';
  }
}

function show(r: Resolved, s: AlarmState): string {
  return r.kind === 'refuse' ? `!${r.reason}` : r.kind === 'stay' ? s : r.to;
}

const contexts: GuardContext[] = [];
for (let m = 0; m < 16; m++) contexts.push({ latching: !!(m & 1), active: !!(m & 2), oneShot: !!(m & 4), suppressed: !!(m & 8) });

describe('ISA-18.2 transition table', () => {
  it('has a rule for each of the 7 × 11 (state, event) pairs', () => {
    expect(STATES).toHaveLength(7);
    expect(EVENTS).toHaveLength(11);
    for (const s of STATES) expect(Object.keys(TRANSITIONS[s]).sort()).toEqual([...EVENTS].sort());
  });

  for (const s of STATES) {
    for (const e of EVENTS) {
      it(`${s} + ${e}`, () => {
        for (const c of contexts) expect(show(resolveTransition(s, e, c), s), JSON.stringify(c)).toBe(oracle(s, e, c));
      });
    }
  }

  it('every operator command either changes the state or is refused', () => {
    const commands: AlarmEvent[] = ['ack', 'reset', 'shelve', 'unshelve', 'remove', 'restore'];
    for (const s of STATES) for (const e of commands) for (const c of contexts) {
      const r = resolveTransition(s, e, c);
      expect(r.kind === 'refuse' || (r.kind === 'to' && r.to !== s), `${s}+${e} ${JSON.stringify(c)}`).toBe(true);
    }
  });
});
