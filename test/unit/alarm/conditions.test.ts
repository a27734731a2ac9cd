// Alarm types, deadband, on/off-delay and re-alarm on a simulated clock.
import { afterEach, describe, expect, it } from 'vitest';
import { OP, T0, harness, hi, type Harness } from './harness';

let h: Harness;
afterEach(() => h?.close());

const states = (h: Harness) => h.seen.map((t) => `${t.from}>${t.to}`);

describe('limit alarms and deadband', () => {
  it('HI activates at the setpoint and clears only below setpoint − deadband', () => {
    h = harness([hi('t1', { deadband: 5 })]);
    h.feed('plant.unit1.t1', 99.9);
    expect(h.svc.get('t1')!.state).toBe('A');
    h.feed('plant.unit1.t1', 100);
    expect(h.svc.get('t1')!.state).toBe('B');
    h.feed('plant.unit1.t1', 96);
    h.feed('plant.unit1.t1', 95);
    expect(h.svc.get('t1')!.state).toBe('B');
    h.feed('plant.unit1.t1', 94.9);
    expect(h.svc.get('t1')!.state).toBe('D');
    expect(states(h)).toEqual(['A>B', 'B>D']);
  });

  it('HIHI, LO and LOLO each keep their own state, limit and priority', () => {
    const tag = 'plant.unit1.level';
    h = harness([
      { id: 'lvl.hh', tag, type: 'HIHI', setpoint: 90, priority: 'urgent' },
      { id: 'lvl.h', tag, type: 'HI', setpoint: 80, deadband: 2, priority: 'high' },
      { id: 'lvl.l', tag, type: 'LO', setpoint: 20, deadband: 2, priority: 'medium' },
      { id: 'lvl.ll', tag, type: 'LOLO', setpoint: 10, priority: 'urgent' },
    ]);
    const out = h.feed(tag, 95);
    expect(out.map((t) => [t.alarmId, t.to, t.limit, t.value, t.priority])).toEqual([
      ['lvl.hh', 'B', 90, 95, 'urgent'], ['lvl.h', 'B', 80, 95, 'high'],
    ]);
    h.feed(tag, 50);
    expect(h.svc.list({ state: 'D' }).map((a) => a.id).sort()).toEqual(['lvl.h', 'lvl.hh']);
    h.feed(tag, 20);
    expect(h.svc.get('lvl.l')!.state).toBe('B');
    h.feed(tag, 21.9);
    expect(h.svc.get('lvl.l')!.state).toBe('B');
    h.feed(tag, 22.1);
    expect(h.svc.get('lvl.l')!.state).toBe('D');
    h.feed(tag, 5);
    expect(h.svc.list({ state: 'B' }).map((a) => a.id)).toEqual(['lvl.ll', 'lvl.l']);
  });

  it('a bad-quality sample does not decide a value alarm', () => {
    h = harness([hi('t1')]);
    h.feed('plant.unit1.t1', 150);
    h.feed('plant.unit1.t1', 0, { quality: 'BAD_SENSOR_FAILURE' });
    expect(h.svc.get('t1')!.state).toBe('B');
  });
});

describe('other alarm types', () => {
  it('DEVIATION compares with the latest setpoint tag value', () => {
    h = harness([{ id: 'dev', tag: 'plant.unit1.temp', type: 'DEVIATION', setpointTag: 'plant.unit1.temp_sp', limit: 5, deadband: 1 }]);
    h.feed('plant.unit1.temp', 70);
    expect(h.svc.get('dev')!.state).toBe('A');
    h.feed('plant.unit1.temp_sp', 60);
    expect(h.svc.get('dev')!.state).toBe('B');
    h.feed('plant.unit1.temp_sp', 66);
    expect(h.svc.get('dev')!.state).toBe('B');
    h.feed('plant.unit1.temp', 70.1);
    expect(h.svc.get('dev')!.state).toBe('B');
    h.feed('plant.unit1.temp', 69.9);
    expect(h.svc.get('dev')!.state).toBe('D');
    h.feed('plant.unit1.temp', 60);
    expect(h.svc.get('dev')!.state).toBe('B');
  });

  it('ROC alarms on the rate over the window, per direction', () => {
    h = harness([{ id: 'roc', tag: 'plant.unit1.p', type: 'ROC', ratePerSecond: 2, windowMs: 5_000, direction: 'rising' }]);
    for (let i = 0; i <= 5; i++) h.feed('plant.unit1.p', 10 + i, { ts: T0 + i * 1000 });
    expect(h.svc.get('roc')!.state).toBe('A');
    h.feed('plant.unit1.p', 30, { ts: T0 + 6000 });
    // (30 − 11) / 5 s = 3.8/s ≥ 2
    expect(h.svc.get('roc')!.state).toBe('B');
    for (let i = 7; i <= 12; i++) h.feed('plant.unit1.p', 30, { ts: T0 + i * 1000 });
    expect(h.svc.get('roc')!.state).toBe('D');
    for (let i = 13; i <= 15; i++) h.feed('plant.unit1.p', 30 - (i - 12) * 10, { ts: T0 + i * 1000 });
    expect(h.svc.get('roc')!.state).toBe('D');
  });

  it('DISCRETE equals and notEquals, booleans as 0/1', () => {
    h = harness([
      { id: 'trip', tag: 'plant.unit1.trip', type: 'DISCRETE', equals: true },
      { id: 'mode', tag: 'plant.unit1.mode', type: 'DISCRETE', notEquals: 3 },
    ]);
    h.feed('plant.unit1.trip', 1);
    h.feed('plant.unit1.mode', 3);
    expect([h.svc.get('trip')!.state, h.svc.get('mode')!.state]).toEqual(['B', 'A']);
    h.feed('plant.unit1.trip', 0);
    h.feed('plant.unit1.mode', 2);
    expect([h.svc.get('trip')!.state, h.svc.get('mode')!.state]).toEqual(['D', 'B']);
  });

  it('BAD_QUALITY follows the sample quality class', () => {
    h = harness([
      { id: 'q', tag: 'plant.unit1.f', type: 'BAD_QUALITY' },
      { id: 'qu', tag: 'plant.unit1.f', type: 'BAD_QUALITY', includeUncertain: true },
    ]);
    h.feed('plant.unit1.f', 1, { quality: 'UNCERTAIN_STALE' });
    expect([h.svc.get('q')!.state, h.svc.get('qu')!.state]).toEqual(['A', 'B']);
    h.feed('plant.unit1.f', 1, { quality: 'BAD_NOT_CONNECTED' });
    expect(h.svc.get('q')!.state).toBe('B');
    h.feed('plant.unit1.f', 1);
    expect([h.svc.get('q')!.state, h.svc.get('qu')!.state]).toEqual(['D', 'D']);
  });
});

