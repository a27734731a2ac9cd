// API-token principals by the hash of their secret. An ingest client authenticates on every
// request, and reading its token and its user from the database each time (two queries and a
// record to decode, ~12 µs in process) was among the largest costs of a small request. An entry is
// used only while the auth database is exactly as it was when the entry was made: SQLite's
// count of this connection's changes (every write of this process: a revocation, a role
// change, a disabled account) and its data_version, which moves when another connection
// commits (the command line, run beside the server). Anything else keeps the full check:
// a token whose last-used time is due (once a second), an expired one, one never seen.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Principal } from './principal';

/** Entries at most; the map is emptied when full (a gateway has a handful of tokens). */
const MAX_ENTRIES = 10_000;

interface Entry { principal: Principal; changes: number; dataVersion: number; usedAt: number }

export class TokenPrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly version: StatementSync;

  constructor(db: DatabaseSync, private readonly touchResolutionMs: number) {
    this.version = db.prepare('SELECT total_changes() AS c, data_version AS v FROM pragma_data_version');
  }

  /** The principal of the token with this hash, if nothing changed since it was cached and its last-used time is not due. */
  get(hash: string, now: number): Principal | null {
    const e = this.entries.get(hash);
    if (!e) return null;
    const v = this.version.get() as { c: number; v: number };
    if (e.changes !== v.c || e.dataVersion !== v.v) { this.entries.delete(hash); return null; }
    if (!(now >= e.usedAt && now - e.usedAt < this.touchResolutionMs)) return null;
    const exp = e.principal.expiresAt;
    return exp === null || exp > now ? e.principal : null;
  }

  /** Remembers a principal just checked against the database (after its last-used time was written, if it was). */
  set(hash: string, principal: Principal, usedAt: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const v = this.version.get() as { c: number; v: number };
    this.entries.set(hash, { principal, changes: v.c, dataVersion: v.v, usedAt });
  }
}
