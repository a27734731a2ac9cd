// Shelving, suppression by design, out of service, the permission and e-signature hooks.
import { afterEach, describe, expect, it } from 'vitest';
import { ENG, OP, harness, hi, type Harness } from './harness';

let h: Harness;
afterEach(() => h?.close());

describe('shelving', () => {
  it('records who, why and until when, and unshelves on expiry at tick', () => {
    h = harness([hi('t1', { maxShelveMs: 3_600_000 })]);
    h.feed('plant.unit1.t1', 150);
    const t = h.now();
    const r = h.svc.shelve('t1', { ...OP, reason: 'transmitter replaced', durationMs: 1_800_000 });
    expect(r).toMatchObject({ ok: true, transition: { from: 'B', to: 'E', user: 'olga', comment: 'transmitter replaced', detail: { until: t + 1_800_000, oneShot: false } } });
    expect(h.svc.get('t1')!.shelve).toEqual({ user: 'olga', reason: 'transmitter replaced', since: t, until: t + 1_800_000, oneShot: false });
    expect(h.tickBy(1_799_999)).toEqual([]);
    const out = h.tickBy(1);
    expect(out.map((x) => [x.from, x.to, x.event, x.user, x.ts])).toEqual([['E', 'B', 'unshelve', 'system', t + 1_800_000]]);
    expect(h.svc.get('t1')!.shelve).toBeNull();
  });

  it('refuses a shelve beyond the maximum or without a valid duration', () => {
    h = harness([hi('t1', { maxShelveMs: 3_600_000 })]);
    expect(h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 3_600_001 })).toMatchObject({ ok: false, reason: 'shelve_exceeds_maximum' });
    expect(h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 0 })).toMatchObject({ ok: false, reason: 'invalid_duration' });
    expect(h.svc.shelve('t1', { ...OP, reason: 'x' })).toMatchObject({ ok: false, reason: 'invalid_duration' });
    expect(h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 3_600_000 })).toMatchObject({ ok: true });
    expect(() => h.svc.shelve('t1', { ...OP, reason: '  ', durationMs: 1 })).toThrow(/^reason: /);
    expect(h.seen).toHaveLength(1);
  });

  it('keeps tracking the condition while shelved', () => {
    h = harness([hi('t1')]);
    h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 60_000 });
    h.feed('plant.unit1.t1', 150);
    expect(h.svc.get('t1')).toMatchObject({ state: 'E', conditionActive: true });
    expect(h.tickBy(60_000).map((t) => t.to)).toEqual(['B']);
  });
});

describe('suppression by design', () => {
  const def = hi('t1', { suppressWhen: { tag: 'plant.unit1.running', equals: false } });

  it('follows the condition tag and returns to the state the condition implies', () => {
    h = harness([def]);
    h.feed('plant.unit1.running', 1);
    h.feed('plant.unit1.t1', 150);
    expect(h.svc.get('t1')!.state).toBe('B');
    const down = h.feed('plant.unit1.running', 0);
    expect(down.map((t) => [t.from, t.to, t.event, t.comment])).toEqual([['B', 'F', 'suppress', 'suppression condition']]);
    h.feed('plant.unit1.t1', 50);
    h.feed('plant.unit1.t1', 150);
    expect(h.svc.get('t1')!.state).toBe('F');
    expect(h.svc.unsuppress('t1', OP)).toMatchObject({ ok: false, reason: 'suppressed_by_condition' });
    expect(h.feed('plant.unit1.running', 1).map((t) => [t.from, t.to])).toEqual([['F', 'B']]);
    h.feed('plant.unit1.t1', 50);
    expect(h.feed('plant.unit1.running', 0).map((t) => [t.from, t.to])).toEqual([['D', 'F']]);
    expect(h.feed('plant.unit1.running', 1).map((t) => [t.from, t.to])).toEqual([['F', 'A']]);
  });

  it('overrides a shelve, and a manual suppression outlives the condition', () => {
    h = harness([def]);
    h.feed('plant.unit1.running', 1);
    h.svc.shelve('t1', { ...OP, reason: 'x', durationMs: 60_000 });
    h.feed('plant.unit1.running', 0);
    expect(h.svc.get('t1')).toMatchObject({ state: 'F', shelve: null });
    h.feed('plant.unit1.running', 1);
    expect(h.svc.get('t1')!.state).toBe('A');
    h.svc.suppress('t1', OP);
    h.feed('plant.unit1.running', 0);
    h.feed('plant.unit1.running', 1);
    expect(h.svc.get('t1')).toMatchObject({ state: 'F', suppressed: { byCondition: false, manually: true } });
    expect(h.svc.unsuppress('t1', OP)).toMatchObject({ ok: true, transition: { to: 'A' } });
  });
});

