// The in-memory heads: the one taking writes, and frozen ones being cut into blocks. Each
// head gets a generation; its chunks' priority grows with it, so newer writes win.
import type { ChunkRef } from './chunk-ref';
import { Head, HEAD_CHUNK_SAMPLES, HEAD_PRIORITY_BASE, type HeadSeries } from './head';
import type { Clock } from './types';

export class HeadSet {
  head: Head;
  frozen: Head[] = [];
  /** generation of the current head */
  gen = 0;

  /** `rawLimitBytes`, `rawDueLimitBytes`: raw closed chunks each head may keep, before and once it is due (RawAllowance in head.ts) */
  constructor(private readonly clock: Clock, private readonly rawLimitBytes = 0, private readonly rawDueLimitBytes = rawLimitBytes) {
    this.head = this.create();
  }

  /** Freezes the current head (it stays readable until dropped) and starts a new one. */
  freeze(): Head {
    const old = this.head;
    this.head = this.create();
    this.frozen.push(old);
    return old;
  }

  /** A frozen head whose data is now in blocks. */
  drop(old: Head): void {
    this.frozen = this.frozen.filter((h) => h !== old);
    const d = this.dropped;
    this.dropped = null;
    d?.resolve();
  }

  /** Resolves when a frozen head is next dropped (its cut is done); one promise shared by every caller. */
  nextDrop(): Promise<void> {
    if (!this.dropped) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.dropped = { promise, resolve };
    }
    return this.dropped.promise;
  }
  private dropped: { promise: Promise<void>; resolve: () => void } | null = null;

  /** Current head first, then the frozen ones. */
  all(): Head[] { return [this.head, ...this.frozen]; }

  /** Chunk refs of a tag: frozen heads first, then the current one. */
  refs(tag: string, from: number, to: number, out: ChunkRef[]): void {
    for (const h of this.frozen) h.refs(tag, from, to, out);
    this.head.refs(tag, from, to, out);
  }

  /** The series of a tag in every head (current first). */
  seriesOf(tag: string): HeadSeries[] {
    const out: HeadSeries[] = [];
    for (const h of this.all()) { const s = h.series.get(tag); if (s) out.push(s); }
    return out;
  }

  private create(): Head {
    this.gen++;
    return new Head(HEAD_PRIORITY_BASE + this.gen * 1e7, this.clock(), HEAD_CHUNK_SAMPLES, this.rawLimitBytes, this.rawDueLimitBytes);
  }
}
