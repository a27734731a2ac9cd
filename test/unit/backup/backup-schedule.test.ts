// Scheduled backups (runtime/backup/backup-schedule.ts) over a real data directory and a real
// store: an archive made into the backup directory (0600, whole under its final name, the
// store's samples in it), older archives beyond `keep` removed and nothing else touched,
// half-written archives of a crash removed at start, the first run planned from the newest
// archive, a failed run recorded with its reason and tried again sooner, a directory inside
// the data directory refused, and the health report's problem for a failed run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { list as listTar } from 'tar';
import { archivesIn, BackupRunner, BackupSchedule, type BackupResult } from '../../../runtime/backup';
import { DiskWatermark } from '../../../runtime/disk';
import { SystemHealth } from '../../../runtime/health';
import { allocColumns } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const HOUR = 3_600_000;
let dir: string;
let data: string;
let out: string;
let store: TsdbStore;
let schedule: BackupSchedule | null = null;

beforeEach(async () => {
  dir = await makeTempDir('backup-schedule-');
  data = path.join(dir, 'data');
  out = path.join(dir, 'backups');
  fs.mkdirSync(path.join(data, 'secrets'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(data, 'flows.json'), '[]');
  store = await TsdbStore.open({ dir: path.join(data, 'tsdb', 'default') });
  const c = allocColumns(1000);
  for (let i = 0; i < 1000; i++) { c.tag[i] = 'plant.flow'; c.ts[i] = 1_767_225_600_000 + i * 1000; c.value[i] = i / 10; }
  await store.writeColumns(c);
});
afterEach(async () => {
  schedule?.stop();
  schedule = null;
  await store.close();
  await removeTempDir(dir);
});

function make(o: { keep?: number; freeBytes?: number; clock?: () => number } = {}) {
  const runs: Array<BackupResult & { file: string | null }> = [];
  const disk = new DiskWatermark({ dir: data, minFreeBytes: 1000, minFreePercent: 0, probe: () => ({ totalBytes: 1e12, freeBytes: o.freeBytes ?? 1e11 }) });
  const runner = new BackupRunner({ dataDir: data, version: '1', host: 'gw-7', stores: async () => [store], disk });
  schedule = new BackupSchedule({ runner, dataDir: data, dir: out, everyMs: 24 * HOUR, keep: o.keep ?? 7, host: 'gw-7', record: (r) => runs.push(r), clock: o.clock });
  return { runs, runner, schedule };
}

async function entriesOf(file: string): Promise<string[]> {
  const names: string[] = [];
  await listTar({ file, onReadEntry: (e) => { names.push(e.path.replace(/^\.\//, '')); } });
  return names;
}

describe('scheduled backups', () => {
  it('makes an archive into the directory, whole and readable by the owner only, and records it', async () => {
    const { runs, schedule } = make();
    schedule.start();
    expect(fs.statSync(out).mode & 0o777).toBe(0o700);
    const last = await schedule.runOnce();
    expect(last).toMatchObject({ ok: true, problem: null });
    const [a] = archivesIn(out);
    expect(a.name).toMatch(/^historian-backup-gw-7-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz$/);
    expect(last!.file).toBe(path.join(out, a.name));
    expect(last!.archiveBytes).toBe(a.size);
    expect(fs.statSync(path.join(out, a.name)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(out)).toEqual([a.name]); // no .partial left
    const names = await entriesOf(path.join(out, a.name));
    expect(names).toEqual(expect.arrayContaining(['backup.json', 'flows.json', 'tsdb/default/tags.json']));
    expect(names.some((n) => /^tsdb\/default\/wal\/\d+\.wal$/.test(n))).toBe(true);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ problem: null, file: last!.file, archiveBytes: a.size });
    expect(BackupRunner.facts(runs[0])).toMatchObject({ completed: true, archiveBytes: a.size, stores: [expect.objectContaining({ dir: 'tsdb/default' })] });
    // the next run a day later
    expect(schedule.status()).toMatchObject({ dir: out, everyHours: 24, keep: 7, running: false, last: { ok: true } });
    expect(schedule.status().nextAt! - Date.now()).toBeGreaterThan(23.9 * HOUR);
  });

  it('keeps the newest `keep` archives and touches no other file', async () => {
    fs.mkdirSync(out);
    const old = ['historian-backup-gw-7-2026-01-01T00-00-00-000Z.tar.gz', 'historian-backup-gw-7-2026-01-02T00-00-00-000Z.tar.gz', 'historian-backup-gw-7-2026-01-03T00-00-00-000Z.tar.gz'];
    old.forEach((n, i) => {
      fs.writeFileSync(path.join(out, n), 'x');
      fs.utimesSync(path.join(out, n), new Date(Date.UTC(2026, 0, 1 + i)), new Date(Date.UTC(2026, 0, 1 + i)));
    });
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const { schedule } = make({ keep: 2 });
    schedule.start();
    const last = await schedule.runOnce();
    expect(fs.readdirSync(out).sort()).toEqual([path.basename(last!.file!), old[2], 'notes.txt'].sort());
  });

  it('removes half-written archives at start and plans the first run from the newest archive', () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'historian-backup-1767225600000.tar.gz.partial'), 'cut short');
    const now = Date.UTC(2026, 11, 8, 12);
    fs.writeFileSync(path.join(out, 'historian-backup-gw-7-2026-12-08T02-00-00-000Z.tar.gz'), 'x');
    fs.utimesSync(path.join(out, 'historian-backup-gw-7-2026-12-08T02-00-00-000Z.tar.gz'), new Date(now - 10 * HOUR), new Date(now - 10 * HOUR));
    const { schedule } = make({ clock: () => now });
    schedule.start();
    expect(fs.readdirSync(out)).toEqual(['historian-backup-gw-7-2026-12-08T02-00-00-000Z.tar.gz']);
    expect(schedule.status().nextAt).toBe(now + 14 * HOUR);
  });

  it('with no archive yet, runs a few minutes after start', () => {
    const now = Date.UTC(2026, 11, 8, 12);
    const { schedule } = make({ clock: () => now });
    schedule.start();
    expect(schedule.status().nextAt).toBe(now + 5 * 60_000);
  });

  it('records a run the disk has no room for, with its reason, leaves nothing behind, tries again within the hour, and the health report says so', async () => {
    const { runs, schedule } = make({ freeBytes: 1500 });
    schedule.start();
    const last = await schedule.runOnce();
    expect(last).toMatchObject({ ok: false, file: null, archiveBytes: 0 });
    expect(last!.problem).toMatch(/^a backup stages .* and the data disk has 0\.0 MB free/);
    expect(runs).toEqual([expect.objectContaining({ problem: last!.problem, file: null })]);
    expect(fs.readdirSync(out)).toEqual([]);
    expect(fs.readdirSync(data).filter((n) => n.startsWith('.backup-'))).toEqual([]);
    expect(schedule.status().nextAt! - Date.now()).toBeLessThanOrEqual(HOUR);
    const health = new SystemHealth({ stores: () => [], buffers: () => [], tiers: () => [], devices: () => [], audit: () => null, links: () => [], dataDir: data, version: '1', backup: () => schedule.status() });
    const r = health.collect();
    expect(r.backup).toMatchObject({ dir: out, last: { ok: false } });
    expect(r.problems).toEqual([expect.objectContaining({ area: 'backup', kind: 'backup-failed', message: `scheduled backup into ${out} failed: ${last!.problem}` })]);
  });

  it('waits a minute when a backup asked for by hand is being made', async () => {
    const { runner, runs, schedule } = make();
    schedule.start();
    const sink = fs.createWriteStream(path.join(dir, 'by-hand.tar.gz'));
    const byHand = runner.run(sink);
    await schedule.runOnce();
    expect(runs).toEqual([]);
    expect(schedule.status().nextAt! - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await byHand).problem).toBeNull();
  });

  it('refuses a directory inside the data directory, or the data directory itself', () => {
    expect(() => BackupSchedule.checkDir(data, path.join(data, 'backups'))).toThrow(/HISTORIAN_BACKUP_DIR \(.*\) is inside the data directory/);
    expect(() => BackupSchedule.checkDir(data, data)).toThrow(/inside the data directory/);
    expect(BackupSchedule.checkDir(data, path.join(dir, 'data-backups'))).toBe(path.join(dir, 'data-backups'));
  });
});
