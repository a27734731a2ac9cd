// Drift-free periodic scheduling: slot k is due at start + k·period. Each wake-up computes
// the next slot from the clock instead of adding the period to "now", so timer lateness
// never accumulates; slots missed while a poll overran or the event loop stalled are
// skipped (counted), never replayed in a burst.
import { systemClock, type Clock } from './clock';

export const MIN_PERIOD_MS = 10;
export const MAX_PERIOD_MS = 7 * 24 * 3_600_000;

export interface TickInfo {
  /** the slot's due time (epoch ms) */
  scheduled: number;
  /** when the callback actually ran */
  actual: number;
  /** slot index since start */
  slot: number;
}

export class PeriodicScheduler {
  readonly periodMs: number;
  private start = 0;
  private slot = 0;
  private handle: unknown = null;
  private running = false;
  /** slots that passed without a callback (late wake-ups beyond one period) */
  skipped = 0;
  ticks = 0;

  constructor(periodMs: number, private readonly onTick: (t: TickInfo) => void, private readonly clock: Clock = systemClock) {
    if (!Number.isFinite(periodMs) || periodMs < MIN_PERIOD_MS || periodMs > MAX_PERIOD_MS) {
      throw new Error(`periodMs: must be between ${MIN_PERIOD_MS} ms and ${MAX_PERIOD_MS} ms (got ${periodMs})`);
    }
    this.periodMs = periodMs;
  }

  /** Starts with slot 0 due at `startAt` (default: now). */
  begin(startAt: number = this.clock.now()): void {
    if (this.running) return;
    this.running = true;
    this.start = startAt;
    this.slot = 0;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Due time of the next slot. */
  nextDue(): number {
    return this.start + this.slot * this.periodMs;
  }

  private arm(): void {
    // After a stall, the most recent overdue slot stands for all of them.
    const now = this.clock.now();
    while (this.nextDue() + this.periodMs <= now) {
      this.slot++;
      this.skipped++;
    }
    const delay = Math.max(0, this.nextDue() - now);
    this.handle = this.clock.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.handle = null;
    if (!this.running) return;
    const now = this.clock.now();
    const scheduled = this.nextDue();
    const slot = this.slot;
    // The slot just served plus every slot whose time has already passed.
    const latest = Math.floor((now - this.start) / this.periodMs);
    const next = Math.max(slot + 1, latest + 1);
    this.skipped += next - slot - 1;
    this.slot = next;
    this.ticks++;
    try {
      this.onTick({ scheduled, actual: now, slot });
    } finally {
      if (this.running && this.handle === null) this.arm();
    }
  }
}
