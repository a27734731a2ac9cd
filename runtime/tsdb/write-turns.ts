// Writes are applied (WAL, head) in the order they came. Nearly all apply at once, in the
// call that brought them; one that has to wait first (for room while a head is cut, or for
// the blocks its overwrite check reads) takes a turn, and every write after it takes the
// next turn until the queue is empty. A turn ends once its write is applied, not once it is
// durable, so writes waiting in line still share their WAL syncs.

export interface Turn {
  /** resolves when the turn before this one has ended */
  readonly after: Promise<void>;
  /** @internal */ end: () => void;
}

export class WriteTurns {
  private last: Promise<void> | null = null;
  private open = 0;

  /** Whether writes are waiting in line (a new write must then take a turn too). */
  get waiting(): boolean { return this.open > 0; }

  take(): Turn {
    const after = this.last ?? Promise.resolve();
    let end!: () => void;
    const ended = new Promise<void>((r) => { end = r; });
    this.last = ended;
    this.open++;
    return { after, end };
  }

  /** Ends a turn: its write is applied, or failed. */
  end(t: Turn): void {
    if (--this.open === 0) this.last = null;
    t.end();
  }
}
