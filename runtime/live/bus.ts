// The in-process live bus: producers publish batches of samples, subscribers receive the
// ones whose tag matches their NATS-style pattern. Delivery is synchronous and never
// throws into the producer: a failing subscriber is isolated and counted.
import { compilePattern, type Sample } from '../model';

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
}
