// Low-space watermark of the data disk (README "Disk pressure"). Below it new time-series
// writes are refused (HTTP 507, a node error) *before* the filesystem is full, so the space
// left stays for what must keep working: SQLite stores (sessions, users, audit trail,
// alarms), block cuts and compaction of what was already acknowledged. Reads, logins and
// the dashboard never depend on it. The watermark is the smaller of a percentage and an
// absolute size: 5 % of a 64 MB card is 3.2 MB, 500 MB of a 2 TB disk is plenty.
import fs from 'node:fs';
import { DomainError } from '../platform';

export interface DiskSpace { totalBytes: number; freeBytes: number }

/** Free space of the filesystem holding `dir` (what an unprivileged writer can use). */
export function statfsProbe(dir: string): DiskSpace {
  const s = fs.statfsSync(dir);
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
}

export interface DiskWatermarkOptions {
  dir: string;
  /** refuse writes below this free percentage of the filesystem (default 5; 0: off) */
  minFreePercent?: number;
  /** ... or below this many free bytes, whichever is smaller (default 500 MB; 0: off) */
  minFreeBytes?: number;
  /** how long one look at the filesystem is trusted (default 1 s: writes ask often) */
  cacheMs?: number;
  probe?: (dir: string) => DiskSpace;
  clock?: () => number;
}

export interface DiskState {
  path: string;
  totalBytes: number;
  freeBytes: number;
  /** writes are refused while free space is below this */
  watermarkBytes: number;
  low: boolean;
  /** when the disk went below the watermark (null: not low) */
  since: number | null;
}

/** Thrown (and answered 507) when a write arrives while the disk is below the watermark. */
export class DiskLowError extends DomainError {
  readonly code = 'insufficient_storage';
  constructor(readonly state: DiskState) {
    super('storage_full', `data disk low: ${mb(state.freeBytes)} MB free, below the ${mb(state.watermarkBytes)} MB watermark (HISTORIAN_DISK_MIN_FREE_PERCENT / HISTORIAN_DISK_MIN_FREE_MB); new writes are refused until space is freed, reads keep working`,
      { extra: { disk: { freeBytes: state.freeBytes, watermarkBytes: state.watermarkBytes } } });
    this.name = 'DiskLowError';
  }
}

const mb = (b: number) => (b / 1_048_576).toFixed(1);

export const DEFAULT_MIN_FREE_PERCENT = 5;
export const DEFAULT_MIN_FREE_BYTES = 500 * 1_048_576;
/** Writes resume once free space is this much above the watermark, so they do not flap at the edge. */
const RESUME_MARGIN = 0.1;

export class DiskWatermark {
  private readonly probe: (dir: string) => DiskSpace;
  private readonly clock: () => number;
  private readonly cacheMs: number;
  private last: DiskState | null = null;
  private at = -Infinity;

  constructor(private readonly o: DiskWatermarkOptions) {
    for (const k of ['minFreePercent', 'minFreeBytes', 'cacheMs'] as const) {
      const v = o[k];
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new Error(`${k}: must be zero or a positive number (got ${v})`);
    }
    if ((o.minFreePercent ?? 0) >= 100) throw new Error(`minFreePercent: must be below 100 (got ${o.minFreePercent})`);
    this.probe = o.probe ?? statfsProbe;
    this.clock = o.clock ?? Date.now;
    this.cacheMs = o.cacheMs ?? 1000;
  }

  /** The watermark in bytes for a filesystem of `total` bytes (0: never refuse). */
  watermark(total: number): number {
    const pct = this.o.minFreePercent ?? DEFAULT_MIN_FREE_PERCENT;
    const bytes = this.o.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    const limits = [pct > 0 ? (total * pct) / 100 : Infinity, bytes > 0 ? bytes : Infinity];
    const w = Math.min(...limits);
    return Number.isFinite(w) ? Math.floor(w) : 0;
  }

  /** The current state (looked up at most once per cacheMs; a failing probe counts as "not low"). */
  state(): DiskState {
    const now = this.clock();
    if (this.last && now - this.at < this.cacheMs && now >= this.at) return this.last;
    let space: DiskSpace;
    try {
      space = this.probe(this.o.dir);
    } catch {
      // cannot look: do not refuse writes on a guess; ENOSPC, if it comes, is still an error
      space = { totalBytes: 0, freeBytes: 0 };
    }
    const watermarkBytes = this.watermark(space.totalBytes);
    const wasLow = this.last?.low ?? false;
    const low = space.totalBytes > 0 && watermarkBytes > 0 &&
      (wasLow ? space.freeBytes < watermarkBytes * (1 + RESUME_MARGIN) : space.freeBytes < watermarkBytes);
    this.last = { path: this.o.dir, ...space, watermarkBytes, low, since: low ? (wasLow ? this.last!.since : now) : null };
    this.at = now;
    return this.last;
  }

  /** Throws DiskLowError while the disk is below the watermark. */
  assertWritable(): void {
    const s = this.state();
    if (s.low) throw new DiskLowError(s);
  }
}
