// Store-and-forward on a gateway: samples are gathered for up to `lingerMs` or
// `batchSize` samples, grouped by subject (subject-template.ts), wrapped in envelopes
// with a fresh event id and put in the durable queue; the dispatcher sends them over
// the uplink in order and removes them when the broker acknowledged.
import { v7 as uuidv7 } from 'uuid';
import type { Sample } from '../model';
import { Dispatcher, type DispatcherOptions, type Sender } from '../buffer';
import { DurableQueue, type QueueOptions } from '../buffer';
import type { BufferStatus } from '../buffer';
import type { QuarantineItem } from '../buffer';
import type { BufferEvent, Category } from '../buffer';
import { encodeEnvelope } from './envelope';
import { MqttUplink, type MqttUplinkOptions } from './mqtt-uplink';
import { NatsUplink, type NatsUplinkOptions } from './nats-uplink';
import { compileSubjectTemplate } from './subject-template';
import { HeartbeatPublisher, type DeviceState } from '../fleet';

export type UplinkConfig = ({ type: 'nats' } & NatsUplinkOptions) | ({ type: 'mqtt' } & MqttUplinkOptions);

export interface Uplink extends Sender {
  start(): Promise<void>;
  close(): Promise<void>;
  lastError?: string | null;
  /** when lastError happened (ms) */
  lastErrorAt?: number | null;
  /** plain publish (NATS only): carries the gateway heartbeat */
  publishCore?(subject: string, data: Uint8Array): void;
}

export function createUplink(c: UplinkConfig): Uplink {
  if (c?.type === 'nats') return new NatsUplink(c);
  if (c?.type === 'mqtt') return new MqttUplink(c);
  throw new Error(`uplink.type: must be "nats" or "mqtt" (got ${JSON.stringify((c as { type?: unknown })?.type)})`);
}

export interface StoreForwardOptions {
  /** buffer directory (segments, quarantine) */
  dir: string;
  /** gateway id written into every envelope */
  source: string;
  category?: Category;
  uplink: UplinkConfig | Uplink;
  /** subject / topic template (default "hist.{tag}") */
  template?: string;
  /** samples per envelope at most (default 1,000) */
  batchSize?: number;
  /** how long samples wait for a fuller envelope (default 100 ms) */
  lingerMs?: number;
  queue?: Omit<QueueOptions, 'dir' | 'onEvent'>;
  dispatcher?: DispatcherOptions;
  onEvent?: (e: BufferEvent) => void;
  /** open with sending paused (buffer only) until resume() */
  paused?: boolean;
  clock?: () => number;
  /** publish the gateway health heartbeat on sys.gateway.<source>.health (NATS uplinks; runtime/fleet/FORMAT-heartbeat.md) */
  heartbeat?: { site: string; intervalMs?: number; version?: string; dataDir?: string; devices?: () => DeviceState[] };
}

