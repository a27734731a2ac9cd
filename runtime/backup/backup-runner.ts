// Makes a backup archive (README "Backup and restore", FORMAT-backup.md): the data
// directory snapshotted into staging (data-snapshot.ts), then a tar of the staging directory
// compressed by Node's zlib (on its thread pool: tar's own gzip runs on the event loop)
// into any writable: an HTTP answer or a file of a scheduled backup. One backup at a time
// per process, whoever asks; none that would take the data disk below the watermark at
// which ingest is refused.
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import type { DiskWatermark } from '../disk';
import { DomainError } from '../platform';
import { snapshotDataDir, stagingBytes, STAGING_PREFIX, type BackupManifest, type OpenStore } from './data-snapshot';

export interface BackupRunnerOptions {
  dataDir: string;
  version: string;
  host: string;
  /** the stores open in this process, snapshotted with their maintenance paused */
  stores: () => Promise<OpenStore[]>;
  disk?: DiskWatermark | null;
}

export interface BackupResult { manifest: BackupManifest | null; archiveBytes: number; problem: string | null }

const mb = (b: number) => (b / 1_048_576).toFixed(1);

export class BackupRunner {
  private busy = false;

  constructor(private readonly o: BackupRunnerOptions) {}

  get running(): boolean { return this.busy; }

  /**
   * Throws a DomainError when a backup cannot start now: `conflict` while one is being
   * made, `storage_full` when the data disk is below its watermark or staging (copies of the
   * databases and write-ahead logs) plus `alsoOnDataDisk` bytes would take it below.
   */
  check(alsoOnDataDisk = 0): void {
    if (this.busy) throw new DomainError('conflict', 'a backup is being made; try again once it is done');
    const disk = this.o.disk?.state();
    if (disk?.low) throw new DomainError('storage_full', 'the data disk is below its low-space watermark: a backup needs room for copies of the databases and write-ahead logs');
    // staging must not take the disk below the watermark, where ingest would be refused
    const staged = stagingBytes(this.o.dataDir);
    const need = staged + alsoOnDataDisk;
    if (disk && disk.watermarkBytes > 0 && disk.freeBytes - need < disk.watermarkBytes) {
      const what = alsoOnDataDisk > 0 ? `${mb(staged)} MB of staging (copies of the databases and write-ahead logs; blocks are linked) and an archive of up to ${mb(alsoOnDataDisk)} MB on the same disk` : `up to ${mb(need)} MB (copies of the databases and write-ahead logs; blocks are linked)`;
      throw new DomainError('storage_full', `a backup stages ${what} and the data disk has ${mb(disk.freeBytes)} MB free, ${mb(disk.watermarkBytes)} MB of which writes keep as their watermark: free space first`);
    }
  }

  /**
   * Snapshots the data directory and streams the archive into `out`; `ready` runs once the
   * snapshot is made, before the first byte (an HTTP answer sets its headers there). Throws
   * only what check() throws; a snapshot or stream that fails comes back as `problem`, with
   * what was made and sent by then. Staging is always removed.
   */
  async run(out: Writable, ready?: (manifest: BackupManifest) => void): Promise<BackupResult> {
    this.check();
    this.busy = true;
    const staging = fs.mkdtempSync(path.join(this.o.dataDir, STAGING_PREFIX));
    let manifest: BackupManifest | null = null;
    let archiveBytes = 0;
    let problem: string | null = null;
    try {
      manifest = await snapshotDataDir(this.o.dataDir, staging, await this.o.stores(), { version: this.o.version, host: this.o.host });
      ready?.(manifest);
      const count = new Transform({ transform(chunk: Buffer, _enc, done) { archiveBytes += chunk.length; done(null, chunk); } });
      await pipeline(createTar({ cwd: staging, portable: true }, ['.']), createGzip(), count, out);
    } catch (e) {
      problem = (e as Error).message;
    } finally {
      this.busy = false;
      // hard links and copies: removed without holding the event loop, nor the caller (an
      // HTTP answer is recorded in the turn it ended, before the client's next request)
      void fs.promises.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
    return { manifest, archiveBytes, problem };
  }

  /** What an audit entry says of a backup: whether it completed, the archive's size and what it held. */
  static facts(r: BackupResult): Record<string, unknown> {
    const m = r.manifest;
    return {
      completed: r.problem === null, ...(r.problem ? { problem: r.problem } : {}), archiveBytes: r.archiveBytes,
      ...(m ? { createdAt: m.createdAt, phase1Ms: m.phase1Ms, longestHoldMs: m.longestHoldMs, files: m.files, bytes: m.bytes, databases: m.databases, stores: m.stores.map((s) => ({ dir: s.dir, blocks: s.blocks, walSegments: s.walSegments })) } : {}),
    };
  }
}