describe('delays and re-alarm', () => {
  it('on-delay: a short excursion never alarms, a sustained one alarms at the due time', () => {
    h = harness([hi('t1', { onDelayMs: 10_000 })]);
    h.feed('plant.unit1.t1', 150);
    h.tickBy(9_000);
    h.feed('plant.unit1.t1', 50);
    h.tickBy(60_000);
    expect(h.seen).toHaveLength(0);
    const start = h.now();
    h.feed('plant.unit1.t1', 150);
    expect(h.tickBy(9_999)).toEqual([]);
    const out = h.tickBy(1);
    expect(out.map((t) => [t.to, t.ts])).toEqual([['B', start + 10_000]]);
  });

  it('on-delay is also satisfied by a later sample past the due time', () => {
    h = harness([hi('t1', { onDelayMs: 10_000 })]);
    h.feed('plant.unit1.t1', 150, { ts: T0 });
    const out = h.feed('plant.unit1.t1', 151, { ts: T0 + 12_000 });
    expect(out.map((t) => [t.to, t.ts])).toEqual([['B', T0 + 10_000]]);
  });

  it('off-delay: the alarm returns to normal only after the value stayed normal that long', () => {
    h = harness([hi('t1', { offDelayMs: 5_000 })]);
    h.feed('plant.unit1.t1', 150);
    h.svc.ack('t1', OP);
    h.feed('plant.unit1.t1', 50);
    h.tickBy(4_000);
    h.feed('plant.unit1.t1', 150);
    h.tickBy(10_000);
    expect(h.svc.get('t1')!.state).toBe('C');
    h.feed('plant.unit1.t1', 50);
    const t = h.now();
    h.tickBy(4_999);
    expect(h.svc.get('t1')!.state).toBe('C');
    expect(h.tickBy(1).map((x) => [x.from, x.to, x.ts])).toEqual([['C', 'A', t + 5_000]]);
  });

  it('re-alarm: C goes back to B after reAlarmMs while still active, and again after the next ack', () => {
    h = harness([hi('t1', { reAlarmMs: 30_000 })]);
    h.feed('plant.unit1.t1', 150);
    h.tickBy(1_000);
    h.svc.ack('t1', OP);
    expect(h.tickBy(29_999)).toEqual([]);
    expect(h.tickBy(1).map((t) => [t.from, t.to, t.event])).toEqual([['C', 'B', 'realarm']]);
    h.svc.ack('t1', OP);
    h.feed('plant.unit1.t1', 50);
    expect(h.tickBy(60_000)).toEqual([]);
    expect(states(h)).toEqual(['A>B', 'B>C', 'C>B', 'B>C', 'C>A']);
  });

  it('emits once per transition, not once per evaluation', () => {
    h = harness([hi('t1')]);
    for (let i = 0; i < 50; i++) h.feed('plant.unit1.t1', 150 + i, { ts: T0 + i * 1000 });
    expect(h.seen).toHaveLength(1);
  });

  it('ignores samples older than the last one of the alarm', () => {
    h = harness([hi('t1')]);
    h.feed('plant.unit1.t1', 50, { ts: T0 + 10_000 });
    h.feed('plant.unit1.t1', 150, { ts: T0 + 5_000 });
    expect(h.svc.get('t1')!.state).toBe('A');
  });
});
