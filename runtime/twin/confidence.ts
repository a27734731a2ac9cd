// Confidence in [0, 1] of a model's verdicts: how its recent error compares with the error
// it showed on held-out validation data (a model drifting out of its training regime earns
// less trust), times how much data it rests on (training rows plus normal samples seen since).
// Samples inside an anomaly are kept out of the rolling error: the fault is not the model's fault.

export interface ConfidenceOptions {
  /** rolling window of normal samples; default 120 */
  window?: number;
  /** rows at which the data factor reaches 1 - 1/e; default 200 */
  dataScale?: number;
}

export class ConfidenceTracker {
  private readonly buf: Float64Array;
  private count = 0;
  private pos = 0;
  private sumSq = 0;
  private seen = 0;
  private readonly dataScale: number;
  private readonly inBand: Uint8Array;
  private bandCount = 0;
  private bandPos = 0;
  private bandHits = 0;

  constructor(private readonly validationRmse: number, private readonly trainingRows: number, opts: ConfidenceOptions = {}) {
    this.buf = new Float64Array(Math.max(1, opts.window ?? 120));
    this.dataScale = opts.dataScale ?? 200;
    this.inBand = new Uint8Array(this.buf.length);
  }

  /** Records the error of a step judged normal, and whether it fell inside the prediction band. */
  observe(error: number, inBand?: boolean): void {
    if (inBand !== undefined) {
      if (this.bandCount === this.inBand.length) this.bandHits -= this.inBand[this.bandPos];
      else this.bandCount++;
      this.inBand[this.bandPos] = inBand ? 1 : 0;
      this.bandHits += inBand ? 1 : 0;
      this.bandPos = (this.bandPos + 1) % this.inBand.length;
    }
    const e2 = error * error;
    if (this.count === this.buf.length) this.sumSq -= this.buf[this.pos];
    else this.count++;
    this.buf[this.pos] = e2;
    this.sumSq += e2;
    this.pos = (this.pos + 1) % this.buf.length;
    this.seen++;
  }

  /** share of the recent normal samples inside the band; undefined before any (or for group models) */
  coverage(): number | undefined {
    return this.bandCount ? this.bandHits / this.bandCount : undefined;
  }

  rollingRmse(): number {
    return this.count ? Math.sqrt(Math.max(0, this.sumSq) / this.count) : 0;
  }

  value(): number {
    const rolling = this.rollingRmse();
    const eps = 1e-12 * Math.max(1, this.validationRmse);
    const accuracy = this.count === 0 ? 1 : Math.min(1, (this.validationRmse + eps) / (rolling + eps));
    const data = 1 - Math.exp(-(this.trainingRows + this.seen) / this.dataScale);
    const c = accuracy * data;
    return Number.isFinite(c) ? Math.min(1, Math.max(0, c)) : 0;
  }
}
