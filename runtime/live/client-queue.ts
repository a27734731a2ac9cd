// Per-client outgoing queue with a hard bound. Below the bound samples are kept in
// order; when a client falls behind the queue collapses to the latest sample per tag,
// so memory stays bounded and a slow client still sees current values.
import type { Sample } from '../model';

export class ClientQueue {
  private items: Sample[] = [];
  private latest: Map<string, Sample> | null = null;
  dropped = 0;

  constructor(private readonly maxSamples: number) {}

  get size(): number {
    return this.latest ? this.latest.size : this.items.length;
  }

  get coalescing(): boolean {
    return this.latest !== null;
  }

  push(samples: Sample[]): void {
    if (this.latest === null && this.items.length + samples.length <= this.maxSamples) {
      for (const s of samples) this.items.push(s);
      return;
    }
    if (this.latest === null) {
      this.latest = new Map();
      for (const s of this.items) this.latest.set(s.tag, s);
      this.dropped += this.items.length - this.latest.size;
      this.items = [];
    }
    for (const s of samples) {
      const prev = this.latest.get(s.tag);
      if (prev) this.dropped++;
      if (!prev || prev.ts <= s.ts) {
        this.latest.delete(s.tag); // re-insert keeps the map ordered by recency
        this.latest.set(s.tag, s);
      }
    }
    // Even the latest-per-tag map is bounded: a client subscribed to more tags than the
    // bound loses the least recently updated ones.
    while (this.latest.size > this.maxSamples) {
      const first = this.latest.keys().next().value as string;
      this.latest.delete(first);
      this.dropped++;
    }
  }

  /** Takes up to `max` samples out of the queue. */
  take(max: number): Sample[] {
    if (this.latest) {
      const out: Sample[] = [];
      for (const [tag, s] of this.latest) {
        if (out.length >= max) break;
        out.push(s);
        this.latest.delete(tag);
      }
      if (this.latest.size === 0) this.latest = null;
      return out;
    }
    if (this.items.length <= max) {
      const out = this.items;
      this.items = [];
      return out;
    }
    return this.items.splice(0, max);
  }
}
