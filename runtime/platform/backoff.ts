// Retry delays: exponential, capped, with jitter so a fleet of gateways that lost the same
// broker, device or bucket does not retry in lockstep. One helper for every capability; each
// keeps its own defaults by passing them.
export interface BackoffOptions {
  /** first delay in ms (default 250) */
  initialMs?: number;
  /** longest delay in ms (default 30 s) */
  maxMs?: number;
  /** growth per failure (default 2) */
  factor?: number;
  /** fraction of the delay that is random (default 0.5): delay × (1 − jitter·U[0,1)) */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private failures = 0;
  private readonly random: () => number;

  /** `label` prefixes option names in errors (e.g. "backoff" gives "backoff.maxMs: …"). */
  constructor(o: BackoffOptions = {}, label?: string) {
    this.initialMs = o.initialMs ?? 250;
    this.maxMs = o.maxMs ?? 30_000;
    this.factor = o.factor ?? 2;
    this.jitter = o.jitter ?? 0.5;
    this.random = o.random ?? Math.random;
    const name = (f: string) => (label ? `${label}.${f}` : f);
    if (!(this.initialMs > 0)) throw new Error(`${name('initialMs')}: must be positive (got ${this.initialMs})`);
    if (!(this.maxMs >= this.initialMs)) throw new Error(`${name('maxMs')}: must be at least initialMs (got ${this.maxMs})`);
    if (!(this.factor >= 1)) throw new Error(`${name('factor')}: must be at least 1 (got ${this.factor})`);
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new Error(`${name('jitter')}: must be between 0 and 1 (got ${this.jitter})`);
  }

  /** Delay (whole ms) before the next attempt; each call counts one more failure. */
  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * Math.pow(this.factor, this.failures));
    this.failures++;
    return Math.round(d * (1 - this.jitter * this.random()));
  }

  reset(): void { this.failures = 0; }

  /** Delays handed out since the last reset. */
  get attempts(): number { return this.failures; }
}
