// Token bucket per client (API token or user): `ratePerS` samples per second with a
// burst of `burst`; answers how long to wait when a request does not fit.
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly ratePerS: number, private readonly burst: number, private readonly clock: () => number = Date.now) {}

  /** Takes `cost` tokens; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, cost: number): number {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerS);
    b.at = now;
    if (cost > this.burst) return Math.ceil(cost / this.ratePerS);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.ratePerS));
  }
}
