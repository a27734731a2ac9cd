// Tamper tests on a copy of a closed trail: each kind of damage an attacker with write
// access to audit.db (but not to the checkpoint key) can do is detected and named, with
// the first bad entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../../runtime/audit/canonical';
import { cleanup, copyOf, fieldsOfRow, fill, makeTrail, rechain, tamper, verifyCopy, type TrailFixture } from './fixture';

let f: TrailFixture;

beforeAll(() => {
  f = makeTrail({ checkpointEvery: 10 });
  fill(f, 100);
  f.trail.close();
});
afterAll(cleanup);

describe('tamper detection on a copy of the database', () => {
  it('accepts the untouched copy', async () => {
    const r = await verifyCopy(copyOf(f.dir));
    expect(r.damage).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(100);
    expect(r.lastSeq).toBe(100);
    expect(r.unanchored).toBe(0);
  });

  it('names a changed field as altered at that entry', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => db.prepare("UPDATE entries SET new_value = '{\"limit\":999}' WHERE seq = 37").run());
    const r = await verifyCopy(c);
    expect(r.ok).toBe(false);
    expect(r.damage).toMatchObject({ kind: 'altered', seq: 37 });
  });

  it('names a deleted middle entry', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => db.prepare('DELETE FROM entries WHERE seq = 50').run());
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'deleted', seq: 50, range: [50, 50] });
  });

  it('names a middle entry deleted with the later ones renumbered', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      db.prepare('DELETE FROM entries WHERE seq = 50').run();
      for (let s = 51; s <= 100; s++) db.prepare('UPDATE entries SET seq = ? WHERE seq = ?').run(s - 1, s);
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'deleted', seq: 50 });
  });

  it('names an inserted entry (later entries renumbered, forged entry hashed correctly)', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      for (let s = 100; s >= 60; s--) db.prepare('UPDATE entries SET seq = ? WHERE seq = ?').run(s + 1, s);
      const prev = db.prepare('SELECT * FROM entries WHERE seq = 59').get() as Record<string, unknown>;
      const forged = { ...fieldsOfRow(prev), seq: 60, reason: 'forged', prevHash: prev.hash as string };
      db.prepare(`INSERT INTO entries (seq, ts, user_id, username, user_name, role, action, target, previous_value, new_value, reason, client_address, signature, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(forged.seq, forged.ts, forged.userId, forged.username, forged.userName, forged.role,
        forged.action, forged.target, forged.previousValue, forged.newValue, forged.reason, forged.clientAddress, forged.signature, forged.prevHash, entryHash(forged));
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'inserted', seq: 60 });
  });

  it('names an inserted entry with a bogus hash', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      for (let s = 100; s >= 20; s--) db.prepare('UPDATE entries SET seq = ? WHERE seq = ?').run(s + 1, s);
      db.prepare("INSERT INTO entries (seq, ts, action, prev_hash, hash) VALUES (20, 0, 'auth.login', 'x', 'y')").run();
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'inserted', seq: 20 });
  });

  it('names two swapped entries as reordered', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      db.prepare('UPDATE entries SET seq = -1 WHERE seq = 70').run();
      db.prepare('UPDATE entries SET seq = 70 WHERE seq = 71').run();
      db.prepare('UPDATE entries SET seq = 71 WHERE seq = -1').run();
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'reordered', seq: 70 });
  });

  it('names the deletion of the last 10 entries as truncated', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => db.prepare('DELETE FROM entries WHERE seq > 90').run());
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'truncated', seq: 91, range: [91, 100] });
  });

  it('still names truncation when the newest checkpoints are deleted too (the anchor file remembers)', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      db.prepare('DELETE FROM entries WHERE seq > 90').run();
      db.prepare('DELETE FROM checkpoints WHERE seq > 90').run();
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'truncated', seq: 91 });
  });

  it('names an edit followed by recomputing every hash (without the key) as altered, within the checkpoint interval', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      db.prepare("UPDATE entries SET reason = 'nothing to see' WHERE seq = 45").run();
      rechain(db, 45);
    });
    const r = await verifyCopy(c);
    expect(r.damage?.kind).toBe('altered');
    const [from, to] = r.damage!.range!;
    expect(from).toBe(41);
    expect(to).toBe(50);
    expect(r.damage!.seq).toBe(41);
    expect(r.damage!.message).toMatch(/recomputed without the key/);
  });

  it('names an entry whose own hash was recomputed (next entry still links to the original) as altered', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      const row = db.prepare('SELECT * FROM entries WHERE seq = 33').get() as Record<string, unknown>;
      const changed = { ...fieldsOfRow(row), reason: 'rewritten' };
      db.prepare('UPDATE entries SET reason = ?, hash = ? WHERE seq = 33').run('rewritten', entryHash(changed));
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'altered', seq: 33 });
  });

  it('detects forged or removed checkpoints', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => db.prepare("UPDATE checkpoints SET hash = 'ab' WHERE id = 3").run());
    expect((await verifyCopy(c)).damage?.kind).toMatch(/checkpoint|altered/);
    const d = copyOf(f.dir);
    tamper(d.dbFile, (db) => db.prepare('DELETE FROM checkpoints WHERE id = 4').run());
    expect((await verifyCopy(d)).damage).toMatchObject({ kind: 'checkpoint' });
  });

  it('detects entries appended while the trail was closed', async () => {
    const c = copyOf(f.dir);
    tamper(c.dbFile, (db) => {
      const last = db.prepare('SELECT * FROM entries WHERE seq = 100').get() as Record<string, unknown>;
      const forged = { ...fieldsOfRow(last), seq: 101, reason: 'backdated', prevHash: last.hash as string };
      db.prepare('INSERT INTO entries (seq, ts, action, reason, prev_hash, hash, user_id, username, user_name, role, target, previous_value, new_value, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(101, forged.ts, forged.action, forged.reason, forged.prevHash, entryHash(forged), forged.userId, forged.username, forged.userName, forged.role, forged.target, forged.previousValue, forged.newValue, forged.clientAddress);
    });
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'inserted', seq: 101 });
  });
});

describe('signature records (11.70)', () => {
  const manifestation = (id: string) => ({
    signatureId: id, userId: 'u-eng', username: 'eng', printedName: 'Eng Person', meaning: 'approval' as const,
    signedAt: new Date(0).toISOString(), action: 'alarms.shelve', target: 'acme.t1',
  });

  async function signedTrail() {
    const g = makeTrail({ checkpointEvery: 10 });
    fill(g, 5);
    g.trail.append({ action: 'alarms.shelve', target: 'acme.t1', signature: manifestation('sig-1') });
    fill(g, 5, 7);
    g.trail.close();
    return g;
  }

  it('detects an excised signature record', async () => {
    const g = await signedTrail();
    const c = copyOf(g.dir);
    tamper(c.dbFile, (db) => db.prepare("DELETE FROM signatures WHERE id = 'sig-1'").run());
    const r = await verifyCopy(c);
    expect(r.damage).toMatchObject({ kind: 'altered', seq: 6 });
    expect(r.damage!.message).toMatch(/excised/);
  });

  it('detects a signature record moved to another entry', async () => {
    const g = await signedTrail();
    const c = copyOf(g.dir);
    tamper(c.dbFile, (db) => {
      const h = (db.prepare('SELECT hash FROM entries WHERE seq = 8').get() as { hash: string }).hash;
      db.prepare("UPDATE signatures SET seq = 8, entry_hash = ? WHERE id = 'sig-1'").run(h);
    });
    expect((await verifyCopy(c)).damage).toMatchObject({ kind: 'altered', seq: 6 });
  });

  it('detects a signature manifestation copied into another entry', async () => {
    const g = await signedTrail();
    const c = copyOf(g.dir);
    tamper(c.dbFile, (db) => {
      const sig = (db.prepare('SELECT signature FROM entries WHERE seq = 6').get() as { signature: string }).signature;
      db.prepare('UPDATE entries SET signature = ? WHERE seq = 9').run(sig);
    });
    expect((await verifyCopy(c)).damage).toMatchObject({ kind: 'altered', seq: 9 });
  });
});
