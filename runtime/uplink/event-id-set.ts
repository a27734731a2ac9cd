// The central side's memory of recently stored event ids (SQLite file next to the
// store, FORMAT-envelope.md "De-duplication"), so a redelivered envelope is stored once.
// Ids older than the window are forgotten; the window must exceed the longest time a
// message can be redelivered (JetStream ack wait × attempts, an MQTT session's outage).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite, transaction } from '../platform';

export interface EventIdSetOptions {
  file: string;
  /** how long ids are remembered (default 24 h) */
  windowMs?: number;
  clock?: () => number;
}

export class EventIdSet {
  private readonly db: DatabaseSync;
  private readonly has: StatementSync;
  private readonly put: StatementSync;
  private readonly prune: StatementSync;
  private readonly windowMs: number;
  private readonly clock: () => number;
  private lastPrune = 0;

  constructor(o: EventIdSetOptions) {
    if (typeof o.file !== 'string' || !o.file) throw new Error('file: must be a path');
    this.windowMs = o.windowMs ?? 86_400_000;
    if (!(this.windowMs > 0)) throw new Error('windowMs: must be positive');
    this.clock = o.clock ?? Date.now;
    this.db = openSqlite(o.file);
    this.db.exec('CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID; CREATE INDEX IF NOT EXISTS seen_at ON seen(at);');
    this.has = this.db.prepare('SELECT 1 FROM seen WHERE id = ?');
    this.put = this.db.prepare('INSERT OR IGNORE INTO seen (id, at) VALUES (?, ?)');
    this.prune = this.db.prepare('DELETE FROM seen WHERE at < ?');
  }

  contains(id: string): boolean {
    return this.has.get(id) !== undefined;
  }

  /** Remembers ids in one transaction. */
  addAll(ids: readonly string[]): void {
    if (!ids.length) return;
    const now = this.clock();
    transaction(this.db, () => {
      for (const id of ids) this.put.run(id, now);
    });
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      this.prune.run(now - this.windowMs);
    }
  }

  size(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM seen').get() as { n: number }).n);
  }

  close(): void { this.db.close(); }
}
