// One picture of the whole process for the system health page and the system alarms:
// stores, store-and-forward buffers, tier movers, device connections, the audit chain,
// message-bus links, the data disk and the process itself, plus the list of problems
// (each with the area and name it concerns) that the page counts in its summary line.
// Reads what the registered components already expose; nothing here touches Node-RED.
import fs from 'node:fs';
import path from 'node:path';
import { isBufferComponent } from '../buffer';
import { isDeviceComponent } from '../devices';
import type { StoreHandle } from '../tsdb';
import type { TierSummary } from '../tier';
import type { DiskWatermark } from '../disk';
import type { ScheduledBackupStatus } from '../backup';

export interface HealthThresholds {
  /** a buffer with more pending entries than this is a problem (seed 004: 100) */
  bufferPending: number;
  /** a buffer with more quarantined (failed) entries than this is a problem (seed 004: 0) */
  bufferFailed: number;
  /** the data disk is "nearly full" below this free percentage */
  diskFreePercent: number;
  /** a device connection down longer than this is a problem */
  deviceDownMs: number;
}

const DISK_USE_TTL_MS = 10_000;
/** A store refusing samples over its tag limits within this window is a problem (README "Limits"). */
export const TAG_LIMIT_WINDOW_MS = 60_000;

export const DEFAULT_THRESHOLDS: HealthThresholds = { bufferPending: 100, bufferFailed: 0, diskFreePercent: 10, deviceDownMs: 60_000 };

export interface LinkHealth { name: string; kind: string; connected: boolean; detail: string | null }

export interface HealthSources {
  stores(): Array<[string, StoreHandle]>;
  buffers(): Array<[string, unknown]>;
  tiers(): Array<[string, unknown]>;
  devices(): Array<[string, unknown]>;
  /** the last audit chain verification (null: not run yet) */
  audit(): { ok: boolean; checkedAt: string; entries: number; damage: { message: string } | null } | null;
  /** process-level message-bus links (system events on NATS, ...) */
  links(): LinkHealth[];
  dataDir: string;
  version: string;
  /** the low-space watermark (its probe also answers the disk figures) */
  disk?: DiskWatermark;
  /** scheduled backups (null: none configured) */
  backup?: () => ScheduledBackupHealth | null;
  clock?: () => number;
}

/** Scheduled backups as the health report gives them (BackupSchedule.status()). */
export type ScheduledBackupHealth = ScheduledBackupStatus;

export type Area = 'store' | 'buffer' | 'tier' | 'device' | 'audit' | 'link' | 'disk' | 'backup';
export type ProblemKind = 'disk-low' | 'tag-limit' | 'backlog' | 'quarantine' | 'disk' | 'device-down' | 'tier-failing' | 'audit' | 'link-down' | 'store-errors' | 'buffer-disk-full' | 'backup-failed';

export interface Problem { area: Area; kind: ProblemKind; name: string; message: string }

export interface StoreHealth {
  name: string; open: boolean; samplesPerSecond: number | null; series: number; headSamples: number; blocks: number;
  blockBytes: number; diskBytes: number; walSegments: number; corruptBlocks: number; readErrors: number; rejected: number;
  /** tags the store knows, and samples refused by its cardinality limits since it opened */
  tags: number; tagLimitRejected: number;
}

export interface BufferHealth {
  name: string; state: 'sending' | 'disconnected' | 'paused' | 'disk-full'; connected: boolean; pending: number; pendingSamples: number;
  oldestAgeMs: number; diskBytes: number; sentPerSecond: number; retries: number; quarantined: number; dropped: number; lastError: string | null; lastErrorAt: number | null; lastSentAt: number | null;
}

export interface TierHealth {
  name: string; store: string; running: boolean; lastRun: number | null; lastPassErrors: number; errors: number;
  lastError: string | null; remoteBlocks: number; remoteBytes: number; localBlocks: number; corrupt: number;
}

export interface DeviceHealthRow {
  name: string; kind: string; target: string; state: string; connected: boolean; since: number | null; downForMs: number | null;
  lastGoodAt: number | null; requests: number; errors: number; lastError: string | null;
}

export interface HealthReport {
  at: number;
  ok: boolean;
  problems: Problem[];
  thresholds: HealthThresholds;
  stores: StoreHealth[];
  buffers: BufferHealth[];
  tiers: TierHealth[];
  devices: DeviceHealthRow[];
  audit: { verified: boolean; ok: boolean | null; checkedAt: string | null; entries: number | null; damage: string | null };
  links: LinkHealth[];
  disk: { path: string; totalBytes: number; freeBytes: number; freePercent: number; watermarkBytes: number | null; writesRefused: boolean } | null;
  process: { pid: number; uptimeSec: number; version: string; node: string; rssBytes: number; heapUsedBytes: number; cpuPercent: number | null };
  /** scheduled backups, null when none are configured */
  backup: ScheduledBackupHealth | null;
}

/** Bytes under a directory (files only, symlinks not followed). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += directoryBytes(p);
    else if (e.isFile()) {
      try { total += fs.statSync(p).size; } catch { /* removed meanwhile */ }
    }
  }
  return total;
}

