// Writes of a tag are applied (WAL, head) in the order they came, so the later write of a
// sample wins and a tag's writes are acknowledged in order. Nearly all apply at once, in the
// call that brought them; one that has to wait first (for room while a head is cut, or for
// the blocks its overwrite check reads) takes a turn, and a later write that shares a tag
// with a write still in line takes the next turn (writes of other tags go on meanwhile). A
// turn ends once its write is applied, not once it is durable, so writes waiting in line
// still share their WAL syncs.

export interface Turn {
  /** resolves when the turn before this one has ended */
  readonly after: Promise<void>;
  readonly tags: readonly string[];
  /** @internal */ readonly end: () => void;
}

export class WriteTurns {
  private last: Promise<void> | null = null;
  private open = 0;
  /** tags of the writes in line, with how many of them hold each */
  private readonly held = new Map<string, number>();

  /** Whether a write of these tags (a column, runs of one tag as batches bring them) must wait in line. */
  mustWait(tags: readonly string[], n: number): boolean {
    if (this.open === 0) return false;
    let prev = '';
    for (let i = 0; i < n; i++) {
      const t = tags[i];
      if (t !== prev && this.held.has((prev = t))) return true;
    }
    return false;
  }

  take(tags: readonly string[], n: number): Turn {
    const after = this.last ?? Promise.resolve();
    let end!: () => void;
    const ended = new Promise<void>((r) => { end = r; });
    this.last = ended;
    this.open++;
    const own = distinctRuns(tags, n);
    for (const t of own) this.held.set(t, (this.held.get(t) ?? 0) + 1);
    return { after, end, tags: own };
  }

  /** Ends a turn: its write is applied, or failed. */
  end(t: Turn): void {
    for (const tag of t.tags) {
      const k = this.held.get(tag)! - 1;
      if (k === 0) this.held.delete(tag); else this.held.set(tag, k);
    }
    if (--this.open === 0) this.last = null;
    t.end();
  }
}

function distinctRuns(tags: readonly string[], n: number): string[] {
  const out = new Set<string>();
  let prev = '';
  for (let i = 0; i < n; i++) if (tags[i] !== prev) out.add((prev = tags[i]));
  return [...out];
}
