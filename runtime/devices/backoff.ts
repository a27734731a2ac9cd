// Reconnect delays: exponential growth capped at a maximum, with random jitter so that
// many gateways losing the same device do not reconnect in lock-step.
export interface BackoffOptions {
  /** first delay (ms), default 500 */
  initialMs?: number;
  /** cap (ms), default 30,000 */
  maxMs?: number;
  /** growth factor, default 2 */
  factor?: number;
  /** fraction of the delay randomised away (0 … 1), default 0.2: delay × (1 − jitter·U[0,1)) */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private attempt = 0;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 500;
    this.maxMs = o.maxMs ?? 30_000;
    this.factor = o.factor ?? 2;
    this.jitter = o.jitter ?? 0.2;
    this.random = o.random ?? Math.random;
    if (!(this.initialMs > 0)) throw new Error(`initialMs: must be > 0 (got ${this.initialMs})`);
    if (!(this.maxMs >= this.initialMs)) throw new Error(`maxMs: must be >= initialMs (got ${this.maxMs})`);
    if (!(this.factor >= 1)) throw new Error(`factor: must be >= 1 (got ${this.factor})`);
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new Error(`jitter: must be between 0 and 1 (got ${this.jitter})`);
  }

  /** The next delay; each call grows the base delay until the cap. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * Math.pow(this.factor, this.attempt));
    this.attempt++;
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** Number of delays handed out since the last reset. */
  attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
