// The raw alarm condition of one sample: is the process value past its limit? Deadband
// is hysteresis on this raw condition (an active HI stays active until the value drops
// below setpoint − deadband), so it needs the previous raw value. On- and off-delays
// are applied later, on top of the raw condition (see service.ts).
import { qualityRank } from '../model';
import type { AlarmDefinition } from './definition';

/** What the evaluator remembers per alarm between samples. */
export interface ConditionTrack {
  /** last raw condition (after deadband, before delays) */
  raw: boolean;
  /** DEVIATION: latest good value of the setpoint tag */
  setpoint: number | null;
  /** ROC: samples inside the window, oldest first */
  rocTs: number[];
  rocValue: number[];
}

export function newTrack(raw = false): ConditionTrack {
  return { raw, setpoint: null, rocTs: [], rocValue: [] };
}

// Active from `limit` outward; once active, holds until the magnitude falls below limit − deadband.
function hysteresis(wasActive: boolean, magnitude: number, limit: number, deadband: number): boolean {
  return magnitude >= (wasActive ? limit - deadband : limit);
}

/**
 * The raw condition for a sample, or null when the sample cannot decide it (bad quality
 * for a value alarm, unknown setpoint, a single point for a rate): the caller then keeps
 * the previous condition rather than guessing.
 */
export function rawCondition(def: AlarmDefinition, track: ConditionTrack, ts: number, value: number, quality: number): boolean | null {
  if (def.type === 'BAD_QUALITY') return qualityRank(quality) >= (def.includeUncertain ? 1 : 2);
  if (qualityRank(quality) >= 2) return null;
  switch (def.type) {
    case 'HI':
    case 'HIHI':
      return hysteresis(track.raw, value, def.setpoint, def.deadband);
    case 'LO':
    case 'LOLO':
      return hysteresis(track.raw, -value, -def.setpoint, def.deadband);
    case 'DEVIATION': {
      if (track.setpoint === null) return null;
      const d = value - track.setpoint;
      const m = def.direction === 'high' ? d : def.direction === 'low' ? -d : Math.abs(d);
      return hysteresis(track.raw, m, def.limit, def.deadband);
    }
    case 'ROC': {
      const rate = rateOverWindow(track, ts, value, def.windowMs);
      if (rate === null) return null;
      const m = def.direction === 'rising' ? rate : def.direction === 'falling' ? -rate : Math.abs(rate);
      return hysteresis(track.raw, m, def.ratePerSecond, def.deadband);
    }
    case 'DISCRETE':
      return def.equals !== undefined ? value === def.equals : value !== def.notEquals;
  }
}

/**
 * Units per second between the oldest sample still inside the window and this one.
 * The window keeps every sample younger than `windowMs`; older ones are dropped.
 */
function rateOverWindow(track: ConditionTrack, ts: number, value: number, windowMs: number): number | null {
  const { rocTs, rocValue } = track;
  let drop = 0;
  while (drop < rocTs.length && rocTs[drop] < ts - windowMs) drop++;
  if (drop > 0) {
    rocTs.splice(0, drop);
    rocValue.splice(0, drop);
  }
  rocTs.push(ts);
  rocValue.push(value);
  const dt = ts - rocTs[0];
  if (dt <= 0) return null;
  return ((value - rocValue[0]) * 1000) / dt;
}

/** Suppression by design: the condition tag's value says "suppress". */
export function suppressionCondition(equals: number | undefined, value: number): boolean {
  return equals === undefined ? value !== 0 : value === equals;
}
