// What every polling device driver (Modbus, EtherNet/IP) shares: each poll group runs on its
// own drift-free scheduler (the shared timebase of scheduler.ts), a poll that is still
// running when its next slot comes counts as an overrun instead of queueing up, values pass
// a deadband filter (a quality change always passes), and connection loss marks every tag
// BAD_NOT_CONNECTED exactly once; the first good read after recovery reports GOOD again.
// A protocol's poller supplies the read plan of a group and how one poll reads it.
import { QUALITY_CODES, type Sample } from '../model';
import { systemClock, type Clock } from './clock';
import { DeadbandFilter } from './deadband';
import type { LinkState } from './device-session';
import type { PollGroup } from './poll-group';
import { PeriodicScheduler, type TickInfo } from './scheduler';

const { BAD_NOT_CONNECTED } = QUALITY_CODES;

/** The connection as a poller sees it (DeviceSession). */
export interface PolledLink {
  readonly state: LinkState;
  start(): void;
  on(event: 'state', fn: (s: string) => void): unknown;
  off(event: 'state', fn: (s: string) => void): unknown;
}

export interface BaseGroupStats {
  name: string;
  periodMs: number;
  tags: number;
  polls: number;
  /** polls skipped because the previous one of the group was still running */
  overruns: number;
  /** slots the scheduler skipped (late wake-ups) */
  skipped: number;
}

export interface GroupRun<T, P, S extends BaseGroupStats> {
  group: PollGroup;
  tags: T[];
  plan: P[];
  scheduler: PeriodicScheduler;
  busy: boolean;
  stats: S;
}

export interface GroupPollerOptions<T> {
  connection: PolledLink;
  groups: PollGroup[];
  tags: T[];
  emit: (samples: Sample[]) => void;
  clock?: Clock;
}

/** What a protocol tells the shared poller, fixed at construction. */
export interface GroupPollerSpec<T, P, S extends BaseGroupStats> {
  /** the read requests of one group's tags */
  plan(tags: T[]): P[];
  /** the group's counters as first reported */
  stats(base: BaseGroupStats, plan: P[]): S;
  /** the historian tags one table row produces */
  sampleTags(t: T): string[];
  /** called on every slot of the group, before anything else (e.g. lateness statistics) */
  onTick?(run: GroupRun<T, P, S>, t: TickInfo): void;
}

export abstract class GroupPoller<T extends { group: string }, P, S extends BaseGroupStats> {
  protected readonly runs: GroupRun<T, P, S>[];
  protected readonly filter = new DeadbandFilter();
  protected readonly clock: Clock;
  private readonly onState: (s: string) => void;
  private started = false;
  samples = 0;

  constructor(private readonly base: GroupPollerOptions<T>, private readonly spec: GroupPollerSpec<T, P, S>) {
    this.clock = base.clock ?? systemClock;
    this.runs = base.groups.map((g) => {
      const tags = base.tags.filter((t) => t.group === g.name);
      const plan = spec.plan(tags);
      const run: GroupRun<T, P, S> = {
        group: g, tags, plan, busy: false,
        scheduler: new PeriodicScheduler(g.periodMs, (t) => this.tick(run, t), this.clock),
        stats: spec.stats({ name: g.name, periodMs: g.periodMs, tags: tags.length, polls: 0, overruns: 0, skipped: 0 }, plan),
      };
      return run;
    }).filter((r) => r.tags.length > 0);
    this.onState = (s) => {
      if (s === 'disconnected') this.markAll(BAD_NOT_CONNECTED);
    };
  }

  /** Reads one group once; resolves with the samples that passed the deadband. A link failure rejects or ends the poll early. */
  protected abstract read(run: GroupRun<T, P, S>, ts: number): Promise<Sample[]>;

  stats(): S[] {
    return this.runs.map((r) => ({ ...r.stats, skipped: r.scheduler.skipped }));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.base.connection.on('state', this.onState);
    this.base.connection.start();
    const now = this.clock.now();
    for (const r of this.runs) r.scheduler.begin(now);
  }

  stop(): void {
    this.started = false;
    this.base.connection.off('state', this.onState);
    for (const r of this.runs) r.scheduler.stop();
  }

  /** Polls one group (default: all) now, outside its schedule (benchmarks and tests use it). */
  async pollOnce(groupName?: string): Promise<void> {
    for (const r of this.runs) {
      if (groupName && r.group.name !== groupName) continue;
      const out = await this.pollGroup(r, this.clock.now());
      if (out.length) this.deliver(out);
    }
  }

  /** Adds the sample to `out` when it passes the deadband. */
  protected push(out: Sample[], tag: string, value: number, quality: number, deadband: number, ts: number): void {
    if (this.filter.pass(tag, value, quality, deadband)) out.push({ tag, ts, value, quality });
  }

  /** Adds `quality` for each tag not already in it (value: the last one known, else 0). */
  protected markQuality(out: Sample[], tags: Iterable<string>, quality: number, ts: number): void {
    for (const name of tags) {
      if (this.filter.lastQuality(name) === quality) continue;
      this.push(out, name, this.filter.lastValue(name) ?? 0, quality, 0, ts);
    }
  }

  private markAll(quality: number, runs: GroupRun<T, P, S>[] = this.runs): void {
    const out: Sample[] = [];
    const ts = this.clock.now();
    for (const r of runs) for (const t of r.tags) this.markQuality(out, this.spec.sampleTags(t), quality, ts);
    if (out.length) this.deliver(out);
  }

  private deliver(samples: Sample[]): void {
    this.samples += samples.length;
    this.base.emit(samples);
  }

  private pollGroup(run: GroupRun<T, P, S>, ts: number): Promise<Sample[]> {
    run.stats.polls++;
    return this.read(run, ts);
  }

  private tick(run: GroupRun<T, P, S>, t: TickInfo): void {
    this.spec.onTick?.(run, t);
    if (run.busy) {
      run.stats.overruns++;
      return;
    }
    const conn = this.base.connection;
    if (conn.state !== 'connected') {
      // Tags that never had a value (device down at start) are marked here, once; while the
      // first connection attempt is still running there is nothing to report yet.
      if (conn.state === 'disconnected') this.markAll(BAD_NOT_CONNECTED, [run]);
      return;
    }
    run.busy = true;
    void this.pollGroup(run, t.actual)
      .then((out) => { if (out.length && this.started) this.deliver(out); })
      .catch(() => { /* link failure: the connection's state change marks the tags */ })
      .finally(() => { run.busy = false; });
  }
}
