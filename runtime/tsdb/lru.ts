// A small LRU cache bounded by a caller-given weight (e.g. rows, index entries), used for
// decoded rollup sections (dashboards re-read the same long ranges, and decoding is the
// costly part) and for open block indexes (years of blocks must not all stay in memory).
export class WeightedLru<K, V> {
  private map = new Map<K, { v: V; w: number }>();
  private total = 0;

  constructor(private readonly budget: number) {}

  get(k: K): V | undefined {
    const e = this.map.get(k);
    if (!e) return undefined;
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }

  set(k: K, v: V, w: number): void {
    if (w > this.budget) return;
    const old = this.map.get(k);
    if (old) { this.total -= old.w; this.map.delete(k); }
    this.map.set(k, { v, w });
    this.total += w;
    for (const [key, e] of this.map) {
      if (this.total <= this.budget) break;
      this.map.delete(key);
      this.total -= e.w;
    }
  }

  delete(k: K): void {
    const e = this.map.get(k);
    if (!e) return;
    this.map.delete(k);
    this.total -= e.w;
  }

  /** Changes the weight of an entry already present (e.g. once a pending value is known). */
  reweigh(k: K, w: number): void {
    const e = this.map.get(k);
    if (e) this.set(k, e.v, w);
  }

  get size(): number { return this.map.size; }

  get weight(): number { return this.total; }
}
