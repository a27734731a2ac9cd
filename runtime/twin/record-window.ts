// Sliding maximum of the detector statistic over a time window. A detector with
// `recordWindowMs` starts an event only when the statistic also beats every value it took in
// that window (events included: a new event must be larger than the last): for a stationary residual
// the chance that a given sample is the largest of the window is one in the window's sample
// count, so new events come at most about once per window length, whatever the sampling rate
// (e.g. 7 days → about one false alarm a week), while a real fault, larger than anything
// seen lately, still alarms at once.

/** longest deque kept; beyond it the oldest entries go first (a bound on memory, not on the rate) */
const MAX_ENTRIES = 100_000;

export class RecordWindow {
  private ts: number[] = [];
  private v: number[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {}

  private evict(now: number): void {
    while (this.head < this.ts.length && (this.ts[this.head] < now - this.windowMs || this.ts.length - this.head > MAX_ENTRIES)) this.head++;
    if (this.head > 4096 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.v = this.v.slice(this.head);
      this.head = 0;
    }
  }

  /** largest value in (now − window, now], or 0 when the window is empty */
  max(now: number): number {
    this.evict(now);
    return this.head < this.v.length ? this.v[this.head] : 0;
  }

  push(ts: number, value: number): void {
    while (this.v.length > this.head && this.v[this.v.length - 1] <= value) { this.v.pop(); this.ts.pop(); }
    this.ts.push(ts);
    this.v.push(value);
    this.evict(ts);
  }
}