export class StoreForward {
  readonly queue: DurableQueue;
  readonly dispatcher: Dispatcher;
  readonly uplink: Uplink;
  private readonly subjectOf: ReturnType<typeof compileSubjectTemplate>;
  private pending: Sample[] = [];
  private pendingDone: Promise<void> | null = null;
  private resolvePending: (() => void) | null = null;
  private rejectPending: ((e: Error) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly clock: () => number;
  private readonly category: Category;
  private rate = { t: 0, samples: 0, perSecond: 0 };
  readonly heartbeat: HeartbeatPublisher | null = null;
  private offConnected: (() => void) | null = null;

  private constructor(readonly o: StoreForwardOptions) {
    if (typeof o.source !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.source)) throw new Error('source: gateway id must match [A-Za-z0-9_-]+');
    this.batchSize = o.batchSize ?? 1000;
    this.lingerMs = o.lingerMs ?? 100;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`batchSize: must be a positive integer (got ${o.batchSize})`);
    if (!(this.lingerMs >= 0)) throw new Error(`lingerMs: must be zero or positive (got ${o.lingerMs})`);
    this.clock = o.clock ?? Date.now;
    this.category = o.category ?? 'telemetry';
    this.subjectOf = compileSubjectTemplate(o.template ?? 'hist.{tag}');
    this.uplink = 'send' in o.uplink ? o.uplink : createUplink(o.uplink);
    this.queue = DurableQueue.open({ ...o.queue, dir: o.dir, onEvent: o.onEvent, clock: this.clock });
    this.dispatcher = new Dispatcher(this.queue, this.uplink, o.dispatcher);
    const up = this.uplink;
    if (o.heartbeat && up.publishCore) {
      this.heartbeat = new HeartbeatPublisher({
        id: o.source, site: o.heartbeat.site, version: o.heartbeat.version ?? '', dataDir: o.heartbeat.dataDir ?? o.dir, devices: o.heartbeat.devices,
        backlog: () => { const s = this.status(); return { samples: s.pendingSamples, entries: s.pending, oldestAgeMs: s.oldestAgeMs, quarantined: s.quarantined }; },
      }, (subject, data) => up.publishCore!(subject, data), o.heartbeat.intervalMs ?? 10_000);
    }
  }

  /** Opens the buffer (recovering what a previous run left) and starts the uplink and the dispatcher. */
  static open(o: StoreForwardOptions): StoreForward {
    const sf = new StoreForward(o);
    sf.uplink.start().catch((e) => { sf.uplink.lastError = (e as Error).message; sf.uplink.lastErrorAt = Date.now(); });
    if (!o.paused) sf.dispatcher.start();
    if (sf.heartbeat) {
      sf.heartbeat.start();
      // say so at once after a (re)connect instead of at the next tick
      sf.offConnected = sf.uplink.onConnected(() => sf.heartbeat?.beat());
    }
    return sf;
  }

  /** Stops sending (entries keep being buffered); in-flight sends finish. */
  pause(): Promise<void> { return this.dispatcher.stop(); }

  resume(): void { if (!this.closed) this.dispatcher.start(); }

  get paused(): boolean { return !this.dispatcher.isRunning(); }

  /**
   * Adds samples. Resolves when the envelope holding them is accepted by the queue
   * (journaled when it went to disk; waits while a full disk blocks, per policy).
   */
  write(samples: readonly Sample[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store-forward is closed'));
    for (const s of samples) this.pending.push(s);
    if (!this.pendingDone) this.pendingDone = new Promise<void>((res, rej) => { this.resolvePending = res; this.rejectPending = rej; });
    const done = this.pendingDone;
    if (this.pending.length >= this.batchSize || this.lingerMs === 0) this.cut();
    else if (!this.timer) this.timer = setTimeout(() => this.cut(), this.lingerMs);
    return done;
  }

  /** Puts whatever is gathered into the queue now. */
  flush(): Promise<void> {
    if (this.pending.length) this.cut();
    return this.chain;
  }

  private cut(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const samples = this.pending;
    const resolve = this.resolvePending!, reject = this.rejectPending!;
    this.pending = [];
    this.pendingDone = null;
    if (!samples.length) { resolve?.(); return; }
    const groups = new Map<string, Sample[]>();
    for (const s of samples) {
      const subj = this.subjectOf(s, this.o.source, this.category);
      let g = groups.get(subj);
      if (!g) { g = []; groups.set(subj, g); }
      g.push(s);
    }
    const now = this.clock();
    const pushes: Promise<unknown>[] = [];
    for (const [subject, g] of groups) {
      for (let i = 0; i < g.length; i += this.batchSize) {
        const part = g.length <= this.batchSize ? g : g.slice(i, i + this.batchSize);
        const id = uuidv7();
        const body = encodeEnvelope({ id, source: this.o.source, category: this.category, created: now, samples: part });
        pushes.push(this.queue.push({ id, source: this.o.source, subject, category: this.category, created: now, count: part.length, body }));
      }
    }
    const all = Promise.all(pushes).then(() => undefined);
    all.then(resolve, reject);
    this.chain = this.chain.then(() => all).catch(() => undefined);
  }

  /** The latest failure, a send's (the dispatcher's) or the link's (the uplink's), with its time. */
  private lastError(d: { lastError: string | null; lastErrorAt: number | null }): { lastError: string | null; lastErrorAt: number | null } {
    const u = this.uplink.lastError ?? null, uAt = this.uplink.lastErrorAt ?? null;
    if (d.lastError === null) return { lastError: u, lastErrorAt: u === null ? null : uAt };
    if (u !== null && uAt !== null && (d.lastErrorAt === null || uAt > d.lastErrorAt)) return { lastError: u, lastErrorAt: uAt };
    return { lastError: d.lastError, lastErrorAt: d.lastErrorAt };
  }

  status(): BufferStatus {
    const q = this.queue.stats();
    const d = this.dispatcher.counters;
    const now = this.clock();
    if (now - this.rate.t >= 1000) {
      this.rate.perSecond = this.rate.t ? ((d.sentSamples - this.rate.samples) * 1000) / (now - this.rate.t) : 0;
      this.rate = { t: now, samples: d.sentSamples, perSecond: this.rate.perSecond };
    }
    return {
      connected: this.uplink.isConnected(), paused: this.paused, pending: q.pending, pendingSamples: q.pendingSamples + this.pending.length, inFlight: q.inFlight,
      ramBytes: q.ramBytes, diskBytes: q.diskBytes, oldestAgeMs: q.oldestCreated === null ? 0 : Math.max(0, now - q.oldestCreated),
      sent: d.sent, sentSamples: d.sentSamples, sentPerSecond: this.rate.perSecond, retries: d.retries, quarantined: q.quarantined,
      dropped: q.dropped, droppedSamples: q.droppedSamples, diskFull: q.diskFull, blocked: q.blocked, ...this.lastError(d), lastSentAt: d.lastSentAt,
    };
  }

  quarantined(): QuarantineItem[] { return this.queue.quarantined(); }
  replayQuarantine(ids?: readonly string[]): Promise<number> { return this.queue.replayQuarantine(ids); }
  purgeQuarantine(ids?: readonly string[]): number { return this.queue.purgeQuarantine(ids); }

  /** Flushes the gathered samples, stops sending, closes the uplink and the buffer files. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.heartbeat?.stop();
    this.offConnected?.();
    const stopping = this.dispatcher.stop();
    // sends still waiting for an acknowledgement end when the uplink closes
    await this.uplink.close();
    await stopping;
    this.queue.close();
  }
}
