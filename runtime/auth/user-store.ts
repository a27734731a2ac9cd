// Rows of the users and password_history tables, and nothing else: rules (policy,
// last-admin protection, events) live in AuthService.
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { statementCache, type Statements } from './statements';
import type { Role } from './permissions';

export interface UserRecord {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled: boolean;
  passwordHash: string;
  passwordChangedAt: number;
  mustChangePassword: boolean;
  maxAgeDays: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What leaves the auth domain: no hash. */
export type PublicUser = Omit<UserRecord, 'passwordHash'>;

export function publicUser(u: UserRecord): PublicUser {
  const { passwordHash: _omit, ...rest } = u;
  return rest;
}

interface Row {
  id: string; username: string; name: string; role: string; disabled: number;
  password_hash: string; password_changed_at: number; must_change: number;
  max_age_days: number | null; created_at: number; updated_at: number;
}

function fromRow(r: Row | undefined): UserRecord | null {
  if (!r) return null;
  return {
    id: r.id, username: r.username, name: r.name, role: r.role as Role, disabled: r.disabled === 1,
    passwordHash: r.password_hash, passwordChangedAt: r.password_changed_at, mustChangePassword: r.must_change === 1,
    maxAgeDays: r.max_age_days, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export interface NewUser {
  username: string;
  name: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  maxAgeDays: number | null;
}

export class UserStore {
  private readonly sql: Statements;

  constructor(db: DatabaseSync) {
    this.sql = statementCache(db);
  }

  count(): number {
    return (this.sql('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  byId(id: string): UserRecord | null {
    return fromRow(this.sql('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined);
  }

  byUsername(username: string): UserRecord | null {
    return fromRow(this.sql('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined);
  }

  list(): UserRecord[] {
    return (this.sql('SELECT * FROM users ORDER BY username').all() as unknown as Row[]).map((r) => fromRow(r)!);
  }

  countEnabledAdmins(): number {
    return (this.sql("SELECT count(*) AS n FROM users WHERE role = 'ADMIN' AND disabled = 0").get() as { n: number }).n;
  }

  insert(u: NewUser, now: number): UserRecord {
    const id = randomUUID();
    this.sql(`INSERT INTO users (id, username, name, role, disabled, password_hash, password_changed_at,
      must_change, max_age_days, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`)
      .run(id, u.username, u.name, u.role, u.passwordHash, now, u.mustChangePassword ? 1 : 0, u.maxAgeDays, now, now);
    this.sql('INSERT INTO password_history (user_id, hash, changed_at) VALUES (?, ?, ?)').run(id, u.passwordHash, now);
    return this.byId(id)!;
  }

  update(id: string, fields: { name?: string; role?: Role; disabled?: boolean; maxAgeDays?: number | null }, now: number): void {
    const sets: string[] = [];
    const args: (string | number | null)[] = [];
    if (fields.name !== undefined) { sets.push('name = ?'); args.push(fields.name); }
    if (fields.role !== undefined) { sets.push('role = ?'); args.push(fields.role); }
    if (fields.disabled !== undefined) { sets.push('disabled = ?'); args.push(fields.disabled ? 1 : 0); }
    if (fields.maxAgeDays !== undefined) { sets.push('max_age_days = ?'); args.push(fields.maxAgeDays); }
    if (sets.length === 0) return;
    sets.push('updated_at = ?');
    args.push(now, id);
    this.sql(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...args);
  }

  /** Newest first: the current hash and the ones before it, at most `limit`. */
  passwordHistory(id: string, limit: number): string[] {
    const rows = this.sql('SELECT hash FROM password_history WHERE user_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?')
      .all(id, limit) as { hash: string }[];
    return rows.map((r) => r.hash);
  }

  /**
   * The same password re-hashed (a stronger algorithm or parameters): the stored hash and
   * its history row change, the password's age does not. False when the hash changed
   * meanwhile (a password change won).
   */
  replaceHash(id: string, oldHash: string, newHash: string, now: number): boolean {
    const r = this.sql('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?').run(newHash, now, id, oldHash);
    if (Number(r.changes) === 0) return false;
    this.sql('UPDATE password_history SET hash = ? WHERE user_id = ? AND hash = ?').run(newHash, id, oldHash);
    return true;
  }

  setPassword(id: string, hash: string, mustChange: boolean, historySize: number, now: number): void {
    this.sql('UPDATE users SET password_hash = ?, password_changed_at = ?, must_change = ?, updated_at = ? WHERE id = ?')
      .run(hash, now, mustChange ? 1 : 0, now, id);
    this.sql('INSERT INTO password_history (user_id, hash, changed_at) VALUES (?, ?, ?)').run(id, hash, now);
    this.sql(`DELETE FROM password_history WHERE user_id = ? AND rowid NOT IN
      (SELECT rowid FROM password_history WHERE user_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?)`)
      .run(id, id, Math.max(1, historySize));
  }
}
