// The worker-thread database copier behind a backup's phase 2 (runtime/backup/database-copier.ts):
// a whole, consistent copy (rows still only in the -wal file included, a writer going on),
// the server's event loop running timers while a copy is being made, and a failed copy
// named without stopping the copier.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseCopier } from '../../../runtime/backup/database-copier';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir: string;
let copier: DatabaseCopier;
beforeEach(async () => { dir = await makeTempDir('db-copier-'); copier = new DatabaseCopier(); });
afterEach(async () => { await copier.close(); await removeTempDir(dir); });

function journal(rows: number): DatabaseSync {
  const db = new DatabaseSync(path.join(dir, 'alarms.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE j (seq INTEGER PRIMARY KEY, body TEXT)');
  const ins = db.prepare('INSERT INTO j (body) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) ins.run(`alarm ${i % 500} acknowledged by op${i % 20} during the shift change, value ${i * 1.5}`);
  db.exec('COMMIT');
  return db;
}

const count = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try { return (db.prepare('SELECT count(*) AS n FROM j').get() as { n: number }).n; } finally { db.close(); }
};

describe('DatabaseCopier', () => {
  it('copies a database whole, rows only in its -wal file included, while the event loop runs timers', async () => {
    const db = journal(300_000); // ~30 MB, all of it still in the -wal file
    expect(fs.statSync(path.join(dir, 'alarms.db-wal')).size).toBeGreaterThan(10_000_000);
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 1);
    let copied = false;
    const copy = copier.copy(path.join(dir, 'alarms.db'), path.join(dir, 'copy.db')).then(() => { copied = true; });
    // the main thread is free while the worker copies: a timer fires before the copy is done
    await new Promise((r) => setTimeout(r, 0));
    expect(copied).toBe(false);
    // and a write through the server's own connection goes on meanwhile
    db.prepare('INSERT INTO j (body) VALUES (?)').run('written during the copy');
    await copy;
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(0);
    const n = count(path.join(dir, 'copy.db'));
    expect([300_000, 300_001]).toContain(n); // the copy's own read transaction: before or after that write, never half of it
    expect(fs.existsSync(path.join(dir, 'copy.db-wal'))).toBe(false);
    db.close();
  });

  it('names a copy that fails, and goes on copying', async () => {
    journal(10).close();
    await expect(copier.copy(path.join(dir, 'alarms.db'), path.join(dir, 'no-such-dir', 'c.db'))).rejects.toThrow(/unable to open/);
    await expect(copier.copy(path.join(dir, 'missing.db'), path.join(dir, 'm.db'))).rejects.toThrow(/unable to open database file/);
    await copier.copy(path.join(dir, 'alarms.db'), path.join(dir, 'second.db'));
    expect(count(path.join(dir, 'second.db'))).toBe(10);
  });
});