describe('out of service and policy hooks', () => {
  it('the default policy lets only ADMIN and ENGINEER take alarms out of or back into service', () => {
    h = harness([hi('t1')]);
    expect(h.svc.outOfService('t1', { ...OP, reason: 'x' })).toMatchObject({ ok: false, reason: 'not_permitted' });
    expect(h.svc.outOfService('t1', { user: 'anon', reason: 'x' })).toMatchObject({ ok: false, reason: 'not_permitted' });
    const r = h.svc.outOfService('t1', { ...ENG, reason: 'analyser swap' });
    expect(r).toMatchObject({ ok: true, transition: { to: 'G', user: 'emre', comment: 'analyser swap' } });
    expect(h.svc.get('t1')!.outOfService).toMatchObject({ user: 'emre', reason: 'analyser swap' });
    expect(h.svc.returnToService('t1', OP)).toMatchObject({ ok: false, reason: 'not_permitted' });
    expect(h.svc.returnToService('t1', { user: 'root', role: 'ADMIN' })).toMatchObject({ ok: true });
  });

  it('an injected policy decides permissions', () => {
    h = harness([hi('t1')], { policy: { allow: (action, actor) => action !== 'ack' || actor.role === 'OPERATOR' } });
    h.feed('plant.unit1.t1', 150);
    expect(h.svc.ack('t1', { user: 'a', role: 'AUDITOR' }).refused).toMatchObject([{ reason: 'not_permitted' }]);
    expect(h.svc.ack('t1', OP).acknowledged).toHaveLength(1);
  });

  it('refuses with signature_required / signature_invalid, and journals a signed action', () => {
    const checked: unknown[] = [];
    h = harness([hi('t1')], {
      policy: {
        requireSignature: (action) => action === 'shelve',
        verifySignature: (sig, action, target) => { checked.push([sig, action, target]); return sig === 'good-token'; },
      },
    });
    const base = { ...OP, reason: 'x', durationMs: 60_000 };
    expect(h.svc.shelve('t1', base)).toMatchObject({ ok: false, reason: 'signature_required' });
    expect(h.svc.shelve('t1', { ...base, signature: 'forged' })).toMatchObject({ ok: false, reason: 'signature_invalid' });
    expect(h.svc.shelve('t1', { ...base, signature: 'good-token' })).toMatchObject({ ok: true, transition: { detail: { signed: true } } });
    expect(checked).toEqual([['forged', 'shelve', 't1'], ['good-token', 'shelve', 't1']]);
    expect(h.svc.unshelve('t1', OP)).toMatchObject({ ok: true });
    expect(h.svc.journal({ event: 'shelve' }).entries[0].detail).toMatchObject({ signed: true });
  });
});

describe('bulk acknowledge', () => {
  it('acks a list, all visible, or a filter (area / priority)', () => {
    const defs = [
      hi('a1', { tag: 'plant.area1.a1' }), hi('a2', { tag: 'plant.area1.a2', priority: 'low' }),
      hi('b1', { tag: 'plant.area2.b1' }), hi('b2', { tag: 'plant.area2.b2' }),
    ];
    h = harness(defs);
    h.svc.evaluate(['plant.area1.a1', 'plant.area1.a2', 'plant.area2.b1', 'plant.area2.b2'].map((tag) => ({ tag, ts: h.now(), value: 150, quality: 0 })));
    h.svc.shelve('b2', { ...OP, reason: 'x', durationMs: 1000 });
    expect(h.svc.ack({ area: 'plant.area1.*', priority: 'low' }, OP).acknowledged.map((t) => t.alarmId)).toEqual(['a2']);
    const all = h.svc.ack('all-visible', { ...OP, comment: 'shift handover' });
    expect(all.acknowledged.map((t) => [t.alarmId, t.comment])).toEqual([['a1', 'shift handover'], ['b1', 'shift handover']]);
    expect(all.refused).toEqual([]);
    expect(h.svc.list({ active: true }).map((a) => a.state)).toEqual(['C', 'C', 'C']);
    expect(() => h.svc.ack({ area: 'plant..x' }, OP)).toThrow(/^area: /);
    expect(() => h.svc.ack('a1', { user: '' })).toThrow(/^user: /);
  });
});
