import { describe, expect, it } from 'vitest';
import { LiveBus } from '../../../runtime/live/bus';
import { ClientQueue } from '../../../runtime/live/client-queue';
import { patternWithin } from '../../../runtime/server/security';
import { columnsOf, type Sample } from '../../../runtime/model';

const s = (tag: string, ts: number, value = ts): Sample => ({ tag, ts, value, quality: 0 });

describe('live bus', () => {
  it('delivers each subscriber only the tags matching its pattern, and survives a failing subscriber', () => {
    const bus = new LiveBus();
    const a: string[] = [];
    const b: string[] = [];
    bus.subscribe('acme.*.flow', (x) => a.push(...x.map((y) => y.tag)));
    const unsub = bus.subscribe('>', (x) => b.push(...x.map((y) => y.tag)));
    bus.subscribe('>', () => { throw new Error('boom'); });
    bus.publish([s('acme.p1.flow', 1), s('acme.p1.temp', 1), s('other.x', 1)]);
    expect(a).toEqual(['acme.p1.flow']);
    expect(b).toEqual(['acme.p1.flow', 'acme.p1.temp', 'other.x']);
    expect(bus.listenerErrors).toBe(1);
    unsub();
    bus.publish([s('acme.p2.flow', 2)]);
    expect(b).toHaveLength(3);
    expect(a).toEqual(['acme.p1.flow', 'acme.p2.flow']);
  });

  it('publishes a store batch given as columns: the same samples per pattern, and the same count', () => {
    const bus = new LiveBus();
    const a: Sample[][] = [];
    const b: Sample[][] = [];
    const c: Sample[][] = [];
    bus.subscribe('acme.*.flow', (x) => a.push(x));
    bus.subscribe('>', (x) => b.push(x));
    bus.subscribe('>', (x) => c.push(x));
    bus.subscribe('nobody.*', () => { throw new Error('must not be called without a matching sample'); });
    const batch = [s('acme.p1.flow', 1, 1.5), s('acme.p1.flow', 2, 2.5), s('acme.p1.temp', 1), s('acme.p2.flow', 1, -3)];
    bus.publishRows(columnsOf(batch));
    expect(a).toEqual([[batch[0], batch[1], batch[3]]]);
    expect(b).toEqual([batch]);
    // subscribers to everything share one list of objects
    expect(c[0]).toBe(b[0]);
    expect(bus.published).toBe(4);
    expect(bus.listenerErrors).toBe(0);
  });
});

describe('client queue', () => {
  it('keeps order below its bound', () => {
    const q = new ClientQueue(10);
    q.push([s('a', 1), s('b', 1), s('a', 2)]);
    expect(q.take(100).map((x) => `${x.tag}@${x.ts}`)).toEqual(['a@1', 'b@1', 'a@2']);
    expect(q.size).toBe(0);
  });

  it('collapses to the latest sample per tag when a client falls behind, and counts what it dropped', () => {
    const q = new ClientQueue(4);
    for (let t = 1; t <= 100; t++) q.push([s('a', t), s('b', t)]);
    expect(q.coalescing).toBe(true);
    expect(q.size).toBe(2);
    const out = q.take(10);
    expect(out.map((x) => `${x.tag}@${x.ts}`).sort()).toEqual(['a@100', 'b@100']);
    expect(q.dropped).toBe(198);
    expect(q.coalescing).toBe(false);
  });

  it('stays bounded even with more tags than the bound', () => {
    const q = new ClientQueue(3);
    q.push(Array.from({ length: 50 }, (_, i) => s(`t${i}`, 1)));
    expect(q.size).toBeLessThanOrEqual(3);
    expect(q.take(10).map((x) => x.tag)).toEqual(['t47', 't48', 't49']);
  });

  it('never replaces a newer value with an older late one', () => {
    const q = new ClientQueue(1);
    q.push([s('a', 5), s('a', 3)]);
    expect(q.take(5).map((x) => x.ts)).toEqual([5]);
  });
});

describe('token tag patterns for live subscriptions', () => {
  it('allows only patterns inside the token pattern', () => {
    expect(patternWithin('acme.izmir.>', 'acme.>')).toBe(true);
    expect(patternWithin('acme.izmir.l1.flow', 'acme.*.l1.*')).toBe(true);
    expect(patternWithin('acme.*.l1.flow', 'acme.izmir.>')).toBe(false);
    expect(patternWithin('>', 'acme.>')).toBe(false);
    expect(patternWithin('acme', 'acme.>')).toBe(false);
    expect(patternWithin('acme.x', 'acme.x')).toBe(true);
  });
});
