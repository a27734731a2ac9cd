// Scoring of anomaly detectors on SKAB's protocol: per-row flags on the test part of each
// file, confusion counts pooled over all files, and detection delay after the first changepoint.

export interface Confusion { tp: number; fp: number; fn: number; tn: number }

export interface DetectorScore {
  precision: number;
  recall: number;
  f1: number;
  /** mean seconds from the first changepoint row to the first flagged row at or after it */
  delayS: number;
  /** files whose fault was never flagged after its changepoint */
  missed: number;
  confusion: Confusion;
}

export class PooledScore {
  private readonly c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  private readonly delays: number[] = [];
  private missed = 0;

  /** flags and labels cover the test rows only; ts and changepoint likewise. */
  addFile(flags: ArrayLike<number>, labels: ArrayLike<number>, changepoint: ArrayLike<number>, ts: ArrayLike<number>): void {
    for (let i = 0; i < flags.length; i++) {
      const f = flags[i] ? 1 : 0;
      const y = labels[i] ? 1 : 0;
      if (f && y) this.c.tp++;
      else if (f) this.c.fp++;
      else if (y) this.c.fn++;
      else this.c.tn++;
    }
    let cp = -1;
    for (let i = 0; i < changepoint.length; i++) if (changepoint[i]) { cp = i; break; }
    if (cp < 0) return;
    for (let i = cp; i < flags.length; i++) {
      if (flags[i]) { this.delays.push((ts[i] - ts[cp]) / 1000); return; }
    }
    this.missed++;
  }

  result(): DetectorScore {
    const { tp, fp, fn } = this.c;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    const delayS = this.delays.length ? this.delays.reduce((a, b) => a + b, 0) / this.delays.length : 0;
    return { precision, recall, f1, delayS, missed: this.missed, confusion: { ...this.c } };
  }
}
