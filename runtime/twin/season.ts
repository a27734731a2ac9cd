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
  /** share of within-day variance the profile explains, in [0, 1] */
  strength: number;
}

export function slotOf(ts: number, periodMs: number, slots: number): number {
  const phase = ((ts % periodMs) + periodMs) % periodMs;
  return Math.min(slots - 1, Math.floor((phase / periodMs) * slots));
}

/**
 * Estimates the daily profile from (ts, y), or returns null when the window is too short,
 * or the cycle too weak (see MIN_SEASON_STRENGTH). Medians throughout, so a fault in the
 * window moves the profile little.
 */
export function estimateDailyProfile(ts: ArrayLike<number>, y: ArrayLike<number>, stepMs: number): SeasonProfile | null {
  const n = y.length;
  if (n < 10 || !(stepMs > 0)) return null;
  const span = ts[n - 1] - ts[0];
  if (span < MIN_SEASON_DAYS * DAY_MS) return null;
  const slots = Math.max(2, Math.min(MAX_SLOTS, Math.round(DAY_MS / stepMs)));
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
  const bins: number[][] = Array.from({ length: slots }, () => []);
  for (let i = 0; i < n; i++) bins[slotOf(ts[i], DAY_MS, slots)].push(x[i]);
  const raw = bins.map((b) => (b.length ? median(b) : NaN));
  // empty slots (gaps) take the nearest filled slot's value
  for (let s = 0; s < slots; s++) {
    if (Number.isFinite(raw[s])) continue;
    for (let k = 1; k < slots; k++) {
      const a = raw[(s + k) % slots], b = raw[(s - k + slots) % slots];
      if (Number.isFinite(a)) { raw[s] = a; break; }
      if (Number.isFinite(b)) { raw[s] = b; break; }
    }
  }
  const c = median(raw);
  const profile = raw.map((v) => v - c);
  let before = 0, after = 0;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  for (let i = 0; i < n; i++) {
    before += (x[i] - mx) ** 2;
    after += (x[i] - mx - profile[slotOf(ts[i], DAY_MS, slots)]) ** 2;
  }
  const strength = before > 0 ? Math.max(0, 1 - after / before) : 0;
  if (strength < MIN_SEASON_STRENGTH) return null;
  return { periodMs: DAY_MS, slots, profile, strength };
}
