// The data directory copy behind POST /system/backup (runtime/backup/data-snapshot.ts), on
// its own: SQLite databases whole (rows still only in their -wal file included), file modes
// kept (keys stay 0600), a running store's samples (blocks and WAL) in the copy while it
// keeps writing, a store directory not open linked as it lies, and what is left out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { removeStaleStaging, snapshotDataDir } from '../../../runtime/backup';
import { TsdbStore } from '../../../runtime/tsdb';
import { allocColumns } from '../../../runtime/model';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { readAll } from '../tsdb/reference';

let dir: string;
let data: string;
let store: TsdbStore | null = null;

beforeEach(async () => {
  dir = await makeTempDir('snapshot-');
  data = path.join(dir, 'data');
  fs.mkdirSync(path.join(data, 'secrets'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(data, 'secrets', 'jwt-private.pem'), 'key', { mode: 0o600 });
  fs.writeFileSync(path.join(data, 'flows.json'), '[]');
  fs.writeFileSync(path.join(data, 'historian.pid'), '123');
});
afterEach(async () => {
  await store?.close();
  store = null;
  await removeTempDir(dir);
});

function rows(tag: string, from: number, n: number) {
  const c = allocColumns(n);
  for (let i = 0; i < n; i++) { c.tag[i] = tag; c.ts[i] = from + i * 1000; c.value[i] = i; }
  return c;
}

describe('a data directory snapshot', () => {
  it('copies a database whole, rows still in its -wal file included, with no side files; keeps modes; leaves out the pid lock', async () => {
    const db = new DatabaseSync(path.join(data, 'auth.db'));
    db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE u (name TEXT); INSERT INTO u VALUES (\'admin\'), (\'gw2\')');
    expect(fs.statSync(path.join(data, 'auth.db-wal')).size).toBeGreaterThan(0); // the rows are in the -wal file
    const staging = fs.mkdtempSync(path.join(data, '.backup-'));
    const m = await snapshotDataDir(data, staging, [], { version: '9.9.9', host: 'gw' });
    db.close();
    expect(m).toMatchObject({ format: 'historian-backup/1', version: '9.9.9', host: 'gw', databases: ['auth.db'] });
    const copy = new DatabaseSync(path.join(staging, 'auth.db'), { readOnly: true });
    expect(copy.prepare('SELECT name FROM u ORDER BY name').all().map((r) => r.name)).toEqual(['admin', 'gw2']);
    copy.close();
    expect(fs.statSync(path.join(staging, 'secrets', 'jwt-private.pem')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(staging, 'secrets')).mode & 0o777).toBe(0o700);
    for (const p of ['historian.pid', 'auth.db-wal', 'auth.db-shm']) expect(fs.existsSync(path.join(staging, p)), p).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(staging, 'backup.json'), 'utf8'))).toEqual(m);
    // the staging directory itself is not copied into a later one, and a start removes it
    const second = fs.mkdtempSync(path.join(data, '.backup-'));
    await snapshotDataDir(data, second, [], { version: '9.9.9', host: 'gw' });
    expect(fs.readdirSync(second).filter((n) => n.startsWith('.backup-'))).toEqual([]);
    removeStaleStaging(data);
    expect(fs.readdirSync(data).filter((n) => n.startsWith('.backup-'))).toEqual([]);
  });

  it('has every sample a running store acknowledged before it, from blocks and from the WAL, while writes go on', async () => {
    store = await TsdbStore.open({ dir: path.join(data, 'tsdb', 'default') });
    const T0 = Date.now() - 10 * 86_400_000;
    await store.writeColumns(rows('a.b.old', T0, 5000));
    await store.flush(); // in blocks
    await store.writeColumns(rows('a.b.new', T0 + 86_400_000, 3000)); // only in the WAL and the head
    const staging = fs.mkdtempSync(path.join(data, '.backup-'));
    // a write racing the snapshot: it may or may not be in the copy, and must not break it
    const racing = store.writeColumns(rows('a.b.race', T0 + 2 * 86_400_000, 1000));
    const m = await snapshotDataDir(data, staging, [store], { version: '1', host: 'gw' });
    await racing;
    expect(m.stores).toEqual([expect.objectContaining({ dir: path.join('tsdb', 'default'), open: true })]);
    expect(m.stores[0].blocks).toBeGreaterThan(0);
    expect(m.stores[0].walSegments).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(staging, 'tsdb', 'default', 'LOCK'))).toBe(false);
    // the copy opens as a store with both
    const copy = await TsdbStore.open({ dir: path.join(staging, 'tsdb', 'default') });
    try {
      expect((await readAll(copy, 'a.b.old')).length).toBe(5000);
      expect((await readAll(copy, 'a.b.new')).length).toBe(3000);
    } finally {
      await copy.close();
    }
    // the original went on
    expect((await readAll(store, 'a.b.race')).length).toBe(1000);
  });

  it('links the blocks of a store directory not open, and copies its WAL and the buffers as they lie', async () => {
    const s = await TsdbStore.open({ dir: path.join(data, 'tsdb', 'old-line') });
    await s.writeColumns(rows('x.y.z', Date.now() - 5 * 86_400_000, 2000));
    await s.flush();
    await s.close();
    fs.mkdirSync(path.join(data, 'buffers', 'uplink', 'segments'), { recursive: true });
    fs.writeFileSync(path.join(data, 'buffers', 'uplink', 'segments', 'seg-00000001.log'), 'records');
    const staging = fs.mkdtempSync(path.join(data, '.backup-'));
    const m = await snapshotDataDir(data, staging, [], { version: '1', host: 'gw' });
    expect(m.stores).toEqual([expect.objectContaining({ dir: path.join('tsdb', 'old-line'), open: false })]);
    const blk = fs.readdirSync(path.join(staging, 'tsdb', 'old-line', 'blocks')).filter((f) => f.endsWith('.blk'));
    expect(blk.length).toBe(m.stores[0].blocks);
    expect(blk.length).toBeGreaterThan(0);
    // the same file as the original: linked, not copied
    expect(fs.statSync(path.join(staging, 'tsdb', 'old-line', 'blocks', blk[0])).ino).toBe(fs.statSync(path.join(data, 'tsdb', 'old-line', 'blocks', blk[0])).ino);
    expect(fs.readFileSync(path.join(staging, 'buffers', 'uplink', 'segments', 'seg-00000001.log'), 'utf8')).toBe('records');
  });
});
