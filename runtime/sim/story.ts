// The demo plant's operating story: what happens to a pump unit besides noise. Rates are
// per pump and chosen so that a plant of six pumps with the demo alarms (HI/HIHI bearing
// temperature, trip, LO pressure) annunciates a few alarms per hour: within the EEMUA 191
// / ISA-18.2 "acceptable" load (about one per 10 minutes), never a flood.
//   - an operator changes a flow setpoint about once per 90 minutes;
//   - the motor protection trips about once per 5 hours; the pump stays off until an
//     operator resets it 2 to 8 minutes later;
//   - a cooling upset (fouled cooler, fan failure) about once per 2.5 hours: the bearing
//     temperature target rises by 12–16 °C (one upset in eight: 22–26 °C) over a few
//     minutes, holds, and returns. That crosses a HI limit near 60 °C, rarely HIHI at 70 °C.
// Everything is driven by timestamps, so the same story holds at 1 s or 1 min steps.
import type { Prng } from './prng';

export interface StoryUnit {
  path: string;
  sp: number;
  running: boolean;
  tripped: boolean;
  /** °C added to the bearing temperature's target by a cooling upset */
  coolingLoss: number;
}

export interface PlantEvent {
  kind: 'setpoint' | 'trip' | 'reset' | 'cooling-upset';
  /** the tag concerned */
  tag: string;
  ts: number;
  previousValue?: number;
  newValue?: number;
}

export const SETPOINT_CHANGE_PER_S = 1 / 5400;
export const TRIP_PER_S = 1 / 18_000;
export const UPSET_PER_S = 1 / 9000;
const SETPOINTS = [40, 45, 50, 55, 60, 65, 70, 75, 80];

interface Upset { start: number; rampS: number; holdS: number; fallS: number; peak: number }
interface UnitStory { resetAt: number; upset: Upset | null }

export class Story {
  private readonly state = new Map<string, UnitStory>();
  private readonly scheduled = new Map<string, number>();

  constructor(readonly seed: number) {}

  /** Starts a cooling upset on the unit at `ts` (the demo shows one soon after start). */
  scheduleUpset(path: string, ts: number): void {
    this.scheduled.set(path, ts);
  }

  advance(u: StoryUnit, rng: Prng, ts: number, dtS: number, events: PlantEvent[]): void {
    let st = this.state.get(u.path);
    if (!st) { st = { resetAt: 0, upset: null }; this.state.set(u.path, st); }
    // draw every random number every step so the sequence does not depend on the branch taken
    const rSp = rng.next(), rTrip = rng.next(), rUpset = rng.next(), rPick = rng.next(), rLen = rng.next();
    if (rSp < SETPOINT_CHANGE_PER_S * dtS) {
      let sp = SETPOINTS[Math.floor(rPick * SETPOINTS.length)];
      if (sp === u.sp) sp = SETPOINTS[(SETPOINTS.indexOf(sp) + 2) % SETPOINTS.length];
      events.push({ kind: 'setpoint', tag: `${u.path}.flow_sp`, ts, previousValue: u.sp, newValue: sp });
      u.sp = sp;
    }
    if (u.tripped) {
      if (ts >= st.resetAt) {
        u.tripped = false;
        u.running = true;
        events.push({ kind: 'reset', tag: `${u.path}.trip`, ts, previousValue: 1, newValue: 0 });
      }
    } else if (u.running && rTrip < TRIP_PER_S * dtS) {
      u.tripped = true;
      u.running = false;
      st.resetAt = ts + Math.round((120 + rLen * 360) * 1000);
      events.push({ kind: 'trip', tag: `${u.path}.trip`, ts, previousValue: 0, newValue: 1 });
    }
    const due = this.scheduled.get(u.path);
    const startUpset = due !== undefined ? ts >= due : rUpset < UPSET_PER_S * dtS;
    if (!st.upset && startUpset) {
      if (due !== undefined) this.scheduled.delete(u.path);
      const big = due === undefined && rPick < 1 / 8;
      // the scheduled (demo) upset is a quick, clear one: past HI within two minutes, below HIHI
      st.upset = due !== undefined
        ? { start: ts, rampS: 20, holdS: 150, fallS: 240, peak: 16.5 }
        : { start: ts, rampS: 120 + rLen * 180, holdS: 180 + rPick * 240, fallS: 180 + rUpset * 120, peak: big ? 22 + rLen * 4 : 12 + rLen * 4 };
      events.push({ kind: 'cooling-upset', tag: `${u.path}.temperature`, ts, newValue: Number(st.upset.peak.toFixed(1)) });
    }
    u.coolingLoss = st.upset ? this.loss(st.upset, ts) : 0;
    if (st.upset && u.coolingLoss === 0 && ts > st.upset.start) st.upset = null;
  }

  private loss(x: Upset, ts: number): number {
    const t = (ts - x.start) / 1000;
    if (t < 0) return 0;
    if (t < x.rampS) return (x.peak * t) / x.rampS;
    if (t < x.rampS + x.holdS) return x.peak;
    const f = t - x.rampS - x.holdS;
    return f < x.fallS ? x.peak * (1 - f / x.fallS) : 0;
  }
}
