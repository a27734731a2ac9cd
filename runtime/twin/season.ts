// Daily cycle of a single signal: an additive profile over the time of day (UTC slots), so a
// temperature that is always higher in the afternoon is not an anomaly every afternoon.
// The profile is indexed by time, not by sample count, so gaps and irregular sampling do
// not shift its phase.
import { median } from './robust';

export const DAY_MS = 86_400_000;
/** at most this many slots per day (5-minute slots); finer data shares slots */
export const MAX_SLOTS = 288;
/** the window must span this many days before a daily profile is estimated */
export const MIN_SEASON_DAYS = 2;
/**
 * The profile is kept only when it explains at least this share of the variance left after
 * removing each day's median: weaker cycles cost more (an extra state to adapt) than they give.
 */
export const MIN_SEASON_STRENGTH = 0.2;

export interface SeasonProfile {
  periodMs: number;
  slots: number;
  /** additive offset per slot, median-centred */
  profile: number[];
  /** share of within-day variance the profile explains on days it was not estimated from, in [0, 1] */
  strength: number;
}

/** samples per slot and day the profile needs (fewer: wider slots) */
const SAMPLES_PER_SLOT = 6;

export function slotOf(ts: number, periodMs: number, slots: number): number {
  const phase = ((ts % periodMs) + periodMs) % periodMs;
  return Math.min(slots - 1, Math.floor((phase / periodMs) * slots));
}

/** slot medians of x over the rows `use` selects; empty slots take the nearest filled one */
function profileOf(ts: ArrayLike<number>, x: Float64Array, slots: number, use: (i: number) => boolean): number[] | null {
  const bins: number[][] = Array.from({ length: slots }, () => []);
  for (let i = 0; i < x.length; i++) if (use(i)) bins[slotOf(ts[i], DAY_MS, slots)].push(x[i]);
  const raw = bins.map((b) => (b.length ? median(b) : NaN));
  if (!raw.some(Number.isFinite)) return null;
  for (let s = 0; s < slots; s++) {
    if (Number.isFinite(raw[s])) continue;
    for (let k = 1; k < slots; k++) {
      const a = raw[(s + k) % slots], b = raw[(s - k + slots) % slots];
      if (Number.isFinite(a)) { raw[s] = a; break; }
      if (Number.isFinite(b)) { raw[s] = b; break; }
    }
  }
  const c = median(raw);
  return raw.map((v) => v - c);
}

function explained(ts: ArrayLike<number>, x: Float64Array, profile: number[], slots: number, use: (i: number) => boolean): [number, number] {
  let m = 0, c = 0;
  for (let i = 0; i < x.length; i++) if (use(i)) { m += x[i]; c++; }
  m = c ? m / c : 0;
  let before = 0, after = 0;
  for (let i = 0; i < x.length; i++) {
    if (!use(i)) continue;
    before += (x[i] - m) ** 2;
    after += (x[i] - m - profile[slotOf(ts[i], DAY_MS, slots)]) ** 2;
  }
  return [before, after];
}

/**
 * Estimates the daily profile from (ts, y), or returns null when the window is too short,
 * or the cycle too weak (see MIN_SEASON_STRENGTH). Medians throughout, so a fault in the
 * window moves the profile little. The strength is judged out of sample (profile from the
 * even days tested on the odd ones and the reverse), so a profile that only fits noise —
 * easy with many slots and few days — is not kept.
 */
export function estimateDailyProfile(ts: ArrayLike<number>, y: ArrayLike<number>, stepMs: number): SeasonProfile | null {
  const n = y.length;
  if (n < 10 || !(stepMs > 0)) return null;
  const span = ts[n - 1] - ts[0];
  if (span < MIN_SEASON_DAYS * DAY_MS) return null;
  const slots = Math.max(2, Math.min(MAX_SLOTS, Math.floor(DAY_MS / stepMs / SAMPLES_PER_SLOT)));
  // remove each day's median (slow drift and level changes between days)
  const byDay = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const d = Math.floor(ts[i] / DAY_MS);
    let a = byDay.get(d);
    if (!a) byDay.set(d, (a = []));
    a.push(y[i]);
  }
  const dayMed = new Map<number, number>();
  for (const [d, a] of byDay) dayMed.set(d, median(a));
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = y[i] - dayMed.get(Math.floor(ts[i] / DAY_MS))!;
  const even = (i: number) => Math.floor(ts[i] / DAY_MS) % 2 === 0;
  const odd = (i: number) => !even(i);
  const pe = profileOf(ts, x, slots, even), po = profileOf(ts, x, slots, odd);
  if (!pe || !po) return null;
  const [b1, a1] = explained(ts, x, pe, slots, odd);
  const [b2, a2] = explained(ts, x, po, slots, even);
  const strength = b1 + b2 > 0 ? Math.max(0, 1 - (a1 + a2) / (b1 + b2)) : 0;
  if (strength < MIN_SEASON_STRENGTH) return null;
  const profile = profileOf(ts, x, slots, () => true)!;
  return { periodMs: DAY_MS, slots, profile, strength };
}
