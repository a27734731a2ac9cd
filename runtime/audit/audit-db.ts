// The audit database: <dataDir>/audit.db, SQLite in WAL mode with synchronous=FULL so an
// acknowledged entry survives a power cut. Triggers refuse UPDATE and DELETE on every
// table as defence in depth; someone who drops them is still caught by verification.
// Layout: FORMAT-chain.md.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StoredEntry } from './entry';

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
CREATE INDEX IF NOT EXISTS entries_action ON entries(action);
CREATE INDEX IF NOT EXISTS entries_user ON entries(user_id);
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
    const db = new DatabaseSync(path, { readOnly: true });
    db.exec('PRAGMA query_only = ON');
    return db;
  }
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
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
