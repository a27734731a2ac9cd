// A FIFO of (time, value, quality) points for window functions: push at the end, drop
// from the front, replace the last point. Arrays with a moving start index, compacted
// when the dead prefix dominates, so every operation is amortised O(1).

export class WindowBuffer {
  t: number[] = [];
  v: number[] = [];
  q: number[] = [];
  start = 0;

  get size(): number { return this.t.length - this.start; }
  get lastIndex(): number { return this.t.length - 1; }

  push(t: number, v: number, q: number): void {
    this.t.push(t);
    this.v.push(v);
    this.q.push(q);
    this.compact();
  }

  replaceLast(v: number, q: number): void {
    const i = this.t.length - 1;
    this.v[i] = v;
    this.q[i] = q;
  }

  /** Drops the oldest point; returns its value. */
  shift(): number {
    return this.v[this.start++];
  }

  private compact(): void {
    if (this.start > 1024 && this.start * 2 > this.t.length) {
      this.t = this.t.slice(this.start);
      this.v = this.v.slice(this.start);
      this.q = this.q.slice(this.start);
      this.start = 0;
    }
  }
}
