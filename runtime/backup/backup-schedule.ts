// Scheduled backups (README "Backup and restore"): every `everyMs` an archive of the data
// directory into `dir` (outside the data directory: a mounted share, a second disk), the
// newest `keep` of them kept. An administrator who must remember to press a button
// forgets; a plant that loses its disk keeps yesterday's archive. Each archive is written
// as `<name>.partial`, synced and renamed, so a file with the final name is whole. Every
// run, made or failed, goes to the audit trail (`record`); the last one is in the health
// report, where a failed one is a problem (and a system alarm).
import fs from 'node:fs';
import path from 'node:path';
import { renameDurable } from '../platform';
import type { BackupResult, BackupRunner } from './backup-runner';

export interface BackupScheduleOptions {
  runner: BackupRunner;
  dataDir: string;
  /** where archives go; must not be inside the data directory */
  dir: string;
  everyMs: number;
  keep: number;
  /** the host name archives are named after */
  host: string;
  /** records a run (the audit trail): what the runner returned and the file it made */
  record: (run: BackupResult & { file: string | null }) => void;
  clock?: () => number;
  /** wait before the first run when the directory holds no archive younger than `everyMs` (default 5 min) */
  firstDelayMs?: number;
  /** wait before trying again after a failed run (default: an hour, or `everyMs` if shorter) */
  retryMs?: number;
  log?: (message: string) => void;
}

export interface ScheduledBackupStatus {
  dir: string;
  everyHours: number;
  keep: number;
  /** epoch ms of the next run, null while one runs */
  nextAt: number | null;
  running: boolean;
  last: { at: number; ok: boolean; file: string | null; archiveBytes: number; problem: string | null } | null;
}

const ARCHIVE = /^historian-backup-.+\.tar\.gz$/;

/** The archive's file name: host and the snapshot's time, which sorts by time. */
export function archiveName(host: string, createdAt: number): string {
  return `historian-backup-${host.replace(/[^A-Za-z0-9._-]/g, '_')}-${new Date(createdAt).toISOString().replace(/[:.]/g, '-')}.tar.gz`;
}

/** The archives in `dir`, newest first (by modification time). */
export function archivesIn(dir: string): Array<{ name: string; mtimeMs: number; size: number }> {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  const out: Array<{ name: string; mtimeMs: number; size: number }> = [];
  for (const name of names) {
    if (!ARCHIVE.test(name)) continue;
    try {
      const st = fs.statSync(path.join(dir, name));
      if (st.isFile()) out.push({ name, mtimeMs: st.mtimeMs, size: st.size });
    } catch { /* removed meanwhile */ }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
}

/** Bytes of the files under `dir` (what an archive holds at most: blocks do not compress further). */
function treeBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return 0; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += treeBytes(p);
    else if (e.isFile()) { try { total += fs.statSync(p).size; } catch { /* removed meanwhile */ } }
  }
  return total;
}

export class BackupSchedule {
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;
  private last: ScheduledBackupStatus['last'] = null;
  private stopped = false;
  private readonly clock: () => number;
  readonly dir: string;

  constructor(private readonly o: BackupScheduleOptions) {
    this.clock = o.clock ?? Date.now;
    this.dir = BackupSchedule.checkDir(o.dataDir, o.dir);
  }

  /** The backup directory, absolute; throws when it is the data directory or inside it (a backup would hold its own archives, and go with the disk). */
  static checkDir(dataDir: string, dir: string): string {
    const data = path.resolve(dataDir), d = path.resolve(dir);
    const rel = path.relative(data, d);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new Error(`HISTORIAN_BACKUP_DIR (${d}) is inside the data directory (${data}): archives would be backed up into each other and lost with the data disk; give a directory outside it`);
    }
    return d;
  }

  /** Creates the directory (0700), removes archives a crash left half written, and plans the first run. */
  start(): this {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(this.dir)) if (/^historian-backup-.+\.tar\.gz\.partial$/.test(name)) fs.rmSync(path.join(this.dir, name), { force: true });
    const newest = archivesIn(this.dir)[0];
    const now = this.clock();
    const due = newest ? newest.mtimeMs + this.o.everyMs : now;
    this.plan(Math.max(due, now + (this.o.firstDelayMs ?? 5 * 60_000)) - now);
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  status(): ScheduledBackupStatus {
    return { dir: this.dir, everyHours: this.o.everyMs / 3_600_000, keep: this.o.keep, nextAt: this.nextAt, running: this.o.runner.running, last: this.last };
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = this.clock() + delayMs;
    this.timer = setTimeout(() => { this.timer = null; void this.runOnce(); }, delayMs);
    this.timer.unref();
  }

  /** Makes one archive now (the timer calls it); resolves with what it recorded. */
  async runOnce(): Promise<ScheduledBackupStatus['last']> {
    this.nextAt = null;
    // a backup asked for by hand is being made: this one comes a minute later
    if (this.o.runner.running) { this.plan(60_000); return this.last; }
    const at = this.clock();
    let file: string | null = null;
    let result: BackupResult;
    let partial: string | null = null;
    try {
      // an archive on the data disk itself counts against its watermark too (sized as the last one, or the whole directory)
      const sameDisk = fs.statSync(this.dir).dev === fs.statSync(this.o.dataDir).dev;
      this.o.runner.check(sameDisk ? Math.ceil((archivesIn(this.dir)[0]?.size ?? treeBytes(this.o.dataDir)) * 1.25) : 0);
      partial = path.join(this.dir, `historian-backup-${at}.tar.gz.partial`);
      const out = fs.createWriteStream(partial, { mode: 0o600, flush: true });
      result = await this.o.runner.run(out);
      if (!result.problem && result.manifest) {
        file = path.join(this.dir, archiveName(this.o.host, result.manifest.createdAt));
        renameDurable(partial, file);
        partial = null;
        this.prune();
      }
    } catch (e) {
      result = { manifest: null, archiveBytes: 0, problem: e instanceof Error ? e.message : String(e) };
    } finally {
      if (partial) fs.rmSync(partial, { force: true });
    }
    this.last = { at, ok: result.problem === null, file, archiveBytes: result.archiveBytes, problem: result.problem };
    try { this.o.record({ ...result, file }); } catch (e) { this.o.log?.(`[historian] scheduled backup: not recorded in the audit trail: ${(e as Error).message}`); }
    this.o.log?.(result.problem ? `[historian] scheduled backup failed: ${result.problem}` : `[historian] scheduled backup: ${file} (${(result.archiveBytes / 1_048_576).toFixed(1)} MB)`);
    this.plan(result.problem ? Math.min(this.o.retryMs ?? 3_600_000, this.o.everyMs) : this.o.everyMs);
    return this.last;
  }

  /** Deletes archives beyond the newest `keep` (only files named as this server names them). */
  private prune(): void {
    for (const old of archivesIn(this.dir).slice(this.o.keep)) {
      try { fs.rmSync(path.join(this.dir, old.name)); } catch (e) { this.o.log?.(`[historian] scheduled backup: could not remove ${old.name}: ${(e as Error).message}`); }
    }
  }
}
