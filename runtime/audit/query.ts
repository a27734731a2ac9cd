// Filters and pages over the trail, as SQL. Action, target and user filters match exactly,
// or by prefix when they end with "*" ("auth.*").
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { ENTRY_COLUMNS, storedOf } from './audit-db';
import { entryOf, type AuditEntry, type StoredEntry } from './entry';
import { invalid } from './errors';

export interface AuditFilter {
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** User id or user name. */
  user?: string;
  action?: string;
  target?: string;
}

export interface AuditPage {
  /** 1–1000, default 100. */
  limit?: number;
  /** Continue after this seq (the previous page's nextCursor). */
  cursor?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
}

export interface AuditQueryResult {
  entries: AuditEntry[];
  /** Pass as cursor for the next page; null at the end. */
  nextCursor: number | null;
}

function like(value: string): string {
  return value.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

function match(column: string, value: string, where: string[], args: SQLInputValue[]): void {
  if (value.endsWith('*')) {
    where.push(`${column} LIKE ? ESCAPE '\\'`);
    args.push(like(value));
  } else {
    where.push(`${column} = ?`);
    args.push(value);
  }
}

export function whereOf(f: AuditFilter = {}): { sql: string; args: SQLInputValue[] } {
  const where: string[] = [];
  const args: SQLInputValue[] = [];
  for (const k of ['from', 'to'] as const) {
    const v = f[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw invalid(k, 'must be a time (epoch ms)');
    where.push(k === 'from' ? 'ts >= ?' : 'ts < ?');
    args.push(Math.trunc(v));
  }
  for (const k of ['user', 'action', 'target'] as const) {
    const v = f[k];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || v.length > 1024) throw invalid(k, 'must be a string of at most 1024 characters');
    if (k === 'user') {
      where.push('(user_id = ? OR username = ?)');
      args.push(v, v);
    } else {
      match(k, v, where, args);
    }
  }
  return { sql: where.length ? where.join(' AND ') : '1', args };
}

export function queryEntries(db: DatabaseSync, filter: AuditFilter = {}, page: AuditPage = {}): AuditQueryResult {
  const limit = page.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit', 'must be an integer from 1 to 1000');
  const order = page.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalid('order', 'must be "asc" or "desc"');
  const { sql, args } = whereOf(filter);
  let cond = sql;
  if (page.cursor !== undefined) {
    if (!Number.isInteger(page.cursor) || page.cursor < 0) throw invalid('cursor', 'must be a non-negative integer');
    cond += order === 'desc' ? ' AND seq < ?' : ' AND seq > ?';
    args.push(page.cursor);
  }
  const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${cond} ORDER BY seq ${order} LIMIT ?`)
    .all(...args, limit + 1) as Record<string, unknown>[];
  const more = rows.length > limit;
  const entries = rows.slice(0, limit).map((r) => entryOf(storedOf(r)));
  return { entries, nextCursor: more ? entries[entries.length - 1].seq : null };
}

/** Pages of stored entries in seq order, for the CSV export. */
export function* storedPages(db: DatabaseSync, filter: AuditFilter = {}, pageSize = 1000): Generator<StoredEntry[]> {
  const { sql, args } = whereOf(filter);
  const stmt = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${sql} AND seq > ? ORDER BY seq LIMIT ?`);
  let after = 0;
  for (;;) {
    const rows = (stmt.all(...args, after, pageSize) as Record<string, unknown>[]).map(storedOf);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].seq;
  }
}
