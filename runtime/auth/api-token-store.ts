// API tokens for machines and scripts. The secret is `hst_` + 32 random bytes in
// base64url; only its SHA-256 is stored (a 256-bit random secret needs no slow hash), so
// a copy of the database does not yield usable tokens. The first characters are kept as
// a prefix so people can tell their tokens apart in a listing.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { statementCache, type Statements } from './statements';
import type { Permission } from './permissions';

export const API_TOKEN_PREFIX = 'hst_';
const SECRET_RE = /^hst_[A-Za-z0-9_-]{43}$/;

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** `hst_` and the first 6 characters of the secret, for display. */
  prefix: string;
  scopes: Permission[];
  /** NATS-style tag pattern limiting which tags the token may touch; null = all. */
  tagPattern: string | null;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

interface Row {
  id: string; user_id: string; name: string; prefix: string; scopes: string; tag_pattern: string | null;
  created_at: number; created_by: string | null; expires_at: number | null; revoked_at: number | null; last_used_at: number | null;
}

function fromRow(r: Row | undefined): ApiTokenRecord | null {
  if (!r) return null;
  return {
    id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, scopes: JSON.parse(r.scopes) as Permission[],
    tagPattern: r.tag_pattern, createdAt: r.created_at, createdBy: r.created_by, expiresAt: r.expires_at,
    revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
  };
}

export function hashApiToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeApiToken(s: string): boolean {
  return s.startsWith(API_TOKEN_PREFIX);
}

export function wellFormedApiToken(s: string): boolean {
  return SECRET_RE.test(s);
}

export interface NewApiToken {
  userId: string;
  name: string;
  scopes: Permission[];
  tagPattern: string | null;
  createdBy: string | null;
  expiresAt: number | null;
}

export class ApiTokenStore {
  private readonly sql: Statements;

  constructor(db: DatabaseSync) {
    this.sql = statementCache(db);
  }

  /** Returns the record and the secret; the secret is never stored nor shown again. */
  create(t: NewApiToken, now: number): { record: ApiTokenRecord; secret: string } {
    const secret = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    this.sql(`INSERT INTO api_tokens (id, user_id, name, prefix, hash, scopes, tag_pattern, created_at, created_by, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, t.userId, t.name, secret.slice(0, API_TOKEN_PREFIX.length + 6), hashApiToken(secret),
        JSON.stringify(t.scopes), t.tagPattern, now, t.createdBy, t.expiresAt);
    return { record: this.byId(id)!, secret };
  }

  byId(id: string): ApiTokenRecord | null {
    return fromRow(this.sql('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined);
  }

  /** The token whose secret hashes to `hash` (hashApiToken). */
  byHash(hash: string): ApiTokenRecord | null {
    return fromRow(this.sql('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as Row | undefined);
  }

  list(userId?: string): ApiTokenRecord[] {
    const rows = userId === undefined
      ? this.sql('SELECT * FROM api_tokens ORDER BY created_at, id').all()
      : this.sql('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at, id').all(userId);
    return (rows as unknown as Row[]).map((r) => fromRow(r)!);
  }

  revoke(id: string, now: number): boolean {
    const r = this.sql('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
    return Number(r.changes) > 0;
  }

  touch(id: string, now: number): void {
    this.sql('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }
}
