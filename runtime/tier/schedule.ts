// Runs a mover pass every interval (and on demand), one pass at a time; the node and the
// server use it so the policy is applied without anyone watching.
import type { PassReport, TierMover } from './mover';

export class MoverSchedule {
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly mover: TierMover, readonly intervalMs: number, private readonly onPass: (r: PassReport | null, e?: unknown) => void = () => {}) {
    if (!(intervalMs >= 0) || !Number.isFinite(intervalMs)) throw new Error(`intervalMs: must be zero (on demand only) or a positive number (got ${intervalMs})`);
  }

  start(): void {
    if (this.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => { void this.runNow(); }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** One pass now (or the running one). */
  async runNow(): Promise<PassReport | null> {
    try {
      const r = await this.mover.runOnce();
      this.onPass(r);
      return r;
    } catch (e) {
      this.onPass(null, e);
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.mover.close();
  }
}
