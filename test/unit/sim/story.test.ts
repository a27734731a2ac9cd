// The demo plant's operating story, measured the way an alarm engineer would: the default
// flow's own alarm definitions (flows/demo-plant.json) on a day of the default simulator,
// through the real alarm service and its ISA-18.2 / EEMUA 191 KPIs.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlarmService } from '../../../runtime/alarm';
import { PlantSimulator, backfill, type PlantEvent } from '../../../runtime/sim';
import { samplesOf } from '../../../runtime/model';
import { rowToDefinition, type AlarmRow } from '../../../nodes/isa-alarm/rows';
import { tagMetaOf } from '../../../nodes/plant-sim/plant-sim';

const flow = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'flows', 'demo-plant.json'), 'utf8')) as Array<Record<string, any>>;
const simCfg = flow.find((n) => n.type === 'plant-sim')!;
const alarmRows = flow.find((n) => n.type === 'isa-alarm')!.alarms as AlarmRow[];
const T0 = Date.UTC(2026, 5, 1);

function demoSim(start = T0): PlantSimulator {
  return new PlantSimulator({ seed: simCfg.seed, prefix: simCfg.prefix, lines: simCfg.lines, pumpsPerLine: simCfg.pumps, rate: simCfg.rate, faultRate: simCfg.faultRate, story: true, start });
}

describe('demo plant story', () => {
  it('is the same for the same seed, and ticks once a second at the demo rate', () => {
    const a = demoSim(), b = demoSim();
    expect(a.tickMs).toBe(1000);
    for (let i = 0; i < 300; i++) expect(a.tick()).toEqual(b.tick());
  });

  it('annunciates a few alarms per hour with the default flow\'s alarms: EEMUA 191 "acceptable", no flood', () => {
    const dir = mkdtempSync(join(tmpdir(), 'story-alarms-'));
    let now = T0;
    const svc = new AlarmService({ db: join(dir, 'alarms.db'), clock: () => now });
    try {
      svc.configure('demo', alarmRows.map(rowToDefinition));
      const sim = demoSim();
      const hours = 24;
      const events: PlantEvent[] = [];
      for (let s = 0; s < hours * 3600; s++) {
        const batch = sim.tick();
        now = batch[0].ts;
        svc.evaluate(batch);
        svc.tick(now);
        events.push(...sim.takeEvents());
      }
      const k = svc.kpi(T0, now + 1);
      const perHour = k.alarms / hours;
      // the story is not empty: trips, upsets past HI and setpoint changes all happen
      expect(events.filter((e) => e.kind === 'trip').length).toBeGreaterThan(3);
      expect(events.filter((e) => e.kind === 'cooling-upset').length).toBeGreaterThan(10);
      expect(events.filter((e) => e.kind === 'setpoint').length).toBeGreaterThan(20);
      expect(k.top10.some((t) => t.alarmId.endsWith(':HI'))).toBe(true);
      expect(k.top10.some((t) => t.alarmId.endsWith(':DISCRETE'))).toBe(true);
      // EEMUA 191: about one alarm per 10 minutes is "very likely to be acceptable"
      expect(k.averagePer10Min, JSON.stringify({ perHour, top10: k.top10 })).toBeLessThanOrEqual(1);
      expect(perHour).toBeGreaterThanOrEqual(1);
      expect(k.load).toBe('very likely acceptable');
      expect(k.floodPercent).toBe(0);
      expect(k.chattering).toEqual([]);
      console.log(`demo story: ${k.alarms} alarms in ${hours} h = ${perHour.toFixed(1)}/h, ${k.averagePer10Min.toFixed(2)} per 10 min, peak ${k.peak10Min} in 10 min, priorities ${JSON.stringify(k.priority.percent)}, verdict ${k.load}`);
    } finally {
      svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the demo\'s scheduled first upset raises line 1 pump 1\'s HI alarm within two and a half minutes, not its HIHI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'story-first-'));
    let now = T0;
    const svc = new AlarmService({ db: join(dir, 'alarms.db'), clock: () => now });
    try {
      svc.configure('demo', alarmRows.filter((r) => r.tag === 'acme.izmir.plant1.line1.cell1.pump1.temperature').map(rowToDefinition));
      // as after the backfill: an hour of history at 5 s, then live pacing with the upset scheduled
      const sim = demoSim(T0 - 3_600_000);
      for (let t = T0 - 3_600_000; t < T0; t += 5000) { sim.stepAt(t, 5); sim.takeEvents(); }
      sim.restartAt(T0);
      sim.scheduleUpset(0, T0 + simCfg.firstUpsetS * 1000);
      const raised: Record<string, number> = {};
      for (let s = 0; s < 600; s++) {
        const batch = sim.tick();
        now = batch[0].ts;
        for (const t of [...svc.evaluate(batch), ...svc.tick(now)]) if (t.to === 'B' && !(t.alarmId in raised)) raised[t.alarmId] = now - T0;
      }
      expect(raised['acme.izmir.plant1.line1.cell1.pump1.temperature:HI']).toBeLessThan(150_000);
      expect(raised['acme.izmir.plant1.line1.cell1.pump1.temperature:HIHI']).toBeUndefined();
      console.log(`first upset: HI after ${(raised['acme.izmir.plant1.line1.cell1.pump1.temperature:HI'] / 1000).toFixed(0)} s`);
    } finally {
      svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counters never go backwards: not at 1-minute history steps, not at 1-second live steps, not when resumed', async () => {
    const sim = demoSim();
    const last = new Map<string, number>();
    const check = (batch: Array<{ tag: string; value: number }>) => {
      for (const s of batch) {
        if (!sim.counterTags.includes(s.tag)) continue;
        expect(s.value, s.tag).toBeGreaterThanOrEqual(last.get(s.tag) ?? -Infinity);
        last.set(s.tag, s.value);
      }
    };
    const clock = T0 + 3 * 86_400_000;
    const r = await backfill(sim, { days: 3, stepMs: 60_000, detailHours: 2, detailStepMs: 1000 }, async (b) => check(samplesOf(b)), () => clock);
    expect(r.lastTs).toBeLessThanOrEqual(clock);
    expect(r.samples).toBe(((3 * 86_400_000 - 2 * 3_600_000) / 60_000 + 2 * 3600 + 1) * sim.tags.length);
    sim.restartAt(r.lastTs + sim.tickMs);
    for (let i = 0; i < 600; i++) check(sim.tick());
    // a new instance (restart from the seed) resumes the counters and keeps climbing
    const next = demoSim(clock);
    next.resume(sim.counters());
    for (let i = 0; i < 600; i++) check(next.tick());
  });

  it('describes its tags: units, spans, linear analogs, step discretes with state names', () => {
    const meta = tagMetaOf(demoSim().tags);
    const p = 'acme.izmir.plant1.line1.cell1.pump1';
    expect(meta[`${p}.temperature`]).toEqual({ unit: '°C', description: 'Bearing temperature, line 1 pump 1', spanLow: 0, spanHigh: 100, valueType: 'number', interpolation: 'linear' });
    expect(meta[`${p}.trip`]).toMatchObject({ valueType: 'boolean', interpolation: 'step', states: ['healthy', 'tripped'] });
    expect(meta[`${p}.running`]).toMatchObject({ interpolation: 'step', states: ['stopped', 'running'] });
    expect(meta[`${p}.flow_sp`]).toMatchObject({ unit: 'm3/h', interpolation: 'step' });
    expect(meta[`${p}.run_hours`]).toMatchObject({ unit: 'h', interpolation: 'linear' });
  });
});
