// Audit trail: durable appends per second (each transaction re-reads and re-hashes the
// previous entry before chaining, WAL + synchronous=FULL): 32 concurrent writers through
// group commit (how the server's routes record actions), and one writer with one fsync per
// append and the time to verify a 1,000,000-entry chain with its
// checkpoints, streamed page by page. Baseline for appends: plain SQLite inserts of the
// same rows with the same durability, without hashing or verification.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AuditTrail } from '../../runtime/audit/audit-trail';
import { ENTRY_COLUMNS } from '../../runtime/audit/audit-db';
import { entryHash, GENESIS_HASH, stableJson } from '../../runtime/audit/canonical';
import { metric, writeReport } from './lib/report';

const APPENDS = 20_000;
const VERIFY_ENTRIES = 1_000_000;
const T0 = Date.UTC(2026, 0, 1);

function input(i: number) {
  return {
    ts: T0 + i * 10, userId: `0190f3a2-7c1e-7000-8000-00000000${String(i % 50).padStart(4, '0')}`, username: `user${i % 50}`,
    userName: `Plant Engineer ${i % 50}`, role: 'ENGINEER', action: i % 3 ? 'alarms.limits.change' : 'tags.write',
    target: `acme.izmir.plant1.line${i % 4}.pump${i % 9}.pressure`, previousValue: { hi: 70 + (i % 5) }, newValue: { hi: 72 + (i % 5) },
    reason: 'process optimisation after trial run', clientAddress: '10.20.30.40',
  };
}

function benchAppends(dir: string): number {
  const trail = AuditTrail.open({ dataDir: dir });
  for (let i = 0; i < 500; i++) trail.append(input(i)); // warm-up
  const t = performance.now();
  for (let i = 0; i < APPENDS; i++) trail.append(input(i));
  const s = (performance.now() - t) / 1000;
  trail.close();
  return APPENDS / s;
}

/** `writers` concurrent clients appending through group commit, as the server's routes do. */
async function benchConcurrent(dir: string, writers: number): Promise<number> {
  const trail = AuditTrail.open({ dataDir: dir });
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < APPENDS) await trail.appendAsync(input(next++));
  }));
  const s = (performance.now() - t) / 1000;
  trail.close();
  return APPENDS / s;
}

function benchBatches(dir: string, size: number): number {
  const trail = AuditTrail.open({ dataDir: dir });
  const t = performance.now();
  for (let i = 0; i < APPENDS; i += size) trail.appendBatch(Array.from({ length: size }, (_, k) => input(i + k)));
  const s = (performance.now() - t) / 1000;
  trail.close();
  return APPENDS / s;
}

function benchPlainInserts(dir: string): number {
  const db = new DatabaseSync(join(dir, 'plain.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  db.exec('CREATE TABLE entries (seq INTEGER PRIMARY KEY, ts INTEGER, user_id TEXT, username TEXT, user_name TEXT, role TEXT, action TEXT, target TEXT, previous_value TEXT, new_value TEXT, reason TEXT, client_address TEXT, signature TEXT, prev_hash TEXT, hash TEXT)');
  const ins = db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const t = performance.now();
  for (let i = 0; i < APPENDS; i++) {
    const e = input(i);
    db.exec('BEGIN IMMEDIATE');
    ins.run(i + 1, e.ts, e.userId, e.username, e.userName, e.role, e.action, e.target, stableJson(e.previousValue), stableJson(e.newValue), e.reason, e.clientAddress, null, GENESIS_HASH, GENESIS_HASH);
    db.exec('COMMIT');
  }
  const s = (performance.now() - t) / 1000;
  db.close();
  return APPENDS / s;
}

/**
 * Writes a valid chain of n entries straight into an open trail's database in one
 * transaction, then closes the database as a crash would (no closing checkpoint written
 * at a stale head): on reopening, the trail checkpoints the new head.
 */
function generate(dir: string, n: number): void {
  const trail = AuditTrail.open({ dataDir: dir });
  const db = trail.db;
  const ins = db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let prev = GENESIS_HASH;
  db.exec('BEGIN');
  for (let i = 0; i < n; i++) {
    const e = input(i);
    const f = {
      seq: i + 1, ts: e.ts, userId: e.userId, username: e.username, userName: e.userName, role: e.role, action: e.action, target: e.target,
      previousValue: stableJson(e.previousValue), newValue: stableJson(e.newValue), reason: e.reason, clientAddress: e.clientAddress, signature: null, prevHash: prev,
    };
    const h = entryHash(f);
    ins.run(f.seq, f.ts, f.userId, f.username, f.userName, f.role, f.action, f.target, f.previousValue, f.newValue, f.reason, f.clientAddress, null, prev, h);
    prev = h;
  }
  db.exec('COMMIT');
  db.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hist-audit-bench-'));
  try {
    const sequentialRate = benchAppends(join(dir, 'a'));
    const plainRate = benchPlainInserts(dir);
    const batchRate = benchBatches(join(dir, 'b'), 100);
    const concurrentRate = await benchConcurrent(join(dir, 'c'), 32);
    console.log(`appends: 32 concurrent writers (group commit) ${concurrentRate.toFixed(0)}/s; one writer, one fsync each ${sequentialRate.toFixed(0)}/s (plain durable inserts ${plainRate.toFixed(0)}/s); batches of 100 ${batchRate.toFixed(0)}/s`);
    const tg = performance.now();
    generate(join(dir, 'v'), VERIFY_ENTRIES);
    console.log(`generated ${VERIFY_ENTRIES} entries in ${((performance.now() - tg) / 1000).toFixed(1)} s`);
    const trail = AuditTrail.open({ dataDir: join(dir, 'v') });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const t = performance.now();
    const r = await trail.verify();
    const secs = (performance.now() - t) / 1000;
    clearInterval(sampler);
    trail.close();
    if (!r.ok || r.entries !== VERIFY_ENTRIES) throw new Error(`verification failed: ${JSON.stringify(r)}`);
    writeReport('audit', [
      metric('append.per_s', concurrentRate, 'appends/s', 'higher', 5000, { name: 'one writer, one fsync per append', value: sequentialRate }),
      metric('append.sequential.per_s', sequentialRate, 'appends/s', 'higher', null, { name: 'sqlite durable insert, no chain', value: plainRate }),
      metric('append.batch100.per_s', batchRate, 'appends/s', 'higher', null),
      metric('verify.1m_entries_s', secs, 's', 'lower', null),
      metric('verify.rss_growth_mb', (peak - rss0) / 1e6, 'MB', 'lower', null),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
