// Tamper evidence that survives restarts: the attacker stops the server, drops the
// triggers, changes audit.db (never the secrets directory) and starts it again. Opening the
// trail — what the server does at start-up — must find the damage before it writes its
// open checkpoint, seal it beside the key, and keep reporting it (after more restarts, and
// even once the database looks consistent again) until an administrator acknowledges it.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditTrail } from '../../../runtime/audit/audit-trail';
import { CRITICAL } from '../../../runtime/audit/critical-actions';
import type { SignatureManifestation } from '../../../runtime/audit/entry';
import { cleanup, fill, makeTrail, rechain, tamper, type TrailFixture } from './fixture';

afterAll(cleanup);

/** A trail with two server sessions (open … close, open … close) of entries. */
function twoSessions(): TrailFixture {
  const f = makeTrail({ checkpointEvery: 10 });
  fill(f, 40);
  f.trail.close();
  const g = reopen(f);
  fill(g, 25, 41);
  g.trail.close();
  return g;
}

function reopen(f: TrailFixture): TrailFixture {
  const trail = AuditTrail.open({ dataDir: f.dir, keyFile: join(f.dir, 'secrets', 'audit-checkpoint.key'), checkpointEvery: 10, clock: () => f.clock.now });
  return { ...f, trail };
}

const dbOf = (f: TrailFixture) => join(f.dir, 'audit.db');

function signature(action: string, target: string): SignatureManifestation {
  return {
    signatureId: `sig-${Math.random().toString(16).slice(2)}`, userId: 'admin-id', username: 'admin', printedName: 'Ada Admin',
    meaning: 'responsibility', signedAt: new Date().toISOString(), action, target,
  };
}

function acknowledge(f: TrailFixture) {
  return f.trail.acknowledgeDamage({
    userId: 'admin-id', username: 'admin', userName: 'Ada Admin', role: 'ADMIN', reason: 'investigated: restored nothing, QA informed',
    signature: signature(CRITICAL.auditAcknowledge, 'audit'),
  });
}

describe('a fresh trail', () => {
  it('opens, restarts and verifies without any damage', async () => {
    const f = makeTrail();
    expect(f.trail.startupVerify).toMatchObject({ ok: true, damage: null, acknowledgementRequired: false });
    f.trail.close();
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(true);
    expect((await g.trail.verify()).ok).toBe(true);
    g.trail.close();
  });
});

describe('damage done while the server is stopped', () => {
  it('(a) deleting the last session\'s entries and its open/close checkpoints is found at the next start', async () => {
    const f = twoSessions();
    tamper(dbOf(f), (db) => {
      const open2 = db.prepare("SELECT id, seq FROM checkpoints WHERE kind = 'open' ORDER BY id DESC LIMIT 1").get() as { id: number; seq: number };
      db.prepare('DELETE FROM entries WHERE seq > ?').run(open2.seq);
      db.prepare('DELETE FROM checkpoints WHERE id >= ?').run(open2.id);
    });
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(false);
    expect(g.trail.startupVerify.damage).toMatchObject({ kind: 'truncated', seq: 41 });
    // the open checkpoint written after verification does not erase it
    const later = await g.trail.verify();
    expect(later.ok).toBe(false);
    expect(later.acknowledgementRequired).toBe(true);
    expect(later.damage).toMatchObject({ kind: 'truncated', seq: 41 });
    // nor does another restart
    g.trail.close();
    const h = reopen(g);
    expect(h.trail.startupVerify).toMatchObject({ ok: false, acknowledgementRequired: true, damage: { kind: 'truncated', seq: 41 } });
    expect(h.trail.startupVerify.recordedDamage?.anchor?.seq).toBe(65);
    h.trail.close();
  });

  it('(b) editing an entry, recomputing the chain and deleting the checkpoints is found at the next start', async () => {
    const f = twoSessions();
    tamper(dbOf(f), (db) => {
      db.prepare("UPDATE entries SET new_value = '{\"limit\":999}' WHERE seq = 30").run();
      rechain(db, 30);
      db.prepare('DELETE FROM checkpoints').run();
    });
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(false);
    expect(g.trail.startupVerify.damage?.kind).toBe('altered');
    fill(g, 5, 66);
    const later = await g.trail.verify();
    expect(later).toMatchObject({ ok: false, acknowledgementRequired: true });
    expect(later.damage?.kind).toBe('altered');
    g.trail.close();
    const h = reopen(g);
    expect(h.trail.startupVerify).toMatchObject({ ok: false, acknowledgementRequired: true });
    h.trail.close();
  });

  it('(c) truncation with renumbering (entries deleted in the middle, the rest renumbered and rechained, checkpoints deleted) is found', async () => {
    const f = twoSessions();
    tamper(dbOf(f), (db) => {
      db.prepare('DELETE FROM entries WHERE seq BETWEEN 20 AND 29').run();
      for (let s = 30; s <= 65; s++) db.prepare('UPDATE entries SET seq = ? WHERE seq = ?').run(s - 10, s);
      rechain(db, 20);
      db.prepare('DELETE FROM checkpoints').run();
    });
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(false);
    expect(['truncated', 'altered', 'deleted']).toContain(g.trail.startupVerify.damage?.kind);
    expect((await g.trail.verify()).ok).toBe(false);
    g.trail.close();
  });

  it('replacing the sealed state file is found too', async () => {
    const f = twoSessions();
    const stateFile = join(f.dir, 'secrets', 'audit-state.json');
    const sealed = JSON.parse(readFileSync(stateFile, 'utf8')) as { body: string; mac: string };
    expect(sealed.body).toMatch(/"seq":\d+/);
    writeFileSync(stateFile, JSON.stringify({ ...sealed, body: sealed.body.replace(/"seq":\d+/, '"seq":1') }));
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(false);
    expect(g.trail.startupVerify.damage).toMatchObject({ kind: 'checkpoint' });
    expect(g.trail.startupVerify.damage?.message).toMatch(/not sealed/);
    g.trail.close();
  });
});

