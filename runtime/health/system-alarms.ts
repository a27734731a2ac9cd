// Built-in system alarms: the health report's problems become ISA-18.2 alarms in the
// process alarm service (not flows), so they show in the alarm console and banner, are
// acknowledged and shelved like any other alarm and land in the alarm journal. Each alarm
// watches a discrete system tag (sys.historian.health.<kind>) that the monitor writes 1
// while the condition holds and 0 once it clears.
import type { Sample } from '../model';
import type { HealthReport, ProblemKind, SystemHealth } from './system-health';

/** The part of the alarm service the monitor needs (ProcessAlarmService has it). */
export interface AlarmSink {
  configure(group: string, definitions: readonly unknown[]): unknown;
  evaluate(samples: readonly Sample[]): unknown;
}

export const SYSTEM_ALARM_GROUP = 'system-health';

interface SystemAlarmSpec { kind: ProblemKind; id: string; tag: string; priority: 'low' | 'medium' | 'high' | 'urgent'; message: (r: HealthReport) => string; consequence: string; correctiveAction: string }

const SPECS: SystemAlarmSpec[] = [
  {
    kind: 'backlog', id: 'sys.historian.health.buffer_backlog:DISCRETE', tag: 'sys.historian.health.buffer_backlog', priority: 'high',
    message: (r) => `Store-and-forward backlog above ${r.thresholds.bufferPending} entries`,
    consequence: 'Data is not reaching the central historian; the local buffer fills and may drop or block at its disk limit',
    correctiveAction: 'Open System health, check the broker link of the buffer, restore the NATS/MQTT connection',
  },
  {
    kind: 'quarantine', id: 'sys.historian.health.buffer_quarantine:DISCRETE', tag: 'sys.historian.health.buffer_quarantine', priority: 'high',
    message: (r) => `Store-and-forward entries quarantined (more than ${r.thresholds.bufferFailed})`,
    consequence: 'The broker refused these entries for good; their samples are not forwarded until replayed',
    correctiveAction: 'Open System health, read the quarantine reasons, fix the cause (stream, permissions), then replay or purge',
  },
  {
    kind: 'disk', id: 'sys.historian.health.disk_full:DISCRETE', tag: 'sys.historian.health.disk_full', priority: 'urgent',
    message: (r) => `Data disk nearly full (less than ${r.thresholds.diskFreePercent} % free)`,
    consequence: 'Writes, buffers and the audit trail stop when the disk is full',
    correctiveAction: 'Free disk space, shorten retention or enable the cold tier',
  },
  {
    kind: 'disk-low', id: 'sys.historian.health.disk_writes_refused:DISCRETE', tag: 'sys.historian.health.disk_writes_refused', priority: 'urgent',
    message: () => 'Data disk below the low-space watermark: new writes refused',
    consequence: 'Samples are not recorded (HTTP ingest answers 507, historian-write nodes report an error); reads, logins and the dashboard keep working',
    correctiveAction: 'Free disk space, shorten retention or enable the cold tier; writes resume by themselves once space is back',
  },
  {
    kind: 'tag-limit', id: 'sys.historian.health.tag_limit:DISCRETE', tag: 'sys.historian.health.tag_limit', priority: 'high',
    message: () => 'Samples of new tags refused by the tag limits (cardinality)',
    consequence: 'Samples of the refused tags are not recorded; existing tags keep recording',
    correctiveAction: 'Open System health to see the store; find the gateway creating tags (a timestamp or serial number in the tag path?) or raise HISTORIAN_MAX_TAGS / HISTORIAN_MAX_NEW_TAGS_PER_MINUTE',
  },
  {
    kind: 'device-down', id: 'sys.historian.health.device_down:DISCRETE', tag: 'sys.historian.health.device_down', priority: 'high',
    message: (r) => `Device connection down longer than ${Math.round(r.thresholds.deviceDownMs / 1000)} s`,
    consequence: 'Tags of the device are BAD_NOT_CONNECTED and not recorded',
    correctiveAction: 'Open System health to see which device; check power, network and the device address',
  },
  {
    kind: 'backup-failed', id: 'sys.historian.health.backup_failed:DISCRETE', tag: 'sys.historian.health.backup_failed', priority: 'medium',
    message: () => 'Scheduled backup failed',
    consequence: 'No new archive in the backup directory: a lost disk would lose the data since the last good one',
    correctiveAction: 'Open System health for the error; check the backup directory (mounted, writable, room) and the data disk\'s free space; the next try is within the hour',
  },
  {
    kind: 'tier-failing', id: 'sys.historian.health.tier_failing:DISCRETE', tag: 'sys.historian.health.tier_failing', priority: 'medium',
    message: () => 'Tier mover failing: the last pass had errors',
    consequence: 'Old blocks stay on the local disk, which keeps filling',
    correctiveAction: 'Open System health for the error; check the object store endpoint, bucket and credentials',
  },
];

export interface SystemAlarmOptions {
  /** how often the health is looked at (default 5 s; 0 = only when check() is called) */
  intervalMs?: number;
  onError?: (e: unknown) => void;
}

export class SystemAlarmMonitor {
  private timer: NodeJS.Timeout | null = null;
  private last: HealthReport | null = null;

  constructor(private readonly health: SystemHealth, private readonly alarms: AlarmSink, private readonly opts: SystemAlarmOptions = {}) {
    // Thresholds are fixed for the life of the process, so the messages can name them.
    const probe = { thresholds: health.thresholds } as HealthReport;
    alarms.configure(SYSTEM_ALARM_GROUP, SPECS.map((s) => ({
      id: s.id, tag: s.tag, type: 'DISCRETE', equals: 1, priority: s.priority,
      message: s.message(probe), consequence: s.consequence, correctiveAction: s.correctiveAction,
    })));
  }

  /** Ids of the alarms the monitor owns. */
  static readonly ALARM_IDS: readonly string[] = SPECS.map((s) => s.id);

  start(): this {
    const every = this.opts.intervalMs ?? 5000;
    this.check();
    if (every > 0) {
      this.timer = setInterval(() => this.check(), every);
      this.timer.unref();
    }
    return this;
  }

  /** Looks at the health now and feeds every system tag to the alarm service. */
  check(): HealthReport | null {
    try {
      const r = this.health.collect();
      const active = new Set(r.problems.map((p) => p.kind));
      const samples: Sample[] = SPECS.map((s) => ({ tag: s.tag, ts: r.at, value: active.has(s.kind) ? 1 : 0, quality: 0 }));
      this.alarms.evaluate(samples);
      this.last = r;
      return r;
    } catch (e) {
      (this.opts.onError ?? ((err: unknown) => console.error('system alarms:', err)))(e);
      return null;
    }
  }

  get lastReport(): HealthReport | null { return this.last; }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
