// Polls a Logix controller: each poll group runs on its own drift-free scheduler (the
// shared timebase of runtime/devices/scheduler.ts), reads its packed plan through the
// shared connection, scales and deadband-filters the values and hands a batch of samples
// to `emit`. Connection loss marks every tag BAD_NOT_CONNECTED exactly once; the first good
// read after recovery reports GOOD again.
import { QUALITY_CODES, type Sample } from '../../model';
import { systemClock, type Clock } from '../clock';
import { DeadbandFilter } from '../deadband';
import { PeriodicScheduler, type TickInfo } from '../scheduler';
import { CipError, STATUS } from './cip';
import type { EipConnection } from './connection';
import { planEipReads, type ReadRequestPlan } from './planner';
import { executeReadPlan } from './reader';
import { sampleTags, type EipTag, type PollGroup } from './tag-table';

const { BAD_NOT_CONNECTED, GOOD } = QUALITY_CODES;

/** CIP status of one tag → quality: a tag, member or index that does not exist is a configuration error. */
export function cipQuality(e: CipError): number {
  if (e.status === STATUS.PATH_SEGMENT_ERROR || e.status === STATUS.PATH_DESTINATION_UNKNOWN || e.status === STATUS.GENERAL_ERROR || e.status === STATUS.SERVICE_NOT_SUPPORTED) return QUALITY_CODES.BAD_CONFIG_ERROR;
  return QUALITY_CODES.BAD_COMM_FAILURE;
}

export interface EipGroupStats {
  name: string;
  periodMs: number;
  tags: number;
  requests: number;
  polls: number;
  overruns: number;
  skipped: number;
}

interface GroupRun {
  group: PollGroup;
  tags: EipTag[];
  plan: ReadRequestPlan[];
  scheduler: PeriodicScheduler;
  busy: boolean;
  stats: EipGroupStats;
}

export interface EipPollerOptions {
  connection: EipConnection;
  groups: PollGroup[];
  tags: EipTag[];
  emit: (samples: Sample[]) => void;
  warn?: (message: string) => void;
  /** default true: Multiple Service Packet */
  coalesce?: boolean;
  clock?: Clock;
}

export class EipPoller {
  private readonly runs: GroupRun[];
  private readonly filter = new DeadbandFilter();
  private readonly clock: Clock;
  private readonly onState: (s: string) => void;
  private readonly warned = new Set<string>();
  private started = false;
  samples = 0;

  constructor(private readonly o: EipPollerOptions) {
    this.clock = o.clock ?? systemClock;
    const maxPacket = o.connection.target.maxPacket;
    this.runs = o.groups.map((g) => {
      const tags = o.tags.filter((t) => t.group === g.name);
      const plan = planEipReads(tags, { maxPacket, coalesce: o.coalesce });
      const run: GroupRun = {
        group: g, tags, plan, busy: false,
        scheduler: new PeriodicScheduler(g.periodMs, (t) => this.tick(run, t), this.clock),
        stats: { name: g.name, periodMs: g.periodMs, tags: tags.length, requests: plan.length, polls: 0, overruns: 0, skipped: 0 },
      };
      return run;
    }).filter((r) => r.tags.length > 0);
    this.onState = (s) => {
      if (s === 'disconnected') this.markAll(BAD_NOT_CONNECTED);
    };
  }

  plans(): Array<{ group: string; requests: Array<{ kind: string; tags: string[] }> }> {
    return this.runs.map((r) => ({ group: r.group.name, requests: r.plan.map((p) => ({ kind: p.kind, tags: p.reads.map((x) => x.tag.address) })) }));
  }

  stats(): EipGroupStats[] {
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

  /** Polls one group now, outside its schedule (the benchmark and tests use it). */
  async pollOnce(groupName?: string): Promise<void> {
    for (const r of this.runs) {
      if (groupName && r.group.name !== groupName) continue;
      const out = await this.poll(r, this.clock.now());
      if (out.length) this.deliver(out);
    }
  }

  private push(out: Sample[], tag: string, value: number, quality: number, deadband: number, ts: number): void {
    if (this.filter.pass(tag, value, quality, deadband)) out.push({ tag, ts, value, quality });
  }

  private markAll(quality: number, runs: GroupRun[] = this.runs): void {
    const ts = this.clock.now();
    const out: Sample[] = [];
    for (const r of runs) for (const t of r.tags) for (const name of sampleTags(t)) {
      if (this.filter.lastQuality(name) === quality) continue;
      this.push(out, name, this.filter.lastValue(name) ?? 0, quality, 0, ts);
    }
    if (out.length) this.deliver(out);
  }

  private deliver(samples: Sample[]): void {
    this.samples += samples.length;
    this.o.emit(samples);
  }

  private tick(run: GroupRun, t: TickInfo): void {
    if (run.busy) {
      run.stats.overruns++;
      return;
    }
    const conn = this.o.connection;
    if (conn.state !== 'connected') {
      if (conn.state === 'disconnected') this.markAll(BAD_NOT_CONNECTED, [run]);
      return;
    }
    run.busy = true;
    void this.poll(run, t.actual).then((out) => { if (out.length && this.started) this.deliver(out); }).catch(() => { /* link failure: the state change marks the tags */ }).finally(() => { run.busy = false; });
  }

  private async poll(run: GroupRun, ts: number): Promise<Sample[]> {
    run.stats.polls++;
    const out: Sample[] = [];
    for (const p of run.plan) {
      const results = await executeReadPlan(this.o.connection, p);
      for (const res of results) {
        const t = res.read.tag;
        const names = sampleTags(t);
        if ('error' in res) {
          const q = cipQuality(res.error);
          if (!this.warned.has(t.tag)) { this.warned.add(t.tag); this.o.warn?.(res.error.message); }
          for (const name of names) if (this.filter.lastQuality(name) !== q) this.push(out, name, this.filter.lastValue(name) ?? 0, q, 0, ts);
          continue;
        }
        this.warned.delete(t.tag);
        res.values.forEach((raw, i) => {
          const value = t.type === 'bool' ? raw : raw * t.scale + t.offset;
          if (Number.isFinite(value)) this.push(out, names[i], value, GOOD, t.deadband, ts);
        });
      }
    }
    return out;
  }
}
