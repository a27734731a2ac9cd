// The alarm service of the running process: one SQLite file in the data directory,
// opened at start-up whatever flows are deployed (alarm states and the journal must not
// depend on a flow), shared by every isa-alarm node and the HTTP API, closed at shutdown.
// It owns the one timer that fires on/off-delays, re-alarms and shelve expiry between
// samples; the domain service itself never schedules anything.
import fs from 'node:fs';
import path from 'node:path';
import { services } from '../registry';
import type { AlarmPolicy } from './policy';
import { AlarmService } from './service';
import type { Transition } from './transition';

export const ALARM_DB_FILE = 'alarms.db';
export const TICK_MS = 1000;

export interface ProcessAlarmOptions {
  dataDir: string;
  clock?: () => number;
  policy?: Partial<AlarmPolicy>;
  /** period of tick(); default 1 s (0 disables the timer, for tests that tick by hand) */
  tickMs?: number;
  /** where a failing tick or listener is reported; default console.error */
  onError?: (err: unknown) => void;
}

export class ProcessAlarmService extends AlarmService {
  readonly file: string;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly report: (err: unknown) => void;

  constructor(opts: ProcessAlarmOptions) {
    if (!opts || typeof opts.dataDir !== 'string' || opts.dataDir === '') throw new Error('dataDir: must be a directory path');
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const file = path.join(opts.dataDir, ALARM_DB_FILE);
    const report = opts.onError ?? ((err: unknown) => console.error('alarm service:', err));
    super({
      db: file, clock: opts.clock, policy: opts.policy,
      onListenerError: (err: unknown, t: Transition) => report(new Error(`transition listener failed on ${t.alarmId} ${t.from}->${t.to}: ${String((err as Error)?.message ?? err)}`)),
    });
    this.file = file;
    this.report = report;
    const period = opts.tickMs ?? TICK_MS;
    if (!(Number.isInteger(period) && period >= 0)) throw new Error(`tickMs: must be a non-negative integer (got ${String(period)})`);
    if (period > 0) {
      this.timer = setInterval(() => {
        try {
          this.tick();
        } catch (e) {
          this.report(e);
        }
      }, period);
      this.timer.unref();
    }
  }

  get isClosed(): boolean { return this.closed; }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    super.close();
    if (current() === this) setProcessAlarmService(null);
  }
}

// The open service is a slot of the process registry (runtime/registry), shared by the
// server's routes and the isa-alarm nodes.
function current(): ProcessAlarmService | null {
  return services().alarmService;
}

/** Opens `<dataDir>/alarms.db`, starts the tick timer and makes it the process service. */
export function openProcessAlarmService(opts: ProcessAlarmOptions): ProcessAlarmService {
  const existing = current();
  if (existing && !existing.isClosed) throw new Error(`an alarm service is already open (${existing.file}); close it first`);
  const svc = new ProcessAlarmService(opts);
  setProcessAlarmService(svc);
  return svc;
}

export function setProcessAlarmService(svc: ProcessAlarmService | null): void {
  services().alarmService = svc;
}

/** The process alarm service, or null before start-up / after shutdown. */
export function processAlarmService(): ProcessAlarmService | null {
  const svc = current();
  return svc && !svc.isClosed ? svc : null;
}
