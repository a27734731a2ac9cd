// Retry delays: exponential, capped, with jitter so a fleet of gateways that lost the
// same broker does not reconnect in lockstep.
export interface BackoffOptions {
  /** first delay (default 250 ms) */
  baseMs?: number;
  /** longest delay (default 30 s) */
  maxMs?: number;
  /** growth per failure (default 2) */
  factor?: number;
  /** fraction of the delay that is random (default 0.5: delay in [d/2, d]) */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly o: Required<BackoffOptions>;

  constructor(o: BackoffOptions = {}) {
    this.o = { baseMs: o.baseMs ?? 250, maxMs: o.maxMs ?? 30_000, factor: o.factor ?? 2, jitter: o.jitter ?? 0.5, random: o.random ?? Math.random };
    if (!(this.o.baseMs > 0)) throw new Error(`backoff.baseMs: must be positive (got ${this.o.baseMs})`);
    if (!(this.o.maxMs >= this.o.baseMs)) throw new Error(`backoff.maxMs: must be at least baseMs (got ${this.o.maxMs})`);
    if (!(this.o.factor >= 1)) throw new Error(`backoff.factor: must be at least 1 (got ${this.o.factor})`);
    if (!(this.o.jitter >= 0 && this.o.jitter <= 1)) throw new Error(`backoff.jitter: must be between 0 and 1 (got ${this.o.jitter})`);
  }

  /** The delay before the next attempt after one more failure. */
  next(): number {
    const d = Math.min(this.o.maxMs, this.o.baseMs * Math.pow(this.o.factor, this.failures));
    this.failures++;
    return d * (1 - this.o.jitter * this.o.random());
  }

  reset(): void { this.failures = 0; }

  get attempts(): number { return this.failures; }
}
