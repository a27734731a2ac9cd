// One EtherNet/IP device connection shared by its poll and write nodes: requests are
// serialised over one registered session, a link failure (timeout, reset) closes the
// socket and reconnects with exponential backoff and jitter, and state changes are
// published so pollers mark their tags BAD_NOT_CONNECTED once per outage. A CIP error
// status is an answer from the controller and leaves the link up.
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../../platform';
import { systemClock, type Clock } from '../clock';
import type { DeviceHealth } from '../health';
import { parseMrResponse, type MrResponse } from './cip';
import { EipSession, type EipTarget } from './session';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export class NotConnectedError extends Error {
  constructor(message = 'not connected to the controller') {
    super(message);
    this.name = 'NotConnectedError';
  }
}

/** The request/reply channel, behind an interface so the connection logic can be tested on its own. */
export interface EipChannel {
  connect(): Promise<void>;
  close(): Promise<void>;
  request(mr: Buffer): Promise<Buffer>;
  onClose(cb: () => void): void;
}

export interface EipConnectionOptions extends Partial<EipTarget> {
  host: string;
  /** largest CIP message (request or reply) in bytes; 504 is the Logix limit for unconnected messages */
  maxPacket?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  channel?: EipChannel;
}

export function validateEipTarget(t: Partial<EipTarget> & { maxPacket?: number }): EipTarget & { maxPacket: number } {
  const host = String(t.host ?? '').trim();
  if (!host) throw new Error('host: must not be empty');
  const port = Number(t.port ?? 44818);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port: must be an integer 1 … 65535 (got ${JSON.stringify(t.port)})`);
  const slot = Number(t.slot ?? 0);
  if (!Number.isInteger(slot) || slot < 0 || slot > 255) throw new Error(`slot: must be an integer 0 … 255 (got ${JSON.stringify(t.slot)})`);
  const timeoutMs = Number(t.timeoutMs ?? 2000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 50 || timeoutMs > 60_000) throw new Error(`timeoutMs: must be 50 … 60000 ms (got ${JSON.stringify(t.timeoutMs)})`);
  const maxPacket = Number(t.maxPacket ?? 504);
  if (!Number.isInteger(maxPacket) || maxPacket < 100 || maxPacket > 4002) throw new Error(`maxPacket: must be an integer 100 … 4002 bytes (got ${JSON.stringify(t.maxPacket)})`);
  return { host, port, slot, timeoutMs, maxPacket };
}

export class EipConnection extends EventEmitter {
  readonly target: EipTarget & { maxPacket: number };
  private readonly channel: EipChannel;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private st: LinkState = 'idle';
  private retryTimer: unknown = null;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  readonly stats = { requests: 0, errors: 0, connects: 0, reconnectDelays: [] as number[] };
  lastError: Error | null = null;
  private stateSince: number | null = null;
  private lastGoodAt: number | null = null;

  constructor(o: EipConnectionOptions) {
    super();
    this.target = validateEipTarget(o);
    this.clock = o.clock ?? systemClock;
    this.backoff = new Backoff({ ...o.backoff, initialMs: o.backoff?.initialMs ?? 500, jitter: o.backoff?.jitter ?? 0.2 });
    this.channel = o.channel ?? new EipSession(this.target);
    this.channel.onClose(() => this.linkLost(new Error('connection closed by the controller')));
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

  /** Sends one message router request; resolves with the reply whatever its CIP status. */
  request(mr: Buffer): Promise<MrResponse> {
    const p = this.queue.then(async () => {
      if (this.st !== 'connected') throw new NotConnectedError(this.lastError ? `not connected to the controller (${this.lastError.message})` : undefined);
      this.stats.requests++;
      try {
        const reply = parseMrResponse(await this.channel.request(mr));
        this.lastGoodAt = this.clock.now();
        return reply;
      } catch (e) {
        this.stats.errors++;
        this.linkLost(e as Error);
        throw e;
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  health(): DeviceHealth {
    const t = this.target;
    return {
      kind: 'ethernet-ip', target: `${t.host}:${t.port} slot ${t.slot}`, state: this.st, connected: this.st === 'connected',
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