export class SystemHealth {
  private readonly clock: () => number;
  /** last (written, at) per store, for samples/s between two looks at least a second apart */
  private rates = new Map<string, { written: number; at: number; rate: number | null }>();
  private sizes = new Map<string, { bytes: number; at: number }>();
  /** per store: the tag-limit refusal count last seen and when it last grew */
  private tagLimit = new Map<string, { count: number; grewAt: number | null }>();
  private cpu: { usage: NodeJS.CpuUsage; at: number; percent: number | null } = { usage: process.cpuUsage(), at: Date.now(), percent: null };

  constructor(private readonly src: HealthSources, readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS) {
    this.clock = src.clock ?? Date.now;
  }

  collect(): HealthReport {
    const now = this.clock();
    const problems: Problem[] = [];
    const t = this.thresholds;

    const stores = this.src.stores().map(([name, h]) => this.store(name, h, now));
    for (const s of stores) {
      if (s.corruptBlocks > 0 || s.readErrors > 0) {
        problems.push({ area: 'store', kind: 'store-errors', name: s.name, message: `store "${s.name}": ${s.corruptBlocks} corrupt blocks, ${s.readErrors} read errors` });
      }
      const tl = this.tagLimit.get(s.name);
      if (!tl) this.tagLimit.set(s.name, { count: s.tagLimitRejected, grewAt: s.tagLimitRejected > 0 ? now : null });
      else if (s.tagLimitRejected !== tl.count) { tl.grewAt = s.tagLimitRejected > tl.count ? now : tl.grewAt; tl.count = s.tagLimitRejected; }
      const grewAt = this.tagLimit.get(s.name)!.grewAt;
      if (grewAt !== null && now - grewAt < TAG_LIMIT_WINDOW_MS) {
        problems.push({ area: 'store', kind: 'tag-limit', name: s.name, message: `store "${s.name}": samples of new tags refused by the tag limits in the last ${TAG_LIMIT_WINDOW_MS / 1000} s (${s.tagLimitRejected} since start, ${s.tags} tags)` });
      }
    }

    const buffers: BufferHealth[] = [];
    for (const [name, b] of this.src.buffers()) {
      if (!isBufferComponent(b)) continue;
      const st = b.status();
      const state = st.paused ? 'paused' : st.diskFull ? 'disk-full' : st.connected ? 'sending' : 'disconnected';
      buffers.push({
        name, state, connected: st.connected, pending: st.pending, pendingSamples: st.pendingSamples, oldestAgeMs: st.oldestAgeMs,
        diskBytes: st.diskBytes, sentPerSecond: st.sentPerSecond, retries: st.retries, quarantined: st.quarantined, dropped: st.dropped, lastError: st.lastError, lastErrorAt: st.lastErrorAt ?? null, lastSentAt: st.lastSentAt ?? null,
      });
      if (st.pending > t.bufferPending) {
        problems.push({ area: 'buffer', kind: 'backlog', name, message: `buffer "${name}": ${st.pending} entries pending (threshold ${t.bufferPending})${st.connected ? '' : ', broker not reachable'}` });
      }
      if (st.quarantined > t.bufferFailed) {
        problems.push({ area: 'buffer', kind: 'quarantine', name, message: `buffer "${name}": ${st.quarantined} ${st.quarantined === 1 ? 'entry' : 'entries'} quarantined (threshold ${t.bufferFailed})` });
      }
      if (st.diskFull) problems.push({ area: 'buffer', kind: 'buffer-disk-full', name, message: `buffer "${name}": disk limit reached` });
    }
    buffers.sort((a, b) => a.name.localeCompare(b.name));

    const tiers: TierHealth[] = [];
    for (const [name, m] of this.src.tiers()) {
      const summary = typeof (m as { summary?: unknown }).summary === 'function' ? (m as { summary(): TierSummary }).summary() : null;
      if (!summary) continue;
      const st = summary.status;
      const lastPassErrors = st.lastPass?.errors.length ?? 0;
      tiers.push({
        name, store: summary.store, running: st.running, lastRun: st.lastRun, lastPassErrors, errors: st.errors, lastError: st.lastError,
        remoteBlocks: summary.remote.blocks, remoteBytes: summary.remote.bytes, localBlocks: summary.local.blocks, corrupt: summary.corrupt.length,
      });
      if (lastPassErrors > 0) {
        problems.push({ area: 'tier', kind: 'tier-failing', name, message: `tier mover "${name}": last pass had ${lastPassErrors} errors${st.lastError ? ` (${st.lastError})` : ''}` });
      }
    }

    const devices: DeviceHealthRow[] = [];
    for (const [name, d] of this.src.devices()) {
      if (!isDeviceComponent(d)) continue;
      const h = d.health();
      const downForMs = h.connected ? null : now - (h.lastGoodAt ?? h.since ?? now);
      devices.push({ name, ...h, downForMs });
      if (!h.connected && h.state !== 'idle' && h.state !== 'closed' && downForMs !== null && downForMs > t.deviceDownMs) {
        problems.push({ area: 'device', kind: 'device-down', name, message: `device "${name}" (${h.target}): ${h.state} for ${Math.round(downForMs / 1000)} s${h.lastError ? ` (${h.lastError})` : ''}` });
      }
    }
    devices.sort((a, b) => a.name.localeCompare(b.name));

    const v = this.src.audit();
    const audit = { verified: v !== null, ok: v?.ok ?? null, checkedAt: v?.checkedAt ?? null, entries: v?.entries ?? null, damage: v?.damage?.message ?? null };
    if (v && !v.ok) problems.push({ area: 'audit', kind: 'audit', name: 'audit', message: `audit chain verification failed: ${v.damage?.message ?? 'damaged'}` });

    const links = this.src.links();
    for (const l of links) if (!l.connected) problems.push({ area: 'link', kind: 'link-down', name: l.name, message: `${l.kind} link "${l.name}" is not connected` });

    const disk = this.disk();
    // early warning (percentage) and the watermark below which writes are refused
    if (disk && (disk.freePercent < t.diskFreePercent || disk.writesRefused)) {
      problems.push({ area: 'disk', kind: 'disk', name: disk.path, message: `data disk ${disk.freePercent.toFixed(1)} % free (threshold ${t.diskFreePercent} %)` });
    }
    if (disk?.writesRefused) {
      problems.push({ area: 'disk', kind: 'disk-low', name: disk.path, message: `data disk ${(disk.freeBytes / 1_048_576).toFixed(1)} MB free, below the ${(disk.watermarkBytes! / 1_048_576).toFixed(1)} MB watermark: new writes are refused` });
    }

    const backup = this.src.backup?.() ?? null;
    if (backup?.last && !backup.last.ok) {
      problems.push({ area: 'backup', kind: 'backup-failed', name: backup.dir, message: `scheduled backup into ${backup.dir} failed: ${backup.last.problem ?? 'unknown error'}` });
    }

    return {
      at: now, ok: problems.length === 0, problems, thresholds: t, stores, buffers, tiers, devices, audit, links, disk,
      process: this.processInfo(), backup,
    };
  }

