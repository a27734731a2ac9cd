// The in-process live bus: producers publish batches of samples, subscribers receive the
// ones whose tag matches their NATS-style pattern. Delivery is synchronous and never
// throws into the producer: a failing subscriber is isolated and counted.
import { compilePattern, samplesOf, type Sample, type SampleColumns } from '../model';

export type LiveListener = (samples: Sample[]) => void;

interface Subscription {
  pattern: string;
  match: (tag: string) => boolean;
  all: boolean;
  listener: LiveListener;
}

export class LiveBus {
  private subs = new Set<Subscription>();
  published = 0;
  listenerErrors = 0;

  /** Subscribes to tags matching `pattern`; returns the unsubscribe function. */
  subscribe(pattern: string, listener: LiveListener): () => void {
    const sub: Subscription = { pattern, match: compilePattern(pattern), all: pattern === '>', listener };
    this.subs.add(sub);
    return () => { this.subs.delete(sub); };
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  publish(samples: Sample[]): void {
    if (samples.length === 0) return;
    this.published += samples.length;
    for (const sub of this.subs) {
      let out: Sample[];
      if (sub.all) out = samples;
      else {
        out = [];
        for (const s of samples) if (sub.match(s.tag)) out.push(s);
        if (out.length === 0) continue;
      }
      try {
        sub.listener(out);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  /**
   * Publishes rows (the store's durable batches): sample objects are made only for
   * subscribers whose pattern matches, once for all `>` subscribers, and not at all when
   * nobody listens.
   */
  publishRows(rows: SampleColumns): void {
    if (rows.length === 0) return;
    this.published += rows.length;
    let everything: Sample[] | null = null;
    for (const sub of this.subs) {
      let out: Sample[];
      if (sub.all) out = everything ??= samplesOf(rows);
      else {
        out = [];
        let lastTag: string | null = null, match = false;
        for (let i = 0; i < rows.length; i++) {
          const tag = rows.tag[i];
          if (tag !== lastTag) { match = sub.match(tag); lastTag = tag; }
          if (match) out.push({ tag, ts: rows.ts[i], value: rows.value[i], quality: rows.quality[i] });
        }
        if (out.length === 0) continue;
      }
      try {
        sub.listener(out);
      } catch {
        this.listenerErrors++;
      }
    }
  }
}
