// The health report and the built-in system alarms over the real alarm service (SQLite
// in a temp dir): each problem kind raises its ISA-18.2 alarm and clearing the condition
// returns it to normal; thresholds come from the configuration, not constants.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmService } from '../../../runtime/alarm/service';
import type { BufferStatus } from '../../../runtime/buffer/component';
import type { DeviceHealth } from '../../../runtime/devices/health';
import { SystemAlarmMonitor } from '../../../runtime/health/system-alarms';
import { DEFAULT_THRESHOLDS, SystemHealth, type HealthSources, type HealthThresholds, type ScheduledBackupHealth } from '../../../runtime/health/system-health';

const dirs: string[] = [];
const open: AlarmService[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function bufferStatus(over: Partial<BufferStatus> = {}): BufferStatus {
  return {
    connected: true, paused: false, pending: 0, pendingSamples: 0, inFlight: 0, ramBytes: 0, diskBytes: 0, oldestAgeMs: 0, sent: 0,
    sentSamples: 0, sentPerSecond: 0, retries: 0, quarantined: 0, dropped: 0, droppedSamples: 0, diskFull: false, blocked: 0, lastError: null, ...over,
  };
}

function setup(thresholds: Partial<HealthThresholds> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hist-sysalarm-'));
  dirs.push(dir);
  const clock = { now: Date.UTC(2026, 11, 5, 12, 0, 0) };
  const alarms = new AlarmService({ db: join(dir, 'alarms.db'), clock: () => clock.now });
  open.push(alarms);
  const buf = { st: bufferStatus() };
  const dev: { h: DeviceHealth } = { h: { kind: 'modbus-tcp', target: '127.0.0.1:502 unit 1', state: 'connected', connected: true, since: clock.now, lastGoodAt: clock.now, requests: 10, errors: 0, lastError: null } };
  const tier = { lastPass: null as null | { errors: unknown[] }, lastError: null as string | null };
  const backup = { status: null as ScheduledBackupHealth | null };
  const src: HealthSources = {
    stores: () => [],
    buffers: () => [['uplink', { status: () => buf.st, quarantined: () => [], replayQuarantine: async () => 0, purgeQuarantine: () => 0 }]],
    tiers: () => [['archive', { summary: () => ({ store: 'default', bucket: 'b', prefix: 'p/', local: { blocks: 1, bytes: 1 }, remote: { blocks: 2, bytes: 2 }, cache: {}, corrupt: [],
      status: { store: 'default', running: false, lastRun: clock.now, lastPass: tier.lastPass, blocksMoved: 0, bytesMoved: 0, errors: tier.lastPass?.errors.length ?? 0, lastError: tier.lastError } }) }]],
    devices: () => [['plc1', { health: () => dev.h }]],
    audit: () => ({ ok: true, checkedAt: new Date(clock.now).toISOString(), entries: 3, damage: null }),
    links: () => [],
    dataDir: dir, version: 'test', clock: () => clock.now, backup: () => backup.status,
  };
  const health = new SystemHealth(src, { ...DEFAULT_THRESHOLDS, diskFreePercent: 0, ...thresholds });
  const monitor = new SystemAlarmMonitor(health, alarms, { intervalMs: 0 });
  const state = (kind: string) => alarms.get(`sys.historian.health.${kind}:DISCRETE`)!;
  return { clock, alarms, buf, dev, tier, backup, health, monitor, state, src };
}

describe('system alarms', () => {
  it('defines one alarm per condition in the alarm service, normal while all is well', () => {
    const s = setup();
    const r = s.monitor.check()!;
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    for (const id of SystemAlarmMonitor.ALARM_IDS) expect(s.alarms.get(id)?.state, id).toBe('A');
    expect(s.state('buffer_backlog').message).toContain('above 100 entries');
  });

  it('raises the backlog alarm above the pending threshold and returns to normal below it', () => {
    const s = setup({ bufferPending: 100 });
    s.buf.st = bufferStatus({ pending: 100, connected: false });
    s.monitor.check();
    expect(s.state('buffer_backlog').state).toBe('A'); // "above": 100 is not
    s.buf.st = bufferStatus({ pending: 101, pendingSamples: 5050, connected: false, oldestAgeMs: 30_000 });
    s.clock.now += 1000;
    const r = s.monitor.check()!;
    expect(r.problems).toEqual([expect.objectContaining({ area: 'buffer', kind: 'backlog', name: 'uplink' })]);
    expect(r.buffers[0]).toMatchObject({ state: 'disconnected', pending: 101, oldestAgeMs: 30_000 });
    expect(s.state('buffer_backlog')).toMatchObject({ state: 'B', conditionActive: true });
    s.buf.st = bufferStatus({ pending: 0 });
    s.clock.now += 1000;
    s.monitor.check();
    expect(s.state('buffer_backlog')).toMatchObject({ state: 'D', conditionActive: false });
  });

  it('uses the configured thresholds (pending 5, failed 2)', () => {
    const s = setup({ bufferPending: 5, bufferFailed: 2 });
    s.buf.st = bufferStatus({ pending: 6, quarantined: 2 });
    s.monitor.check();
    expect(s.state('buffer_backlog').state).toBe('B');
    expect(s.state('buffer_quarantine').state).toBe('A');
    s.buf.st = bufferStatus({ pending: 6, quarantined: 3 });
    s.clock.now += 1000;
    s.monitor.check();
    expect(s.state('buffer_quarantine').state).toBe('B');
    expect(s.state('buffer_quarantine').message).toContain('more than 2');
  });

  it('raises device-down only after the device has been down longer than the threshold', () => {
    const s = setup({ deviceDownMs: 60_000 });
    const t0 = s.clock.now;
    s.dev.h = { ...s.dev.h, state: 'disconnected', connected: false, since: t0, lastGoodAt: t0, lastError: 'ECONNREFUSED' };
    s.clock.now = t0 + 59_000;
    s.monitor.check();
    expect(s.state('device_down').state).toBe('A');
    s.clock.now = t0 + 61_000;
    const r = s.monitor.check()!;
    expect(r.devices[0]).toMatchObject({ name: 'plc1', downForMs: 61_000 });
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining('device "plc1"')]);
    expect(s.state('device_down').state).toBe('B');
  });

  it('raises tier-failing when the last pass had errors, disk-full below the free threshold', () => {
    const s = setup({ diskFreePercent: 100 });
    s.tier.lastPass = { errors: [{ blockId: 'x', step: 'upload', message: 'connection refused' }] };
    s.tier.lastError = 'block x: upload: connection refused';
    const r = s.monitor.check()!;
    expect(r.problems.map((p) => p.kind).sort()).toEqual(['disk', 'tier-failing']);
    expect(s.state('tier_failing').state).toBe('B');
    expect(s.state('disk_full').state).toBe('B');
  });

  it('raises backup-failed while the last scheduled backup failed, normal again after one that worked', () => {
    const s = setup();
    const sched = { dir: '/mnt/backups', everyHours: 24, keep: 7, nextAt: s.clock.now + 3_600_000, running: false };
    s.backup.status = { ...sched, last: { at: s.clock.now, ok: false, file: null, archiveBytes: 0, problem: 'ENOSPC: no space left on device' } };
    let r = s.monitor.check()!;
    expect(r.backup).toMatchObject({ dir: '/mnt/backups', last: { ok: false } });
    expect(r.problems).toEqual([{ area: 'backup', kind: 'backup-failed', name: '/mnt/backups', message: 'scheduled backup into /mnt/backups failed: ENOSPC: no space left on device' }]);
    expect(s.state('backup_failed').state).toBe('B');
    expect(s.state('backup_failed').message).toBe('Scheduled backup failed');
    s.backup.status = { ...sched, last: { at: s.clock.now + 3_600_000, ok: true, file: '/mnt/backups/a.tar.gz', archiveBytes: 1000, problem: null } };
    s.clock.now += 3_600_000;
    r = s.monitor.check()!;
    expect(r.ok).toBe(true);
    expect(s.state('backup_failed').state).not.toBe('B');
  });

  it('a failing source is reported, not thrown out of the timer', () => {
    const s = setup();
    const errors: unknown[] = [];
    const m = new SystemAlarmMonitor(new SystemHealth({ ...s.src, buffers: () => { throw new Error('boom'); } }), s.alarms, { intervalMs: 0, onError: (e) => errors.push(e) });
    expect(m.check()).toBeNull();
    expect(String(errors[0])).toContain('boom');
  });
});
