// The trail itself: appends chain and survive reopening, the database refuses UPDATE and
// DELETE, queries filter and page, the CSV export re-verifies offline, the key stays
// apart from the database, scheduled verification reports damage, and auth events land
// in the trail.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../../runtime/audit/audit-trail';
import { attachAuthEvents } from '../../../runtime/audit/auth-events';
import { canonicalEncoding, entryHash, GENESIS_HASH } from '../../../runtime/audit/canonical';
import { verifyCsvText } from '../../../runtime/audit/csv';
import { processAuditTrail, setProcessAuditTrail } from '../../../runtime/audit/process-trail';
import { verifyCsvFile } from '../../../runtime/audit/verify-csv-cli';
import { STRONG, cleanupDirs, makeAuth, seeded } from '../auth/fixture';
import { cleanup, fill, makeTrail, tamper, tempDir, T0 } from './fixture';
import { waitFor } from '../../helpers/wait';

afterAll(() => { cleanup(); cleanupDirs(); });

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer, _enc: string, cb: () => void) { this.text += chunk.toString('utf8'); cb(); }
}

describe('AuditTrail', () => {
  it('chains entries from the genesis hash, hashing the documented canonical encoding', () => {
    const f = makeTrail();
    const a = f.trail.append({ action: 'tags.write', target: 'tag:x', userId: 'u1', username: 'eng', userName: 'Eng Person', role: 'ENGINEER', previousValue: { b: 1, a: 2 }, newValue: 'text', reason: '' });
    expect(a.seq).toBe(1);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(a.time).toBe(new Date(T0).toISOString());
    expect(a.reason).toBeNull();
    const enc = canonicalEncoding({ seq: 1, ts: T0, userId: 'u1', username: 'eng', userName: 'Eng Person', role: 'ENGINEER', action: 'tags.write', target: 'tag:x', previousValue: '{"a":2,"b":1}', newValue: '"text"', reason: null, clientAddress: null, signature: null, prevHash: GENESIS_HASH });
    expect(enc.split('\n').slice(0, 4)).toEqual(['historian-audit/1', 'seq=1:1', `ts=13:${T0}`, 'user_id=2:u1']);
    expect(enc).toContain('reason=-\n');
    expect(a.hash).toBe(entryHash({ seq: 1, ts: T0, userId: 'u1', username: 'eng', userName: 'Eng Person', role: 'ENGINEER', action: 'tags.write', target: 'tag:x', previousValue: '{"a":2,"b":1}', newValue: '"text"', reason: null, clientAddress: null, signature: null, prevHash: GENESIS_HASH }));
    const b = f.trail.append({ action: 'tags.write' });
    expect(b.prevHash).toBe(a.hash);
    f.trail.close();
    const again = AuditTrail.open({ dataDir: f.dir, keyFile: join(f.dir, 'secrets', 'audit-checkpoint.key') });
    expect(again.headOf()).toEqual({ seq: 2, hash: b.hash });
    expect(again.append({ action: 'tags.write' }).prevHash).toBe(b.hash);
    again.close();
  });

  it('appends a batch in one transaction, all or nothing', async () => {
    const f = makeTrail({ checkpointEvery: 4 });
    const out = f.trail.appendBatch([{ action: 'a.one' }, { action: 'a.two' }, { action: 'a.three' }, { action: 'a.four' }, { action: 'a.five' }]);
    expect(out.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(out[3].prevHash).toBe(out[2].hash);
    expect(() => f.trail.appendBatch([{ action: 'b.one' }, { action: '' }])).toThrow(/^entries\[1\]\.action:/);
    expect(f.trail.headOf().seq).toBe(5);
    expect((await f.trail.verify()).ok).toBe(true);
    f.trail.close();
  });

  it('rejects bad input naming the field, and stores nothing', () => {
    const f = makeTrail();
    expect(() => f.trail.append({ action: '' })).toThrow(/^action:/);
    expect(() => f.trail.append({ action: 'a b' })).toThrow(/^action:/);
    expect(() => f.trail.append({ action: 'x', userId: 7 as never })).toThrow(/^userId:/);
    expect(() => f.trail.append({ action: 'x', ts: 1.5 })).toThrow(/^ts:/);
    expect(() => f.trail.append({ action: 'x', newValue: 10n })).toThrow(/^newValue:/);
    expect(() => f.trail.append({ action: 'x', signature: { meaning: 'approval' } as never })).toThrow(/^signature\./);
    expect(f.trail.headOf().seq).toBe(0);
    f.trail.close();
  });

  it('refuses UPDATE and DELETE in the database itself', () => {
    const f = makeTrail();
    fill(f, 3);
    expect(() => f.trail.db.exec("UPDATE entries SET reason = 'x' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => f.trail.db.exec('DELETE FROM entries WHERE seq = 3')).toThrow(/append-only/);
    expect(() => f.trail.db.exec('DELETE FROM checkpoints')).toThrow(/append-only/);
    f.trail.close();
  });

  it('refuses to append onto an altered newest entry', () => {
    const f = makeTrail();
    fill(f, 3);
    tamper(f.trail.dbFile, (db) => db.exec("UPDATE entries SET reason = 'changed' WHERE seq = 3"));
    expect(() => f.trail.append({ action: 'x' })).toThrow(/tampered/);
    f.trail.close();
  });

  it('writes keyed checkpoints every N entries, at open and at close, with the key and anchor outside the database', () => {
    const f = makeTrail({ checkpointEvery: 5 });
    fill(f, 12);
    const kinds = () => (f.trail.db.prepare('SELECT kind, seq FROM checkpoints ORDER BY id').all() as Array<{ kind: string; seq: number }>).map((c) => `${c.kind}@${c.seq}`);
    expect(kinds()).toEqual(['open@0', 'periodic@5', 'periodic@10']);
    const key = join(f.dir, 'secrets', 'audit-checkpoint.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(join(f.dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(readFileSync(key, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(join(f.dir, 'secrets', 'audit-anchor.json'), 'utf8'))).toMatchObject({ kind: 'periodic', seq: 10 });
    const db = f.trail.db;
    f.trail.close();
    expect(db.isOpen).toBe(false);
    const again = AuditTrail.open({ dataDir: f.dir, keyFile: key });
    expect((again.db.prepare('SELECT kind, seq FROM checkpoints ORDER BY id').all() as Array<{ kind: string; seq: number }>).map((c) => `${c.kind}@${c.seq}`).slice(-2)).toEqual(['close@12', 'open@12']);
    again.close();
  });

  it('uses the key file named by HISTORIAN_AUDIT_KEY_FILE and refuses a missing one', () => {
    const dir = tempDir();
    const keyFile = join(tempDir(), 'k');
    process.env.HISTORIAN_AUDIT_KEY_FILE = keyFile;
    try {
      expect(() => AuditTrail.open({ dataDir: dir })).toThrow(/HISTORIAN_AUDIT_KEY_FILE/);
      writeFileSync(keyFile, 'ab'.repeat(32));
      const t = AuditTrail.open({ dataDir: dir });
      expect(t.keyFile).toBe(keyFile);
      t.close();
    } finally {
      delete process.env.HISTORIAN_AUDIT_KEY_FILE;
    }
  });

  it('a checkpoint made with another key does not verify', async () => {
    const f = makeTrail({ checkpointEvery: 5 });
    fill(f, 6);
    f.trail.close();
    const other = join(tempDir(), 'other.key');
    writeFileSync(other, 'cd'.repeat(32));
    const t = AuditTrail.open({ dataDir: f.dir, keyFile: other });
    const r = await t.verify();
    expect(r.damage?.kind).toBe('checkpoint');
    t.close();
  });

  it('queries by time, user, action (prefix) and target, newest first, paged by cursor', () => {
    const f = makeTrail();
    fill(f, 30);
    const all = f.trail.query({}, { limit: 1000 });
    expect(all.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(all.nextCursor).toBeNull();
    const p1 = f.trail.query({}, { limit: 10 });
    const p2 = f.trail.query({}, { limit: 10, cursor: p1.nextCursor! });
    expect(p1.entries.at(-1)!.seq).toBe(21);
    expect(p2.entries[0].seq).toBe(20);
    expect(f.trail.query({ user: 'user1' }).entries.every((e) => e.username === 'user1')).toBe(true);
    expect(f.trail.query({ user: 'u1' }).entries.length).toBe(10);
    expect(f.trail.query({ action: 'alarms.*' }).entries.length).toBe(15);
    expect(f.trail.query({ action: 'alarms' }).entries.length).toBe(0);
    expect(f.trail.query({ target: 'tag:acme.t7' }).entries.map((e) => e.seq)).toEqual([7]);
    expect(f.trail.query({ from: T0 + 5000, to: T0 + 8000 }, { order: 'asc' }).entries.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(() => f.trail.query({}, { limit: 0 })).toThrow(/^limit:/);
    f.trail.close();
  });

  it('exports CSV with the chain hashes that re-verifies offline, and detects an edited file', async () => {
    const f = makeTrail();
    fill(f, 20);
    f.trail.append({ action: 'tags.write', reason: 'has "quotes", commas\nand a newline', newValue: { note: 'ünïcödé, "x"' } });
    const sink = new Sink();
    expect((await f.trail.exportCsv({}, sink)).rows).toBe(21);
    const r = verifyCsvText(sink.text);
    expect(r).toMatchObject({ ok: true, rows: 21, linked: 20, firstSeq: 1, lastSeq: 21, lastHash: f.trail.headOf().hash });
    const edited = sink.text.replace('change 7,', 'change 8,');
    expect(verifyCsvText(edited).problem).toMatchObject({ seq: 7 });
    const filtered = new Sink();
    await f.trail.exportCsv({ action: 'tags.write' }, filtered);
    expect(verifyCsvText(filtered.text)).toMatchObject({ ok: true, rows: 11, linked: 1 });
    f.trail.close();
  });

  it('scheduled verification reports damage', async () => {
    const f = makeTrail();
    fill(f, 5);
    const failures: unknown[] = [];
    const results: boolean[] = [];
    const stop = f.trail.startScheduledVerify(1000, (r) => failures.push(r), (r) => results.push(r.ok));
    await waitFor(() => results.length >= 1, { what: 'first scheduled verification', timeoutMs: 5000 });
    expect(results[0]).toBe(true);
    tamper(f.trail.dbFile, (db) => db.exec("UPDATE entries SET target = 'x' WHERE seq = 2"));
    await waitFor(() => failures.length >= 1, { what: 'scheduled failure', timeoutMs: 5000 });
    expect(failures[0]).toMatchObject({ ok: false, damage: { kind: 'altered', seq: 2 } });
    stop();
    f.trail.close();
  });

  it('records logins, failures, lockouts, logouts, user, role and token changes from the auth service', async () => {
    const a = makeAuth();
    const f = makeTrail();
    const detach = attachAuthEvents(f.trail, a.auth);
    const actor = await seeded(a);
    const { token } = await a.auth.login({ username: 'eng', password: STRONG, address: '10.0.0.9' });
    a.auth.logout(a.auth.authenticateToken(token), '10.0.0.9');
    for (let i = 0; i < 5; i++) await a.auth.login({ username: 'op', password: 'wrong password!', address: '10.0.0.8' }).catch(() => null);
    a.auth.updateUser(actor, 'aud', { role: 'OPERATOR' });
    const t = a.auth.createToken(actor, { user: 'svc', scopes: ['ingest'] });
    a.auth.revokeToken(actor, t.record.id);
    const actions = f.trail.query({}, { limit: 1000, order: 'asc' }).entries.map((e) => e.action);
    for (const want of ['users.create', 'auth.login', 'auth.logout', 'auth.login.failed', 'auth.account.locked', 'users.role.change', 'tokens.create', 'tokens.revoke']) {
      expect(actions).toContain(want);
    }
    const login = f.trail.query({ action: 'auth.login' }).entries[0];
    expect(login).toMatchObject({ username: 'eng', userName: 'eng Person', role: 'ENGINEER', clientAddress: '10.0.0.9', target: 'user:eng' });
    const role = f.trail.query({ action: 'users.role.change' }).entries[0];
    expect(role.previousValue).toMatchObject({ role: 'AUDITOR' });
    expect(role.newValue).toMatchObject({ role: 'OPERATOR' });
    expect(JSON.stringify(f.trail.query({}, { limit: 1000 }).entries)).not.toContain(STRONG);
    detach();
    a.close();
    expect((await f.trail.verify()).ok).toBe(true);
    f.trail.close();
  });

  it('exposes the process-level trail while it is open', () => {
    const f = makeTrail();
    setProcessAuditTrail(f.trail);
    expect(processAuditTrail()).toBe(f.trail);
    f.trail.close();
    expect(processAuditTrail()).toBeNull();
    setProcessAuditTrail(null);
  });
});

describe('offline CSV verification from a file', () => {
  it('streams a file through the same checker', async () => {
    const f = makeTrail();
    fill(f, 7);
    const sink = new Sink();
    await f.trail.exportCsv({}, sink);
    const file = join(tempDir(), 'audit.csv');
    writeFileSync(file, sink.text);
    expect(await verifyCsvFile(file)).toMatchObject({ ok: true, rows: 7, linked: 6 });
    writeFileSync(file, sink.text.replace(/user2/, 'user9'));
    expect((await verifyCsvFile(file)).ok).toBe(false);
    f.trail.close();
  });
});
