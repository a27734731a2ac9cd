// Throw-away audit trails for tests: temp data directory, a clock moved by hand, and
// helpers to tamper with a copy of the database the way an attacker with file access would
// (dropping the append-only triggers first).
import { copyFileSync, existsSync, mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AuditTrail, type AuditTrailOptions } from '../../../runtime/audit/audit-trail';
import { verifyAuditDatabase } from '../../../runtime/audit/audit-trail';
import { entryHash, type ChainFields } from '../../../runtime/audit/canonical';
import type { VerifyResult } from '../../../runtime/audit/verify';

export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const dirs: string[] = [];

export function tempDir(prefix = 'hist-audit-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface TrailFixture {
  trail: AuditTrail;
  dir: string;
  clock: { now: number; advance(ms: number): void };
}

export function makeTrail(opts: Partial<AuditTrailOptions> = {}): TrailFixture {
  const dir = opts.dataDir ?? tempDir();
  const clock = { now: T0, advance(ms: number) { this.now += ms; } };
  const trail = AuditTrail.open({ dataDir: dir, clock: () => clock.now, keyFile: join(dir, 'secrets', 'audit-checkpoint.key'), ...opts });
  return { trail, dir, clock };
}

/** Appends n simple entries, one second apart. */
export function fill(f: TrailFixture, n: number, from = 1): void {
  for (let i = 0; i < n; i++) {
    f.clock.advance(1000);
    f.trail.append({
      userId: `u${(from + i) % 3}`, username: `user${(from + i) % 3}`, userName: `User ${(from + i) % 3}`, role: 'ENGINEER',
      action: i % 2 ? 'tags.write' : 'alarms.configure', target: `tag:acme.t${from + i}`,
      previousValue: { limit: from + i }, newValue: { limit: from + i + 1 }, reason: `change ${from + i}`, clientAddress: '10.0.0.7',
    });
  }
}

/** Copies the (closed) trail's data directory; returns the copy's paths. */
export function copyOf(dir: string): { dir: string; dbFile: string; keyFile: string; anchorFile: string } {
  const copy = tempDir('hist-audit-copy-');
  cpSync(dir, copy, { recursive: true });
  return { dir: copy, dbFile: join(copy, 'audit.db'), keyFile: join(copy, 'secrets', 'audit-checkpoint.key'), anchorFile: join(copy, 'secrets', 'audit-anchor.json') };
}

/** Opens a database as a tamperer: triggers dropped. */
export function tamper(dbFile: string, fn: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(dbFile);
  for (const t of ['entries', 'checkpoints', 'signatures']) {
    db.exec(`DROP TRIGGER IF EXISTS ${t}_no_update; DROP TRIGGER IF EXISTS ${t}_no_delete;`);
  }
  fn(db);
  db.close();
}

type Row = Record<string, unknown>;

export function fieldsOfRow(r: Row): ChainFields {
  return {
    seq: Number(r.seq), ts: Number(r.ts), userId: r.user_id as string | null, username: r.username as string | null,
    userName: r.user_name as string | null, role: r.role as string | null, action: r.action as string, target: r.target as string | null,
    previousValue: r.previous_value as string | null, newValue: r.new_value as string | null, reason: r.reason as string | null,
    clientAddress: r.client_address as string | null, signature: r.signature as string | null, prevHash: r.prev_hash as string,
  };
}

/** Recomputes every hash and link from `fromSeq` on, as a tamperer without the key would. */
export function rechain(db: DatabaseSync, fromSeq: number): void {
  const rows = db.prepare('SELECT * FROM entries WHERE seq >= ? ORDER BY seq').all(fromSeq) as Row[];
  let prev = (db.prepare('SELECT hash FROM entries WHERE seq = ?').get(fromSeq - 1) as { hash: string } | undefined)?.hash ?? '0'.repeat(64);
  const upd = db.prepare('UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of rows) {
    const f = { ...fieldsOfRow(r), prevHash: prev };
    const h = entryHash(f);
    upd.run(prev, h, f.seq);
    prev = h;
  }
}

export function verifyCopy(c: { dbFile: string; keyFile: string; anchorFile: string }): Promise<VerifyResult> {
  return verifyAuditDatabase(c);
}

export { existsSync, copyFileSync };
