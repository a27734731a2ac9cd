// A bandwidth limit for uploads: callers take bytes before sending them and wait until
// the average rate since the limiter started (with a one-second burst) stays under it.
export class Throttle {
  private start: number | null = null;
  private sent = 0;

  constructor(
    readonly bytesPerSecond: number | null,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (bytesPerSecond !== null && !(bytesPerSecond > 0)) throw new Error(`bandwidth: must be a positive number of bytes per second (got ${bytesPerSecond})`);
  }

  async take(bytes: number): Promise<void> {
    if (this.bytesPerSecond === null) return;
    const t = this.now();
    // an idle limiter does not save up credit beyond one second's burst
    if (this.start === null || (t - this.start) * this.bytesPerSecond / 1000 - this.sent > this.bytesPerSecond) {
      this.start = t - 1000; this.sent = 0;
    }
    this.sent += bytes;
    const due = this.start! + (this.sent / this.bytesPerSecond) * 1000;
    if (due > t) await this.sleep(due - t);
  }
}
