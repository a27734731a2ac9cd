// Every (state, event) pair driven through the real service on a simulated clock: reach
// the state with samples and commands, apply the event, check the state, the refusal and
// that exactly one transition was emitted and journaled when (and only when) the state changed.
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS, STATES, type AlarmEvent, type AlarmState } from '../../../runtime/alarm';
import { ENG, OP, harness, hi, type Harness } from './harness';

const TAG = 'plant.unit1.t1';
const REALARM = 60_000;

function reach(h: Harness, state: AlarmState): void {
  const svc = h.svc;
  switch (state) {
    case 'A': break;
    case 'B': h.feed(TAG, 150); break;
    case 'C': h.feed(TAG, 150); svc.ack('t1', OP); break;
    case 'D': h.feed(TAG, 150); h.feed(TAG, 50); break;
    case 'E': svc.shelve('t1', { ...OP, reason: 'sensor work', durationMs: 3_600_000 }); break;
    case 'F': svc.suppress('t1', OP); break;
    case 'G': svc.outOfService('t1', { ...ENG, reason: 'calibration' }); break;
  }
  expect(svc.get('t1')!.state).toBe(state);
}

/** Applies the event; returns the refusal reason of a command, or null. */
function apply(h: Harness, e: AlarmEvent): string | null {
  const svc = h.svc;
  const refusal = (r: { ok: boolean; reason?: string }) => (r.ok ? null : (r.reason as string));
  switch (e) {
    case 'activate': h.feed(TAG, 150); return null;
    case 'clear': h.feed(TAG, 50); return null;
    case 'realarm': h.tickBy(REALARM); return null;
    case 'ack': { const r = svc.ack('t1', OP); return r.refused[0]?.reason ?? null; }
    case 'reset': return refusal(svc.reset('t1', OP));
    case 'shelve': return refusal(svc.shelve('t1', { ...OP, reason: 'nuisance', durationMs: 600_000 }));
    case 'unshelve': return refusal(svc.unshelve('t1', OP));
    case 'suppress': return refusal(svc.suppress('t1', OP));
    case 'unsuppress': return refusal(svc.unsuppress('t1', OP));
    case 'remove': return refusal(svc.outOfService('t1', { ...ENG, reason: 'maintenance' }));
    case 'restore': return refusal(svc.returnToService('t1', ENG));
  }
}

// Expected outcome for a non-latching HI alarm: next state, or "!reason" when refused.
const EXPECTED: Record<AlarmState, Record<AlarmEvent, string>> = {
  A: { activate: 'B', clear: 'A', realarm: 'A', ack: '!not_in_alarm', reset: '!not_latched', shelve: 'E', unshelve: '!not_shelved', suppress: 'F', unsuppress: '!not_suppressed', remove: 'G', restore: '!in_service' },
  B: { activate: 'B', clear: 'D', realarm: 'B', ack: 'C', reset: '!not_latched', shelve: 'E', unshelve: '!not_shelved', suppress: 'F', unsuppress: '!not_suppressed', remove: 'G', restore: '!in_service' },
  C: { activate: 'C', clear: 'A', realarm: 'B', ack: '!already_acknowledged', reset: '!not_latched', shelve: 'E', unshelve: '!not_shelved', suppress: 'F', unsuppress: '!not_suppressed', remove: 'G', restore: '!in_service' },
  D: { activate: 'B', clear: 'D', realarm: 'D', ack: 'A', reset: '!not_latched', shelve: 'E', unshelve: '!not_shelved', suppress: 'F', unsuppress: '!not_suppressed', remove: 'G', restore: '!in_service' },
  E: { activate: 'E', clear: 'E', realarm: 'E', ack: '!shelved', reset: '!shelved', shelve: '!already_shelved', unshelve: 'A', suppress: 'F', unsuppress: '!not_suppressed', remove: 'G', restore: '!in_service' },
  F: { activate: 'F', clear: 'F', realarm: 'F', ack: '!suppressed', reset: '!suppressed', shelve: '!suppressed', unshelve: '!not_shelved', suppress: '!already_suppressed', unsuppress: 'A', remove: 'G', restore: '!in_service' },
  G: { activate: 'G', clear: 'G', realarm: 'G', ack: '!out_of_service', reset: '!out_of_service', shelve: '!out_of_service', unshelve: '!not_shelved', suppress: '!out_of_service', unsuppress: '!out_of_service', remove: '!already_out_of_service', restore: 'A' },
};

