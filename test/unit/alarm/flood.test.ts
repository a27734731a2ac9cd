// Flood: a plant-wide fault drives 1,000 alarms into B in one burst. Every one is
// journaled, in sample order, and the KPIs over that journal match hand-computed values.
import { afterEach, describe, expect, it } from 'vitest';
import { PlantSimulator } from '../../../runtime/sim';
import type { Sample } from '../../../runtime/model';
import { harness, type Harness } from './harness';

const START = Date.UTC(2025, 5, 1, 0, 0, 0);
const TEN_MIN = 600_000;

let h: Harness;
afterEach(() => h?.close());

describe('alarm flood', () => {
  it('journals 1,000 burst alarms in order and computes the flood KPIs', () => {
    // 20 lines × 25 pumps: 500 pump units, 3,000 tags sampled once per second
    const sim = new PlantSimulator({ seed: 7, lines: 20, pumpsPerLine: 25, rate: 3000, start: START, faultRate: 0 });
    expect(sim.tickMs).toBe(1000);
    const units = sim.tags.filter((t) => t.tag.endsWith('.pressure')).map((t) => t.tag.slice(0, -'.pressure'.length));
    expect(units).toHaveLength(500);
    // Normal discharge pressure stays under 5.5 bar and bearing temperature under 55 °C;
    // the HI limits sit well above both.
    const defs = units.flatMap((u) => [
      { id: `${u}.pressure.hi`, tag: `${u}.pressure`, type: 'HI', setpoint: 8, deadband: 0.2, priority: 'high', message: 'Discharge pressure high' },
      { id: `${u}.temperature.hi`, tag: `${u}.temperature`, type: 'HI', setpoint: 70, deadband: 1, priority: 'medium', message: 'Bearing temperature high' },
    ]);
    h = harness(defs, { group: 'plant' });
    h.at(START);

    for (let s = 0; s < 120; s++) expect(h.svc.evaluate(sim.tick())).toEqual([]);

    // The fault: the common discharge header valve closes; every running pump dead-heads,
    // pressure and bearing temperature climb past their HI limits in the same second.
    const fault = (samples: Sample[]) => samples.map((x) =>
      x.tag.endsWith('.pressure') ? { ...x, value: 9.6 } : x.tag.endsWith('.temperature') ? { ...x, value: 84 } : x);
    const burst = fault(sim.tick());
    const faultTs = burst[0].ts;
    const out = h.svc.evaluate(burst);
    expect(out).toHaveLength(1000);

    // everything journaled, in the order the samples arrived
    const expectedOrder = burst.filter((x) => /\.(pressure|temperature)$/.test(x.tag)).map((x) => `${x.tag}.hi`);
    const journal = h.svc.journal({}, { limit: 1000, order: 'asc' });
    expect(journal.next).toBeNull();
    expect(journal.entries.map((e) => e.alarmId)).toEqual(expectedOrder);
    expect(journal.entries.map((e) => e.seq)).toEqual(out.map((t) => t.seq));
    for (let i = 1; i < journal.entries.length; i++) expect(journal.entries[i].seq).toBeGreaterThan(journal.entries[i - 1].seq);
    expect(journal.entries.every((e) => e.from === 'A' && e.to === 'B' && e.event === 'activate' && e.ts === faultTs)).toBe(true);
    expect(h.seen).toHaveLength(1000);

    // the fault persists: no further transitions, not one per evaluation
    for (let s = 0; s < 30; s++) expect(h.svc.evaluate(fault(sim.tick()))).toEqual([]);

    // KPIs over three 10-minute periods starting at the simulation start:
    // [1000, 0, 0] → average 1000/3, flood 1 of 3 periods, peak 1000, each alarm 1/1000 of the load.
    const k = h.svc.kpi(START, START + 3 * TEN_MIN);
    expect(k.alarms).toBe(1000);
    expect(k.periods.map((p) => p.count)).toEqual([1000, 0, 0]);
    expect(k.averagePer10Min).toBeCloseTo(1000 / 3, 9);
    expect(k.floodPercent).toBeCloseTo(100 / 3, 9);
    expect(k.peak10Min).toBe(1000);
    expect(k.top10).toHaveLength(10);
    expect(k.top10.every((t) => t.count === 1 && Math.abs(t.share - 0.1) < 1e-9)).toBe(true);
    expect(k.top10Share).toBeCloseTo(1, 9);
    expect(k.chattering).toEqual([]);
    expect(k.priority.counts).toEqual({ low: 0, medium: 500, high: 500, urgent: 0 });
    expect(k.priority.percent).toEqual({ lowMedium: 50, high: 50, urgent: 0 });
    expect(k.stale).toEqual([]);
    // one line's console sees its own 50 alarms
    expect(h.svc.kpi(START, START + 3 * TEN_MIN, { console: 'acme.izmir.plant1.line3.>' }).alarms).toBe(50);

    // bulk ack of the whole flood, journaled as 1,000 more rows
    const ack = h.svc.ack('all-visible', { user: 'olga', role: 'OPERATOR', comment: 'header valve' });
    expect(ack.acknowledged).toHaveLength(1000);
    expect(h.svc.list({ state: 'C' })).toHaveLength(1000);
    expect(h.svc.list({ priority: 'high', area: 'acme.izmir.plant1.line1.>' })).toHaveLength(25);
  });
});
