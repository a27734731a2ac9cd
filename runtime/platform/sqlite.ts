// Opening the SQLite databases (node:sqlite) that hold users, audit, alarms, layouts,
// annotations and dedupe state, with the same PRAGMAs everywhere: WAL (readers never block
// the writer), a busy timeout (a second connection waits instead of failing with
// SQLITE_BUSY), and synchronous NORMAL unless the store asks for FULL (the audit trail,
// where an acknowledged entry must survive a power cut, not only a process crash).
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export interface SqliteOptions {
  /** NORMAL (default) or FULL */
  synchronous?: 'NORMAL' | 'FULL';
  /** ms a writer waits for a lock (default 5000) */
  busyTimeoutMs?: number;
  /** mode given to a database file this call creates (e.g. 0o600 for secrets) */
  mode?: number;
}

/** Opens (creating file and directory when missing) a read-write database with the PRAGMAs. */
export function openSqlite(file: string, o: SqliteOptions = {}): DatabaseSync {
  const memory = file === ':memory:';
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const fresh = !memory && !existsSync(file);
  const db = new DatabaseSync(file);
  // SQLite gives the -wal and -shm files the mode of the database file
  if (fresh && o.mode !== undefined) chmodSync(file, o.mode);
  configureSqlite(db, o);
  return db;
}

/** Applies the PRAGMAs to a database opened elsewhere (stores that accept a connection). */
export function configureSqlite(db: DatabaseSync, o: SqliteOptions = {}): void {
  // foreign keys: node:sqlite enforces them by default; said here for connections made elsewhere
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${o.synchronous ?? 'NORMAL'}; PRAGMA busy_timeout = ${o.busyTimeoutMs ?? 5000}; PRAGMA foreign_keys = ON;`);
}

/** Opens an existing database read-only; writes through it fail. */
export function openSqliteReadOnly(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly: true });
  db.exec('PRAGMA query_only = ON');
  return db;
}

/** Runs fn inside an immediate transaction (write lock taken up front); rolls back on throw. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