  private store(name: string, h: StoreHandle, now: number): StoreHealth {
    const s = h.store;
    if (!s || h.closed) {
      return { name, open: false, samplesPerSecond: null, series: 0, headSamples: 0, blocks: 0, blockBytes: 0, diskBytes: 0, walSegments: 0, corruptBlocks: 0, readErrors: 0, rejected: 0, tags: 0, tagLimitRejected: 0 };
    }
    const st = s.stats();
    const prev = this.rates.get(name);
    let rate = prev?.rate ?? null;
    if (!prev) this.rates.set(name, { written: st.written, at: now, rate: null });
    else if (now - prev.at >= 1000) {
      rate = Math.max(0, (st.written - prev.written) / ((now - prev.at) / 1000));
      this.rates.set(name, { written: st.written, at: now, rate });
    }
    return {
      name, open: true, samplesPerSecond: rate, series: st.series, headSamples: st.headSamples, blocks: st.blocks, blockBytes: st.blockBytes,
      diskBytes: this.diskUse(s.dir, now), walSegments: st.walSegments, corruptBlocks: st.corruptBlocks, readErrors: st.readErrors, rejected: st.rejected,
      tags: st.tags, tagLimitRejected: st.tagLimitRejected,
    };
  }

  /** Directory sizes walk every file: keep them for a while (pages poll every few seconds). */
  private diskUse(dir: string, now: number): number {
    const hit = this.sizes.get(dir);
    if (hit && now - hit.at < DISK_USE_TTL_MS && now >= hit.at) return hit.bytes;
    const bytes = directoryBytes(dir);
    this.sizes.set(dir, { bytes, at: now });
    return bytes;
  }

  private disk(): HealthReport['disk'] {
    if (this.src.disk) {
      const d = this.src.disk.state();
      if (d.totalBytes <= 0) return null;
      return { path: d.path, totalBytes: d.totalBytes, freeBytes: d.freeBytes, freePercent: (d.freeBytes / d.totalBytes) * 100, watermarkBytes: d.watermarkBytes, writesRefused: d.low };
    }
    try {
      const fsStat = fs.statfsSync(this.src.dataDir);
      const total = fsStat.blocks * fsStat.bsize;
      const free = fsStat.bavail * fsStat.bsize;
      return { path: this.src.dataDir, totalBytes: total, freeBytes: free, freePercent: total > 0 ? (free / total) * 100 : 100, watermarkBytes: null, writesRefused: false };
    } catch {
      return null;
    }
  }

  private processInfo(): HealthReport['process'] {
    const now = Date.now();
    const usage = process.cpuUsage();
    const dt = now - this.cpu.at;
    if (dt >= 1000) {
      const used = (usage.user - this.cpu.usage.user + usage.system - this.cpu.usage.system) / 1000;
      this.cpu = { usage, at: now, percent: (used / dt) * 100 };
    }
    const mem = process.memoryUsage();
    return {
      pid: process.pid, uptimeSec: Math.round(process.uptime()), version: this.src.version, node: process.version,
      rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, cpuPercent: this.cpu.percent,
    };
  }
}
