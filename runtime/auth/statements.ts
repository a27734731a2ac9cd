// Prepared statements kept per database connection. A login or an authenticated request
// runs a handful of tiny lookups; compiling their SQL each time cost more than running
// them. The cache is bounded by the fixed set of statements the stores write.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type Statements = (sql: string) => StatementSync;

export function statementCache(db: DatabaseSync): Statements {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) { s = db.prepare(sql); cache.set(sql, s); }
    return s;
  };
}
