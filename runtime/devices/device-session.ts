// One device link shared by a device's poll and write nodes, whatever the protocol:
// requests are serialised (many devices handle one transaction at a time), a link failure
// (timeout, reset, close by the peer) closes the channel and reconnects with exponential
// backoff and jitter, and state changes are published so pollers mark their tags
// BAD_NOT_CONNECTED once per outage. A protocol's connection (Modbus TCP, EtherNet/IP)
// extends it with its channel, its request methods and what counts as an answer.
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../platform';
import { systemClock, type Clock } from './clock';
import type { DeviceHealth } from './health';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export class NotConnectedError extends Error {
  constructor(message = 'not connected to the device') {
    super(message);
    this.name = 'NotConnectedError';
  }
}

/** What a protocol's session gives the link: connect, close, and a close notification. */
export interface DeviceChannel {
  connect(): Promise<void>;
  close(): Promise<void>;
  onClose(cb: () => void): void;
}

export interface ConnectionStats {
  requests: number;
  errors: number;
  connects: number;
  reconnectDelays: number[];
}

export interface DeviceSessionOptions {
  backoff?: BackoffOptions;
  clock?: Clock;
}

export interface DeviceSessionSpec<C extends DeviceChannel> {
  channel: C;
  /** health: protocol, e.g. "modbus-tcp" */
  kind: string;
  /** health: where it connects, e.g. "10.0.0.5:502 unit 1" */
  target: string;
  /** how errors name the other end: "device", "controller" */
  peer: string;
  /**
   * An error that is still an answer from the peer (a Modbus exception response): it proves
   * the link works, so the link stays up and the request counts as answered.
   */
  isAnswer?: (e: unknown) => boolean;
}

export class DeviceSession<C extends DeviceChannel> extends EventEmitter {
  protected readonly channel: C;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly spec: DeviceSessionSpec<C>;
  private st: LinkState = 'idle';
  private retryTimer: unknown = null;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  readonly stats: ConnectionStats = { requests: 0, errors: 0, connects: 0, reconnectDelays: [] };
  lastError: Error | null = null;
  /** epoch ms of the last state change and of the last answered request (system health) */
  private stateSince: number | null = null;
  private lastGoodAt: number | null = null;

  constructor(o: DeviceSessionOptions, spec: DeviceSessionSpec<C>) {
    super();
    this.spec = spec;
    this.clock = o.clock ?? systemClock;
    // devices: first retry after 500 ms, 20 % jitter
    this.backoff = new Backoff({ ...o.backoff, initialMs: o.backoff?.initialMs ?? 500, jitter: o.backoff?.jitter ?? 0.2 });
    this.channel = spec.channel;
    this.channel.onClose(() => this.linkLost(new Error(`connection closed by the ${spec.peer}`)));
  }

  get state(): LinkState {
    return this.st;
  }

  private setState(s: LinkState): void {
    if (this.st === s) return;
    this.st = s;
    this.stateSince = this.clock.now();
    this.emit('state', s, this.lastError);
  }

  /** Connects now (and keeps reconnecting until close()); a retry already scheduled is kept. */
  start(): void {
    if (this.st !== 'idle' && this.st !== 'disconnected') return;
    if (this.retryTimer !== null) return;
    this.attempt();
  }

  private attempt(): void {
    this.retryTimer = null;
    if (this.st === 'closed') return;
    const gen = ++this.generation;
    this.setState('connecting');
    this.channel.connect().then(
      () => {
        if (gen !== this.generation || this.st === 'closed') return;
        this.stats.connects++;
        this.backoff.reset();
        this.lastError = null;
        this.setState('connected');
      },
      (e: Error) => {
        if (gen !== this.generation || this.st === 'closed') return;
        this.lastError = e;
        this.setState('disconnected');
        this.scheduleRetry();
      },
    );
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.st === 'closed') return;
    const delay = this.backoff.next();
    this.stats.reconnectDelays.push(delay);
    this.emit('retry', delay);
    this.retryTimer = this.clock.setTimeout(() => this.attempt(), delay);
  }

  private linkLost(e: Error): void {
    if (this.st !== 'connected') return;
    this.lastError = e;
    this.generation++;
    void this.channel.close();
    this.setState('disconnected');
    this.scheduleRetry();
  }

  /** Runs one request after the ones before it; a failure that is not an answer drops the link. */
  protected run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(async () => {
      if (this.st !== 'connected') {
        const peer = this.spec.peer;
        throw new NotConnectedError(`not connected to the ${peer}${this.lastError ? ` (${this.lastError.message})` : ''}`);
      }
      this.stats.requests++;
      try {
        const out = await fn();
        this.lastGoodAt = this.clock.now();
        return out;
      } catch (e) {
        const answered = this.spec.isAnswer?.(e) ?? false;
        if (answered) this.lastGoodAt = this.clock.now();
        this.stats.errors++;
        if (!answered) this.linkLost(e as Error);
        throw e;
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  health(): DeviceHealth {
    return {
      kind: this.spec.kind, target: this.spec.target, state: this.st, connected: this.st === 'connected',
      since: this.stateSince, lastGoodAt: this.lastGoodAt, requests: this.stats.requests, errors: this.stats.errors,
      lastError: this.lastError?.message ?? null,
    };
  }

  async close(): Promise<void> {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.generation++;
    this.setState('closed');
    await this.channel.close();
    this.removeAllListeners();
  }
}
