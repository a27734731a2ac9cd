import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSqlite, openSqlite, openSqliteReadOnly, transaction } from '../../../runtime/platform';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const dirs: string[] = [];
afterEach(async () => { for (const d of dirs.splice(0)) await removeTempDir(d); });
async function tmp(): Promise<string> { const d = await makeTempDir('historian-sqlite-'); dirs.push(d); return d; }
const pragma = (db: DatabaseSync, name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get() as object)[0];

describe('opening SQLite', () => {
  it('creates the directory and applies WAL, synchronous NORMAL, a busy timeout and foreign keys', async () => {
    const file = path.join(await tmp(), 'sub', 'x.db');
    const db = openSqlite(file);
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'synchronous')).toBe(1); // NORMAL
    expect(pragma(db, 'busy_timeout')).toBe(5000);
    expect(pragma(db, 'foreign_keys')).toBe(1);
    db.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('honours FULL and the mode of a new file', async () => {
    const file = path.join(await tmp(), 'secret.db');
    const db = openSqlite(file, { synchronous: 'FULL', mode: 0o600 });
    expect(pragma(db, 'synchronous')).toBe(2); // FULL
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    db.close();
  });

  it('configures a connection opened elsewhere', () => {
    const db = new DatabaseSync(':memory:', { enableForeignKeyConstraints: false });
    configureSqlite(db, { busyTimeoutMs: 1234 });
    expect(pragma(db, 'busy_timeout')).toBe(1234);
    expect(pragma(db, 'foreign_keys')).toBe(1);
    db.close();
  });

  it('opens read-only, and runs transactions that roll back on a throw', async () => {
    const file = path.join(await tmp(), 'r.db');
    const db = openSqlite(file);
    db.exec('CREATE TABLE t (v INTEGER)');
    transaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
    expect(() => transaction(db, () => { db.prepare('INSERT INTO t VALUES (2)').run(); throw new Error('no'); })).toThrow('no');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    const ro = openSqliteReadOnly(file);
    expect(() => ro.exec('INSERT INTO t VALUES (3)')).toThrow();
    expect(ro.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    ro.close();
    db.close();
  });
});
