// Online backup (POST /system/backup, runtime/backup): the cost of a backup of a data
// directory while a writer goes on. The directory: a store with 10,000,000 samples in
// blocks and 200,000 still in its WAL, two 400,000-row SQLite databases (audit-like rows:
// the audit trail and an alarm journal) and a few small files. Measured: the first phase
// (the audit database and the files in one synchronous turn: how long the event loop is
// held), the longest turn of the snapshot (the other database is copied on a worker
// thread), the whole snapshot (stores too), the .tar.gz of
// the staging directory streamed to a counter (what the download costs the server), the
// longest gap between two ticks of a 1 ms timer in each part (the event loop held), and how many writes a writer that
// writes, waits 1 ms and writes again got acknowledged per second in each part. Baseline: a plain copy of the same directory (`fs.cp`), what a
// backup of a stopped server costs before any compression.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatabaseSync } from 'node:sqlite';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import { snapshotDataDir } from '../../runtime/backup';
import { TsdbStore } from '../../runtime/tsdb';
import { allocColumns } from '../../runtime/model';
import { metric, writeReport } from './lib/report';

const TAGS = 20;
const BLOCK_SAMPLES = 10_000_000;
const WAL_SAMPLES = 200_000;
const DB_ROWS = 400_000;
const MIN = 60_000;

function batch(t0: number, n: number, step: number, from: number) {
  const c = allocColumns(n * TAGS);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < TAGS; g++, k++) {
      c.tag[k] = `acme.izmir.plant1.line1.pump${g}.flow`;
      c.ts[k] = t0 + (from + i) * step;
      c.value[k] = Math.round((50 + 10 * Math.sin((from + i) / 300 + g)) * 100) / 100;
    }
  }
  return c;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-bench-'));
  try {
    const data = path.join(dir, 'data');
    fs.mkdirSync(path.join(data, 'secrets'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(data, 'secrets', 'credential-secret'), 'x'.repeat(64), { mode: 0o600 });
    fs.writeFileSync(path.join(data, 'flows.json'), JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: `n${i}`, type: 'function', func: 'return msg;' }))));
    const db = new DatabaseSync(path.join(data, 'audit.db'));
    db.exec('PRAGMA journal_mode = WAL; CREATE TABLE e (seq INTEGER PRIMARY KEY, ts INTEGER, action TEXT, target TEXT, body TEXT, hash TEXT)');
    const ins = db.prepare('INSERT INTO e (ts, action, target, body, hash) VALUES (?, ?, ?, ?, ?)');
    db.exec('BEGIN');
    for (let i = 0; i < DB_ROWS; i++) ins.run(Date.now() + i, 'alarms.ack', `alarm-${i % 500}`, JSON.stringify({ user: `op${i % 20}`, value: i * 1.5, comment: `acknowledged during shift change ${i}` }), (i * 2654435761 % 2 ** 32).toString(16).padStart(64, '0'));
    db.exec('COMMIT');
    // a second database as large (an alarm journal of years): copied on a worker thread
    db.exec(`VACUUM INTO '${path.join(data, 'alarms.db')}'`);

    const store = await TsdbStore.open({ dir: path.join(data, 'tsdb', 'default') });
    const perTag = BLOCK_SAMPLES / TAGS;
    const t0 = Date.now() - (perTag + WAL_SAMPLES / TAGS + 10) * MIN;
    for (let i = 0; i < perTag; i += 5000) await store.writeColumns(batch(t0, Math.min(5000, perTag - i), MIN, i));
    await store.flush();
    await store.compact();
    for (let i = 0; i < WAL_SAMPLES / TAGS; i += 5000) await store.writeColumns(batch(t0, 5000, MIN, perTag + i));

    // a writer throughout, as a running plant
    let stop = false, acked = 0;
    const writer = (async () => {
      while (!stop) {
        acked += (await store.writeColumns(batch(Date.now(), 1, 0, 0))).accepted;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const w0 = performance.now();
    while (performance.now() - w0 < 1000) await new Promise((r) => setTimeout(r, 20));
    const ackedIdle = acked;
    const idleMs = performance.now() - w0;
    acked = 0;
    // the longest gap between two ticks of a 1 ms timer: how long the event loop was held
    let last = performance.now(), gap = 0;
    const ticker = setInterval(() => { const t = performance.now(); gap = Math.max(gap, t - last); last = t; }, 1);
    const staging = fs.mkdtempSync(path.join(data, '.backup-'));
    const a = performance.now();
    const m = await snapshotDataDir(data, staging, [store], { version: 'bench', host: os.hostname() });
    const snapshotMs = performance.now() - a;
    const snapshotDelay = Math.max(gap, performance.now() - last);
    const ackedSnapshot = acked;
    gap = 0;
    let archiveBytes = 0;
    const b = performance.now();
    await pipeline(createTar({ cwd: staging, portable: true }, ['.']), createGzip(), new Writable({ write(chunk: Buffer, _e, done) { archiveBytes += chunk.length; done(); } }));
    const archiveMs = performance.now() - b;
    const archiveDelay = gap;
    clearInterval(ticker);
    stop = true;
    await writer;
    const ackedArchive = acked - ackedSnapshot;
    fs.rmSync(staging, { recursive: true, force: true });
    await store.close();
    db.close();
    const c = performance.now();
    await fs.promises.cp(data, path.join(dir, 'copy'), { recursive: true });
    const copyMs = performance.now() - c;
    const mb = m.bytes / 1_048_576;
    console.log(`backup: ${m.files} files, ${mb.toFixed(1)} MB (two databases of ${(fs.statSync(path.join(data, "audit.db")).size / 1_048_576).toFixed(1)} MB, store ${m.stores[0].blocks} blocks + ${m.stores[0].walSegments} WAL segments), archive ${(archiveBytes / 1_048_576).toFixed(1)} MB`);
    writeReport('backup', [
      metric('phase1_ms', m.phase1Ms, 'ms', 'lower', null),
      metric('longest_hold_ms', m.longestHoldMs, 'ms', 'lower', null),
      metric('snapshot_ms', snapshotMs, 'ms', 'lower', null, { name: 'plain copy of the directory (stopped server, fs.cp)', value: copyMs }),
      metric('archive_ms', archiveMs, 'ms', 'lower', null),
      metric('archive_mb_per_s', mb / (archiveMs / 1000), 'MB/s', 'higher', null),
      metric('archive_ratio', archiveBytes / m.bytes, 'ratio', 'lower', null),
      metric('snapshot.timer_gap_max_ms', snapshotDelay, 'ms', 'lower', null),
      metric('archive.timer_gap_max_ms', archiveDelay, 'ms', 'lower', null),
      metric('snapshot.writes_per_s', ackedSnapshot / TAGS / (snapshotMs / 1000), 'writes/s', 'higher', null, { name: 'the same writer before the backup', value: ackedIdle / TAGS / (idleMs / 1000) }),
      metric('archive.writes_per_s', ackedArchive / TAGS / (archiveMs / 1000), 'writes/s', 'higher', null, { name: 'the same writer before the backup', value: ackedIdle / TAGS / (idleMs / 1000) }),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