describe('the anchor file', () => {
  it('one checkpoint behind (a stop between commit and anchor write) is no damage; two behind is', async () => {
    const f = makeTrail();
    fill(f, 3);
    const anchorFile = join(f.dir, 'secrets', 'audit-anchor.json');
    f.trail.checkpoint('manual');
    const older = readFileSync(anchorFile, 'utf8');
    f.trail.checkpoint('manual');
    const behindOne = readFileSync(anchorFile, 'utf8');
    f.trail.checkpoint('manual');
    writeFileSync(anchorFile, behindOne);
    expect((await f.trail.verify()).ok).toBe(true);
    writeFileSync(anchorFile, older);
    const r = await f.trail.verify();
    expect(r.ok).toBe(false);
    expect(r.damage).toMatchObject({ kind: 'checkpoint', message: expect.stringMatching(/stale anchor/) });
    f.trail.close();
  });
});

describe('acknowledgement', () => {
  it('an acknowledged damage stops being reported, survives restarts, and later tampering still shows', async () => {
    const f = twoSessions();
    tamper(dbOf(f), (db) => {
      db.prepare("UPDATE entries SET reason = 'rewritten' WHERE seq = 12").run();
      rechain(db, 12);
      db.prepare('DELETE FROM checkpoints').run();
    });
    const g = reopen(f);
    expect(g.trail.startupVerify.ok).toBe(false);
    const entry = acknowledge(g);
    expect(entry).toMatchObject({ action: 'audit.damage.acknowledge', target: 'audit', reason: 'investigated: restored nothing, QA informed' });
    expect(entry.signature).toMatchObject({ action: 'audit.damage.acknowledge', printedName: 'Ada Admin' });
    expect(entry.previousValue).toMatchObject({ kind: 'altered' });
    const after = await g.trail.verify();
    expect(after).toMatchObject({ ok: true, acknowledgementRequired: false, damage: null });
    expect(after.lastAcknowledgement).toMatchObject({ username: 'admin', entrySeq: entry.seq });
    fill(g, 15, 100);
    expect((await g.trail.verify()).ok).toBe(true);
    g.trail.close();

    const h = reopen(g);
    expect(h.trail.startupVerify.ok).toBe(true);
    h.trail.close();

    // the acknowledged prefix is frozen: changing it again is damage again
    tamper(dbOf(h), (db) => db.prepare("UPDATE entries SET reason = 'again' WHERE seq = 5").run());
    const i = reopen(h);
    expect(i.trail.startupVerify.ok).toBe(false);
    expect(i.trail.startupVerify.damage).toMatchObject({ kind: 'altered', seq: 1 });
    i.trail.close();
  });

  it('is refused when there is nothing to acknowledge', () => {
    const f = makeTrail();
    fill(f, 3);
    expect(() => acknowledge(f)).toThrow(/no unacknowledged damage/);
    f.trail.close();
  });

  it('works after an edit that left the newest entry unhashable (appends resume)', async () => {
    const f = twoSessions();
    tamper(dbOf(f), (db) => db.prepare("UPDATE entries SET reason = 'edited' WHERE seq = 65").run());
    const g = reopen(f);
    expect(g.trail.startupVerify.damage).toMatchObject({ kind: 'altered', seq: 65 });
    expect(() => fill(g, 1, 200)).toThrow(/tampered/);
    acknowledge(g);
    fill(g, 3, 201);
    expect((await g.trail.verify()).ok).toBe(true);
    g.trail.close();
  });
});
