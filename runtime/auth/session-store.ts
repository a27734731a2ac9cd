// Issued sessions, one row per JWT id: lets logout revoke a token before it expires and
// lets the idle limit see when a token was last used. Rows are pruned once the JWT has
// expired, because the signature check refuses it from then on anyway.
import type { DatabaseSync } from 'node:sqlite';
import { statementCache, type Statements } from './statements';

export interface SessionRow {
  jti: string;
  userId: string;
  issuedAt: number;
  expiresAt: number;
  lastSeen: number;
  revokedAt: number | null;
}

export class SessionStore {
  private readonly sql: Statements;

  constructor(db: DatabaseSync) {
    this.sql = statementCache(db);
  }

  insert(jti: string, userId: string, issuedAt: number, expiresAt: number): void {
    this.sql('INSERT INTO sessions (jti, user_id, issued_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?)')
      .run(jti, userId, issuedAt, expiresAt, issuedAt);
  }

  get(jti: string): SessionRow | null {
    const r = this.sql('SELECT * FROM sessions WHERE jti = ?').get(jti) as
      { jti: string; user_id: string; issued_at: number; expires_at: number; last_seen: number; revoked_at: number | null } | undefined;
    if (!r) return null;
    return { jti: r.jti, userId: r.user_id, issuedAt: r.issued_at, expiresAt: r.expires_at, lastSeen: r.last_seen, revokedAt: r.revoked_at };
  }

  touch(jti: string, now: number): void {
    this.sql('UPDATE sessions SET last_seen = ? WHERE jti = ? AND last_seen < ?').run(now, jti, now);
  }

  revoke(jti: string, now: number): boolean {
    const r = this.sql('UPDATE sessions SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL').run(now, jti);
    return Number(r.changes) > 0;
  }

  /** Revokes every live session of a user (password reset, disable), optionally keeping one. */
  revokeUser(userId: string, now: number, exceptJti?: string): number {
    const r = this.sql('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND jti != ?')
      .run(now, userId, exceptJti ?? '');
    return Number(r.changes);
  }

  /** A user's sessions that still work (not revoked, not expired), newest first. */
  liveOf(userId: string, now: number): SessionRow[] {
    const rows = this.sql('SELECT * FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY issued_at DESC')
      .all(userId, now) as Array<{ jti: string; user_id: string; issued_at: number; expires_at: number; last_seen: number; revoked_at: number | null }>;
    return rows.map((r) => ({ jti: r.jti, userId: r.user_id, issuedAt: r.issued_at, expiresAt: r.expires_at, lastSeen: r.last_seen, revokedAt: r.revoked_at }));
  }

  prune(now: number): void {
    this.sql('DELETE FROM sessions WHERE expires_at < ?').run(now);
  }
}