let h: Harness;
afterEach(() => h?.close());

describe('every (state, event) pair through the service', () => {
  for (const s of STATES) {
    for (const e of EVENTS) {
      it(`${s} + ${e} → ${EXPECTED[s][e]}`, () => {
        h = harness([hi('t1', { reAlarmMs: REALARM })]);
        reach(h, s);
        const before = h.seen.length;
        const journalBefore = h.svc.journal({}, { limit: 1000 }).entries.length;
        const reason = apply(h, e);
        const want = EXPECTED[s][e];
        const got = reason !== null ? `!${reason}` : h.svc.get('t1')!.state;
        expect(got).toBe(want);
        const changed = !want.startsWith('!') && want !== s;
        expect(h.seen.length - before).toBe(changed ? 1 : 0);
        expect(h.svc.journal({}, { limit: 1000 }).entries.length - journalBefore).toBe(changed ? 1 : 0);
        if (changed) {
          const t = h.seen[h.seen.length - 1];
          expect([t.from, t.to, t.event]).toEqual([s, want, e]);
        }
      });
    }
  }
});

describe('guarded pairs', () => {
  it('latching: B + clear holds B, ack → C, reset refused while active, reset after clear → A', () => {
    h = harness([hi('t1', { latching: true })]);
    h.feed(TAG, 150);
    h.feed(TAG, 50);
    expect(h.svc.get('t1')).toMatchObject({ state: 'B', latched: true, conditionActive: false });
    expect(h.svc.reset('t1', OP)).toMatchObject({ ok: false, reason: 'unacknowledged' });
    h.svc.ack('t1', OP);
    expect(h.svc.get('t1')).toMatchObject({ state: 'C', latched: true });
    h.feed(TAG, 150);
    expect(h.svc.reset('t1', OP)).toMatchObject({ ok: false, reason: 'condition_active' });
    h.feed(TAG, 50);
    expect(h.svc.get('t1')!.state).toBe('C');
    expect(h.svc.reset('t1', OP)).toMatchObject({ ok: true, transition: { from: 'C', to: 'A', event: 'reset', user: 'olga' } });
  });

  it('latching: C + clear holds C', () => {
    h = harness([hi('t1', { latching: true })]);
    h.feed(TAG, 150);
    h.svc.ack('t1', OP);
    h.feed(TAG, 50);
    expect(h.svc.get('t1')).toMatchObject({ state: 'C', latched: true });
  });

  it('unshelve, unsuppress and return to service go to B when the condition is active', () => {
    h = harness([hi('t1')]);
    h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 60_000 });
    h.feed(TAG, 150);
    expect(h.svc.unshelve('t1', OP)).toMatchObject({ ok: true, transition: { from: 'E', to: 'B' } });
    h.svc.suppress('t1', OP);
    expect(h.svc.unsuppress('t1', OP)).toMatchObject({ ok: true, transition: { from: 'F', to: 'B' } });
    h.svc.outOfService('t1', ENG);
    expect(h.svc.returnToService('t1', ENG)).toMatchObject({ ok: true, transition: { from: 'G', to: 'B' } });
  });

  it('return to service goes to F while the suppression condition holds', () => {
    h = harness([hi('t1', { suppressWhen: { tag: 'plant.unit1.shutdown' } })]);
    h.svc.outOfService('t1', ENG);
    h.feed('plant.unit1.shutdown', 1);
    expect(h.svc.get('t1')!.state).toBe('G');
    expect(h.svc.returnToService('t1', ENG)).toMatchObject({ ok: true, transition: { from: 'G', to: 'F' } });
  });

  it('one-shot shelve ends at the next return to normal', () => {
    h = harness([hi('t1')]);
    h.feed(TAG, 150);
    h.svc.shelve('t1', { ...OP, reason: 'known leak', oneShot: true });
    h.feed(TAG, 160);
    expect(h.svc.get('t1')!.state).toBe('E');
    const out = h.feed(TAG, 50);
    expect(out.map((t) => [t.from, t.to, t.event])).toEqual([['E', 'A', 'clear']]);
  });

  it('an unknown id is refused, not thrown', () => {
    h = harness([hi('t1')]);
    expect(h.svc.reset('nope', OP)).toMatchObject({ ok: false, reason: 'unknown_alarm' });
    expect(h.svc.ack(['nope', 't1'], OP).refused.map((r) => [r.id, r.reason])).toEqual([['nope', 'unknown_alarm'], ['t1', 'not_in_alarm']]);
  });
});
