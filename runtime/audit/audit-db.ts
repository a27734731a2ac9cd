// The audit database: <dataDir>/audit.db, SQLite in WAL mode with synchronous=FULL so an
// acknowledged entry survives a power cut. Triggers refuse UPDATE and DELETE on every
// table as defence in depth; someone who drops them is still caught by verification.
// Only the time index exists: every index is one more page to fsync per append, and
// action/user filters scan backwards from the newest entries. Layout: FORMAT-chain.md.
import type { DatabaseSync } from 'node:sqlite';
import { openSqlite, openSqliteReadOnly } from '../platform';
import type { StoredEntry } from './entry';

export { transaction } from '../platform';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  user_id TEXT,
  username TEXT,
  user_name TEXT,
  role TEXT,
  action TEXT NOT NULL,
  target TEXT,
  previous_value TEXT,
  new_value TEXT,
  reason TEXT,
  client_address TEXT,
  signature TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_ts ON entries(ts);
CREATE TABLE IF NOT EXISTS checkpoints (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signatures (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  entry_hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  meaning TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT
);
`;

const TABLES = ['entries', 'checkpoints', 'signatures'];

function triggers(): string {
  return TABLES.flatMap((t) => ['UPDATE', 'DELETE'].map((op) => `
CREATE TRIGGER IF NOT EXISTS ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t}
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: ${op} on ${t} is refused'); END;`)).join('\n');
}

export function openAuditDb(path: string, opts: { readOnly?: boolean } = {}): DatabaseSync {
  if (opts.readOnly) {
    return openSqliteReadOnly(path);
  }
  // FULL: an acknowledged audit entry survives a power cut, not only a process crash
  const db = openSqlite(path, { synchronous: 'FULL' });
  db.exec(SCHEMA);
  db.exec(triggers());
  return db;
}

export const ENTRY_COLUMNS = 'seq, ts, user_id, username, user_name, role, action, target, previous_value, new_value, reason, client_address, signature, prev_hash, hash';

export function storedOf(r: Record<string, unknown>): StoredEntry {
  return {
    seq: Number(r.seq), ts: Number(r.ts),
    userId: r.user_id as string | null, username: r.username as string | null, userName: r.user_name as string | null,
    role: r.role as string | null, action: r.action as string, target: r.target as string | null,
    previousValue: r.previous_value as string | null, newValue: r.new_value as string | null,
    reason: r.reason as string | null, clientAddress: r.client_address as string | null,
    signature: r.signature as string | null, prevHash: r.prev_hash as string, hash: r.hash as string,
  };
}

/** The same from a row read with setReturnArrays(true), columns in ENTRY_COLUMNS order (verification's fast path). */
export function storedOfArray(a: unknown[]): StoredEntry {
  return {
    seq: Number(a[0]), ts: Number(a[1]), userId: a[2] as string | null, username: a[3] as string | null, userName: a[4] as string | null,
    role: a[5] as string | null, action: a[6] as string, target: a[7] as string | null, previousValue: a[8] as string | null,
    newValue: a[9] as string | null, reason: a[10] as string | null, clientAddress: a[11] as string | null,
    signature: a[12] as string | null, prevHash: a[13] as string, hash: a[14] as string,
  };
}

