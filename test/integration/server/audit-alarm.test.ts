// Tamper evidence across restarts of the real server: a fresh install verifies and raises
// nothing; a damaged audit trail raises the urgent system alarm at the next start, stays
// "damaged" (GET /api/v1/audit/verify) through further restarts, and only an ADMIN's
// signed acknowledgement — itself audited — returns it to verified.
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser, signingToken } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dist: Distribution | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await dist?.stop();
  for (const d of dirs) await removeTempDir(d);
});

const AUDIT_ALARM = 'sys.historian.audit:DISCRETE';
const json = { 'Content-Type': 'application/json' };

async function start(dataDir: string): Promise<Distribution> {
  dist = await startDistribution({ dataDir, env: { HISTORIAN_DEMO_FLOW: 'none' } });
  return dist;
}

async function stop(): Promise<void> {
  await dist?.stop();
  dist = undefined;
}

async function auditAlarm(d: Distribution, token: string): Promise<{ state: string; priority: string; message: string }> {
  const body = await (await d.request('/api/v1/alarms?area=sys.>&all=true', { token })).json() as { alarms: Array<{ id: string; state: string; priority: string; message: string }> };
  return body.alarms.find((a) => a.id === AUDIT_ALARM)!;
}

async function verify(d: Distribution, token: string): Promise<{ ok: boolean; acknowledgementRequired: boolean; damage: { kind: string; seq: number } | null }> {
  const r = await d.request('/api/v1/audit/verify', { token });
  expect(r.status).toBe(200);
  return r.json() as Promise<{ ok: boolean; acknowledgementRequired: boolean; damage: { kind: string; seq: number } | null }>;
}

/** As an attacker with write access to audit.db (not to the secrets directory) would. */
function tamper(dataDir: string, fn: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(join(dataDir, 'audit.db'));
  for (const t of ['entries', 'checkpoints', 'signatures']) db.exec(`DROP TRIGGER IF EXISTS ${t}_no_update; DROP TRIGGER IF EXISTS ${t}_no_delete;`);
  fn(db);
  db.close();
}

describe('audit chain verification at start-up', () => {
  it('a fresh install verifies and lists no audit alarm', async () => {
    const dataDir = await makeTempDir('historian-audit-fresh-');
    dirs.push(dataDir);
    const d = await start(dataDir);
    const token = await d.login();
    expect(await verify(d, token)).toMatchObject({ ok: true, damage: null, acknowledgementRequired: false });
    expect(await auditAlarm(d, token)).toMatchObject({ state: 'A', priority: 'urgent' });
    const active = await (await d.request('/api/v1/alarms', { token })).json() as { alarms: Array<{ id: string }> };
    expect(active.alarms.map((a) => a.id)).not.toContain(AUDIT_ALARM);
    expect(d.proc.logs()).not.toMatch(/AUDIT TRAIL DAMAGED/);
    await stop();
  });

  it('an edited entry raises the urgent unacknowledged alarm at the next start', async () => {
    const dataDir = await makeTempDir('historian-audit-alarm-');
    dirs.push(dataDir);
    await (await start(dataDir)).login();
    await stop();
    tamper(dataDir, (db) => expect(db.prepare("UPDATE entries SET action = 'auth.logout' WHERE seq = 2").run().changes).toBe(1));
    const d = await start(dataDir);
    const token = await d.login();
    expect(await auditAlarm(d, token)).toMatchObject({ state: 'B', priority: 'urgent' });
    expect(await verify(d, token)).toMatchObject({ ok: false, damage: { kind: 'altered', seq: 2 } });
    await stop();
  });

  it('deleting the last session\'s entries and its open/close checkpoints stays "damaged" across restarts until an ADMIN acknowledges it, signed', async () => {
    const dataDir = await makeTempDir('historian-audit-restart-');
    dirs.push(dataDir);
    let d = await start(dataDir);
    let token = await d.login();
    await createUser(d, token, { username: 'eng-a', name: 'Eng A', role: 'ENGINEER', password: 'Engineer-Audit-2026' });
    await stop();
    // the second session: its entries are what the attacker wants gone
    d = await start(dataDir);
    token = await d.login();
    await createUser(d, token, { username: 'aud-a', name: 'Aud A', role: 'AUDITOR', password: 'Auditor-Audit-2026' });
    await stop();
    tamper(dataDir, (db) => {
      const open = db.prepare("SELECT id, seq FROM checkpoints WHERE kind = 'open' ORDER BY id DESC LIMIT 1").get() as { id: number; seq: number };
      db.prepare('DELETE FROM entries WHERE seq > ?').run(open.seq);
      db.prepare('DELETE FROM signatures WHERE seq > ?').run(open.seq);
      db.prepare('DELETE FROM checkpoints WHERE id >= ?').run(open.id);
    });

    d = await start(dataDir);
    token = await d.login();
    expect(d.proc.logs()).toMatch(/AUDIT TRAIL DAMAGED: truncated/);
    expect(await verify(d, token)).toMatchObject({ ok: false, acknowledgementRequired: true, damage: { kind: 'truncated' } });
    expect(await auditAlarm(d, token)).toMatchObject({ state: 'B', message: expect.stringMatching(/truncated/) });
    await stop();

    // another restart does not make it go away
    d = await start(dataDir);
    token = await d.login();
    expect(await verify(d, token)).toMatchObject({ ok: false, acknowledgementRequired: true, damage: { kind: 'truncated' } });

    // only an ADMIN acknowledges (an engineer lacks audit.acknowledge), and only signed
    const eng = await d.login('eng-a', 'Engineer-Audit-2026');
    const ack = (tk: string, sig?: string) => d.request('/api/v1/audit/acknowledge', {
      method: 'POST', token: tk, headers: { ...json, ...(sig ? { 'X-Historian-Signature': sig } : {}) }, body: JSON.stringify({ reason: 'investigated with QA: the last session was deleted; backup compared' }),
    });
    expect((await ack(eng)).status).toBe(403);
    const unsigned = await ack(token);
    expect(unsigned.status).toBe(428);
    expect(await unsigned.json()).toMatchObject({ action: 'audit.damage.acknowledge', target: 'audit' });
    expect(await verify(d, token)).toMatchObject({ ok: false, acknowledgementRequired: true });
    const signed = await ack(token, await signingToken(d, token, 'audit.damage.acknowledge', 'audit', { meaning: 'review' }));
    const body = await signed.json() as { acknowledged: Record<string, any>; verify: { ok: boolean } };
    expect(signed.status, JSON.stringify(body)).toBe(200);
    expect(body.acknowledged).toMatchObject({
      action: 'audit.damage.acknowledge', username: 'admin', previousValue: { kind: 'truncated' },
      signature: { action: 'audit.damage.acknowledge', meaning: 'review' },
    });
    expect(body.verify.ok).toBe(true);
    expect(await verify(d, token)).toMatchObject({ ok: true, acknowledgementRequired: false, damage: null });
    // the alarm's condition clears (it returns unacknowledged, for the operators to see)
    await expect.poll(async () => (await auditAlarm(d, token)).state).toBe('D');
    expect((await ack(token)).status).toBe(409);
    await stop();

    d = await start(dataDir);
    token = await d.login();
    expect(await verify(d, token)).toMatchObject({ ok: true });
    await stop();
  });
});
