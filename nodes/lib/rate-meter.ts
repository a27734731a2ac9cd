// Samples-per-second over a sliding window of whole seconds, for node status texts.
export class RateMeter {
  private buckets: number[];
  private bucketSec = 0;
  total = 0;

  constructor(private readonly windowS = 5, private readonly now: () => number = Date.now) {
    this.buckets = new Array(windowS).fill(0);
  }

  add(n: number): void {
    this.roll();
    this.buckets[this.bucketSec % this.windowS] += n;
    this.total += n;
  }

  perSecond(): number {
    this.roll();
    let sum = 0;
    for (let i = 1; i <= this.windowS - 1; i++) sum += this.buckets[(this.bucketSec - i + this.windowS) % this.windowS];
    return sum / (this.windowS - 1);
  }

  private roll(): void {
    const sec = Math.floor(this.now() / 1000);
    if (this.bucketSec === 0) this.bucketSec = sec;
    while (this.bucketSec < sec) {
      this.bucketSec++;
      this.buckets[this.bucketSec % this.windowS] = 0;
    }
  }
}
