// Polls one device: each poll group runs on its own drift-free scheduler, reads its
// coalesced plan through the shared connection, decodes, scales and deadband-filters the
// values and hands a batch of samples to `emit`. Connection loss marks every tag
// BAD_NOT_CONNECTED exactly once; the first good read after recovery reports GOOD again
// (a quality change always passes the deadband).
import { QUALITY_CODES, type Sample } from '../../model';
import { systemClock, type Clock } from '../clock';
import { DeadbandFilter } from '../deadband';
import { PeriodicScheduler, type TickInfo } from '../scheduler';
import type { ModbusConnection } from './connection';
import { decodeRegisters } from './datatypes';
import { planReads, type PlanOptions, type ReadPlan } from './planner';
import type { ModbusTag, PollGroup } from './tag-table';
import { ModbusExceptionError } from './transport';

const BAD_NOT_CONNECTED = QUALITY_CODES.BAD_NOT_CONNECTED;
const GOOD = QUALITY_CODES.GOOD;

/** Modbus exception codes → quality: 2 illegal address / 3 illegal value are configuration errors. */
export function exceptionQuality(code: number): number {
  if (code === 2 || code === 3 || code === 1) return QUALITY_CODES.BAD_CONFIG_ERROR;
  if (code === 4) return QUALITY_CODES.BAD_DEVICE_FAILURE;
  return QUALITY_CODES.BAD_COMM_FAILURE;
}

export interface GroupStats {
  name: string;
  periodMs: number;
  tags: number;
  reads: number;
  polls: number;
  /** polls skipped because the previous one of the group was still running */
  overruns: number;
  /** slots the scheduler skipped (late wake-ups) */
  skipped: number;
  /** lateness of each poll vs. its slot (ms), last 10,000 */
  lateness: number[];
}

interface GroupRun {
  group: PollGroup;
  tags: ModbusTag[];
  plan: ReadPlan[];
  scheduler: PeriodicScheduler;
  busy: boolean;
  stats: GroupStats;
}

export interface PollerOptions extends PlanOptions {
  connection: ModbusConnection;
  groups: PollGroup[];
  tags: ModbusTag[];
  emit: (samples: Sample[]) => void;
  /** reports a non-fatal problem (a read answered with an exception) */
  warn?: (message: string) => void;
  clock?: Clock;
}

export class ModbusPoller {
  private runs: GroupRun[];
  private readonly filter = new DeadbandFilter();
  private readonly clock: Clock;
  private readonly onState: (s: string) => void;
  private started = false;
  samples = 0;
  registers = 0;

  constructor(private readonly o: PollerOptions) {
    this.clock = o.clock ?? systemClock;
    this.runs = o.groups.map((g) => {
      const tags = o.tags.filter((t) => t.group === g.name);
      const run: GroupRun = {
        group: g, tags, plan: planReads(tags, o), busy: false,
        scheduler: new PeriodicScheduler(g.periodMs, (t) => this.tick(run, t), this.clock),
        stats: { name: g.name, periodMs: g.periodMs, tags: tags.length, reads: 0, polls: 0, overruns: 0, skipped: 0, lateness: [] },
      };
      run.stats.reads = run.plan.length;
      return run;
    }).filter((r) => r.tags.length > 0);
    this.onState = (s) => {
      if (s === 'disconnected') this.markAll(BAD_NOT_CONNECTED);
    };
  }

  /** Read requests per poll of each group (after coalescing). */
  plans(): Array<{ group: string; reads: ReadPlan[] }> {
    return this.runs.map((r) => ({ group: r.group.name, reads: r.plan }));
  }

  stats(): GroupStats[] {
    return this.runs.map((r) => ({ ...r.stats, skipped: r.scheduler.skipped }));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.connection.on('state', this.onState);
    this.o.connection.start();
    const now = this.clock.now();
    for (const r of this.runs) r.scheduler.begin(now);
  }

  stop(): void {
    this.started = false;
    this.o.connection.off('state', this.onState);
    for (const r of this.runs) r.scheduler.stop();
  }

  /** Emits `quality` for every tag not already in it (value: the last one known, else 0). */
  private markAll(quality: number, runs: GroupRun[] = this.runs): void {
    const ts = this.clock.now();
    const out: Sample[] = [];
    for (const r of runs) {
      for (const t of r.tags) {
        if (this.filter.lastQuality(t.tag) === quality) continue;
        const value = this.filter.lastValue(t.tag) ?? 0;
        this.filter.pass(t.tag, value, quality, 0);
        out.push({ tag: t.tag, ts, value, quality });
      }
    }
    if (out.length) this.deliver(out);
  }

  private deliver(samples: Sample[]): void {
    this.samples += samples.length;
    this.o.emit(samples);
  }

  private tick(run: GroupRun, t: TickInfo): void {
    const s = run.stats;
    if (s.lateness.length >= 10_000) s.lateness.shift();
    s.lateness.push(t.actual - t.scheduled);
    if (run.busy) {
      s.overruns++;
      return;
    }
    const conn = this.o.connection;
    if (conn.state !== 'connected') {
      // Tags that never had a value (device down at start) are marked here, once; while the
      // first connection attempt is still running there is nothing to report yet.
      if (conn.state === 'disconnected') this.markAll(BAD_NOT_CONNECTED, [run]);
      return;
    }
    run.busy = true;
    s.polls++;
    void this.poll(run, t.actual).finally(() => {
      run.busy = false;
    });
  }

  private async poll(run: GroupRun, ts: number): Promise<void> {
    const out: Sample[] = [];
    for (const p of run.plan) {
      let words: number[];
      try {
        words = await this.o.connection.read(p.register, p.address, p.count);
      } catch (e) {
        if (e instanceof ModbusExceptionError) {
          this.o.warn?.(`${p.register} ${p.address}+${p.count}: ${e.message}`);
          const q = exceptionQuality(e.code);
          for (const { tag } of p.items) {
            if (this.filter.lastQuality(tag.tag) === q) continue;
            const value = this.filter.lastValue(tag.tag) ?? 0;
            this.filter.pass(tag.tag, value, q, 0);
            out.push({ tag: tag.tag, ts, value, quality: q });
          }
          continue;
        }
        // Link failure: the connection's state change marks every tag BAD once.
        break;
      }
      this.registers += p.count;
      for (const { tag, offset } of p.items) {
        const raw = decodeRegisters(words, offset, tag);
        const value = tag.type === 'bool' || tag.type === 'bit' ? raw : raw * tag.scale + tag.offset;
        if (!Number.isFinite(value)) continue; // NaN/Inf float patterns are not samples
        if (this.filter.pass(tag.tag, value, GOOD, tag.deadband)) out.push({ tag: tag.tag, ts, value, quality: GOOD });
      }
    }
    if (out.length && this.started) this.deliver(out);
  }
}
