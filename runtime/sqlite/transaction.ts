// SQLite (node:sqlite) helpers shared by the stores that keep their state in SQLite.
import type { DatabaseSync } from 'node:sqlite';

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
