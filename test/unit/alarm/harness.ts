// A service on a temp SQLite file with a simulated clock, for the alarm tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlarmService, type AlarmPolicy, type Transition } from '../../../runtime/alarm';
import { qualityCode, type Sample } from '../../../runtime/model';

export const T0 = Date.UTC(2025, 0, 1, 8, 0, 0);
export const OP = { user: 'olga', role: 'OPERATOR' } as const;
export const ENG = { user: 'emre', role: 'ENGINEER' } as const;

export interface Harness {
  svc: AlarmService;
  path: string;
  dir: string;
  now(): number;
  /** moves the clock to `t` without ticking */
  at(t: number): void;
  /** advances the clock by `ms` and ticks */
  tickBy(ms: number): Transition[];
  /** one sample at the current clock time (or `ts`) */
  feed(tag: string, value: number, opts?: { ts?: number; quality?: string }): Transition[];
  seen: Transition[];
  /** closes the service and opens a new one on the same file, as after a process restart */
  restart(configure?: (svc: AlarmService) => void): void;
  close(): void;
}

export function harness(defs: unknown[], opts: { policy?: Partial<AlarmPolicy>; group?: string; dir?: string } = {}): Harness {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'alarm-test-'));
  const path = join(dir, 'alarms.db');
  let now = T0;
  const seen: Transition[] = [];
  const open = () => {
    const svc = new AlarmService({ db: path, clock: () => now, policy: opts.policy });
    svc.onTransition((t) => seen.push(t));
    return svc;
  };
  const h: Harness = {
    svc: open(),
    path,
    dir,
    seen,
    now: () => now,
    at: (t) => { now = t; },
    tickBy: (ms) => { now += ms; return h.svc.tick(now); },
    feed: (tag, value, o = {}) => {
      const s: Sample = { tag, ts: o.ts ?? now, value, quality: o.quality ? qualityCode(o.quality) : 0 };
      return h.svc.evaluate([s]);
    },
    restart: (configure) => {
      h.svc.close();
      h.svc = open();
      if (configure) configure(h.svc);
      else h.svc.configure(opts.group ?? 'g', defs);
    },
    close: () => {
      h.svc.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  h.svc.configure(opts.group ?? 'g', defs);
  return h;
}

export function hi(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, tag: `plant.unit1.${id}`, type: 'HI', setpoint: 100, priority: 'high', message: `${id} high`, ...extra };
}
