import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../runtime/devices/clock';
import { DeadbandFilter } from '../../../runtime/devices/deadband';
import { PeriodicScheduler, type TickInfo } from '../../../runtime/devices/scheduler';

describe('drift-free scheduler', () => {
  it('keeps slots at start + k·period even when every wake-up is late', () => {
    const clock = new ManualClock(1000);
    const ticks: TickInfo[] = [];
    const s = new PeriodicScheduler(100, (t) => ticks.push(t), clock);
    s.begin();
    clock.advance(10_000, 7); // every timer fires 7 ms late
    expect(ticks.length).toBe(101); // slots 0 … 100 inclusive
    ticks.forEach((t, k) => {
      expect(t.scheduled).toBe(1000 + k * 100);
      expect(t.actual - t.scheduled).toBeLessThanOrEqual(7);
    });
    expect(s.skipped).toBe(0);
  });

  it('skips missed slots after a stall instead of bursting, and never drifts', () => {
    const clock = new ManualClock(0);
    const ticks: TickInfo[] = [];
    let stall = true;
    const s = new PeriodicScheduler(100, (t) => {
      ticks.push(t);
      if (stall && t.slot === 3) { stall = false; (clock as any).t += 350; } // the callback blocks 350 ms
    }, clock);
    s.begin();
    clock.advance(1000);
    const slots = ticks.map((t) => t.slot);
    expect(slots.slice(0, 6)).toEqual([0, 1, 2, 3, 6, 7]);
    expect(s.skipped).toBe(2);
    for (const t of ticks) expect(t.scheduled).toBe(t.slot * 100);
  });

  it('stops cleanly and validates the period', () => {
    const clock = new ManualClock(0);
    let n = 0;
    const s = new PeriodicScheduler(1000, () => n++, clock);
    s.begin();
    clock.advance(2500);
    s.stop();
    clock.advance(5000);
    expect(n).toBe(3);
    expect(clock.pending()).toBe(0);
    expect(() => new PeriodicScheduler(1, () => {}, clock)).toThrow(/^periodMs: /);
  });
});


describe('deadband', () => {
  it('passes changes beyond the band and every quality change', () => {
    const f = new DeadbandFilter();
    expect(f.pass('a', 10, 0, 1)).toBe(true);
    expect(f.pass('a', 10.9, 0, 1)).toBe(false);
    expect(f.pass('a', 11.5, 0, 1)).toBe(true);
    expect(f.pass('a', 11.5, 0x8001, 1)).toBe(true);
    expect(f.pass('a', 11.5, 0, 1)).toBe(true);
    expect(f.pass('b', 1, 0, 0)).toBe(true);
    expect(f.pass('b', 1, 0, 0)).toBe(true); // deadband 0: every poll
  });
});
