import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../runtime/platform';

describe('backoff', () => {
  it('grows exponentially to the cap, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  it('takes jitter off the delay: delay × (1 − jitter·U) stays in [d(1−jitter), d]', () => {
    const lo = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => lo.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const hi = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => hi.next())).toEqual([100, 200, 400, 800, 1000]);
    const j = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2 });
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = j.next();
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1000);
      seen.add(d);
    }
    expect(seen.size).toBeGreaterThan(10); // really random, not one fixed value
  });

  it('names the bad option, with the caller\'s prefix', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(/^initialMs: /);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 }, 'backoff')).toThrow(/^backoff.maxMs: /);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(/^factor: /);
    expect(() => new Backoff({ jitter: 2 })).toThrow(/^jitter: /);
  });
});
