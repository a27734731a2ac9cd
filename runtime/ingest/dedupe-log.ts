// Remembers dedupe ids of ingested items for a window (default 7 days) in SQLite, so a
// client that replays a request after a timeout stores each item once, also across
// restarts. Ids are recorded after the write is durable: a crash in between can only
// cause a re-write of the same (tag, ts, value), which the store resolves to one sample.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite, transaction } from '../platform';

export class DedupeLog {
  private readonly db: DatabaseSync;
  private readonly has: StatementSync;
  private readonly add: StatementSync;
  private readonly prune: StatementSync;
  private lastPrune = 0;

  constructor(file: string, private readonly windowMs = 7 * 86_400_000, private readonly clock: () => number = Date.now) {
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS dedupe (scope TEXT NOT NULL, id TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (scope, id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS dedupe_seen ON dedupe (seen_at);`);
    this.has = this.db.prepare('SELECT 1 FROM dedupe WHERE scope = ? AND id = ?');
    this.add = this.db.prepare('INSERT OR IGNORE INTO dedupe (scope, id, seen_at) VALUES (?, ?, ?)');
    this.prune = this.db.prepare('DELETE FROM dedupe WHERE seen_at < ?');
  }

  seen(scope: string, id: string): boolean {
    return this.has.get(scope, id) !== undefined;
  }

  record(scope: string, ids: readonly string[]): void {
    const now = this.clock();
    transaction(this.db, () => {
      for (const id of ids) this.add.run(scope, id, now);
    });
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      this.prune.run(now - this.windowMs);
    }
  }

  close(): void {
    this.db.close();
  }
}
