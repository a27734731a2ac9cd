import { describe, expect, it } from 'vitest';
import { TriggeredCapture } from '../../../runtime/frames';

const FLOW = 'acme.p.l1.pump1.flow';
const PRESS = 'acme.p.l1.pump1.pressure';
const RUN = 'acme.p.l1.pump1.running';
const OTHER = 'acme.p.l1.pump2.flow';

/** 1 Hz samples of flow, pressure, pump 2 flow and the running flag; pump 1 trips at 100 s and restarts at 130 s. */
function plant(seconds: number) {
  const out = [];
  for (let s = 0; s < seconds; s++) {
    const ts = s * 1000;
    out.push({ tag: FLOW, ts, value: s, quality: 0 }, { tag: PRESS, ts, value: -s, quality: 0 }, { tag: OTHER, ts, value: 1, quality: 0 });
    out.push({ tag: RUN, ts, value: s >= 100 && s < 130 ? 0 : 1, quality: 0 });
  }
  return out;
}

describe('TriggeredCapture', () => {
  it('stores exactly the captured tags from pre-trigger to post-trigger, each sample once', () => {
    const c = new TriggeredCapture({ tags: ['acme.p.l1.pump1.flow', 'acme.p.l1.pump1.pressure'], preMs: 10_000, postMs: 5000, condition: `${RUN} == 0` });
    const all = plant(200);
    const out = [];
    // fed in irregular message sizes, as a flow delivers them
    for (let i = 0; i < all.length; i += 7) out.push(...c.ingest(all.slice(i, i + 7)));
    const expected = all.filter((s) => (s.tag === FLOW || s.tag === PRESS) && s.ts >= 90_000 && s.ts <= 135_000);
    const key = (s: { tag: string; ts: number }) => `${s.tag}@${s.ts}`;
    expect(out.map(key).sort()).toEqual(expected.map(key).sort());
    expect(new Set(out.map(key)).size).toBe(out.length);
  });

  it('is switched from outside (an event frame) and keeps capturing across trips', () => {
    const c = new TriggeredCapture({ tags: ['acme.p.l1.pump1.>'], preMs: 3000 });
    const feed = (from: number, to: number) => c.ingest(Array.from({ length: to - from }, (_, k) => ({ tag: FLOW, ts: (from + k) * 1000, value: from + k, quality: 0 })));
    expect(feed(0, 20)).toEqual([]);
    const pre = c.start(20_000);
    expect(pre.map((s) => s.ts)).toEqual([17_000, 18_000, 19_000]);
    expect(feed(20, 25).map((s) => s.ts)).toEqual([20_000, 21_000, 22_000, 23_000, 24_000]);
    c.stop(25_000);
    expect(feed(25, 40)).toEqual([{ tag: FLOW, ts: 25_000, value: 25, quality: 0 }]);
    expect(c.start(40_000).map((s) => s.ts)).toEqual([37_000, 38_000, 39_000]);
  });

  it('becomes due on tick for a held condition and takes the history before it became true', () => {
    const c = new TriggeredCapture({ tags: [FLOW], preMs: 2000, condition: `${FLOW} > 5 for 10s` });
    const out = c.ingest(Array.from({ length: 8 }, (_, s) => ({ tag: FLOW, ts: s * 1000, value: s, quality: 0 })));
    expect(out).toEqual([]);
    // true since 6 s; no more samples; due at 16 s
    expect(c.tick(15_999)).toEqual([]);
    expect(c.tick(16_000).map((s) => s.ts)).toEqual([4000, 5000, 6000, 7000]);
  });

  it('refuses bad options naming the field', () => {
    expect(() => new TriggeredCapture({ tags: [] })).toThrow(/^tags:/);
    expect(() => new TriggeredCapture({ tags: ['a..b'] })).toThrow(/^tags:/);
    expect(() => new TriggeredCapture({ tags: ['a.b'], condition: 'x >' })).toThrow(/^condition:/);
  });
});
