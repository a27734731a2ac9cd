// How many tags each API token (or user) has created over HTTP ingest, kept in SQLite so the
// per-token total (README "Limits", HISTORIAN_MAX_TAGS_PER_TOKEN) survives restarts. Only
// tags the store actually created are counted, after the write.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openSqlite } from '../platform';

export class TokenTagLedger {
  private readonly db: DatabaseSync;
  private readonly get: StatementSync;
  private readonly add: StatementSync;

  /** `max` null: no limit (the counts are still kept). */
  constructor(file: string, readonly max: number | null) {
    if (max !== null && (!Number.isInteger(max) || max <= 0)) throw new Error(`maxTagsPerToken: must be a positive integer or null (got ${max})`);
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS token_tags (client TEXT PRIMARY KEY, created INTEGER NOT NULL) WITHOUT ROWID;`);
    this.get = this.db.prepare('SELECT created FROM token_tags WHERE client = ?');
    this.add = this.db.prepare('INSERT INTO token_tags (client, created) VALUES (?, ?) ON CONFLICT(client) DO UPDATE SET created = created + excluded.created');
  }

  created(client: string): number {
    return (this.get.get(client) as { created: number } | undefined)?.created ?? 0;
  }

  /**
   * The refusal for the client's `n`-th new tag of a request (1-based), or null when within
   * the limit; `created` is the client's count before the request (looked up once per request).
   */
  refusal(client: string, n: number, tag: string, created = this.created(client)): string | null {
    if (this.max === null) return null;
    const total = created + n;
    if (total <= this.max) return null;
    return `"${tag}" is a new tag and this client has created ${total - 1} tags (limit maxTagsPerToken = ${this.max}, HISTORIAN_MAX_TAGS_PER_TOKEN)`;
  }

  record(client: string, n: number): void {
    if (n > 0) this.add.run(client, n);
  }

  close(): void {
    this.db.close();
  }
}
