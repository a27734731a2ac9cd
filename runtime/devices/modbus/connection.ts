// One Modbus TCP device connection shared by its poll and write nodes: requests are
// serialised (many devices handle one transaction at a time), a link failure closes the
// socket and reconnects with exponential backoff and jitter, and state changes are
// published so pollers can mark their tags BAD_NOT_CONNECTED once per outage.
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../../platform';
import { systemClock, type Clock } from '../clock';
import type { DeviceHealth } from '../health';
import type { RegisterKind } from './datatypes';
import { ModbusExceptionError, ModbusSerialTransport, type ModbusTransport, type TcpTarget } from './transport';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export class NotConnectedError extends Error {
  constructor(message = 'not connected to the device') {
    super(message);
    this.name = 'NotConnectedError';
  }
}

export interface ConnectionOptions extends TcpTarget {
  backoff?: BackoffOptions;
  clock?: Clock;
  transport?: ModbusTransport;
}

export interface ConnectionStats {
  requests: number;
  errors: number;
  connects: number;
  reconnectDelays: number[];
}

export function validateTarget(t: Partial<TcpTarget>): TcpTarget {
  const host = String(t.host ?? '').trim();
  if (!host) throw new Error('host: must not be empty');
  const port = Number(t.port ?? 502);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port: must be an integer 1 … 65535 (got ${JSON.stringify(t.port)})`);
  const unitId = Number(t.unitId ?? 1);
  if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new Error(`unitId: must be an integer 0 … 255 (got ${JSON.stringify(t.unitId)})`);
  const timeoutMs = Number(t.timeoutMs ?? 1000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 10 || timeoutMs > 60_000) throw new Error(`timeoutMs: must be 10 … 60000 ms (got ${JSON.stringify(t.timeoutMs)})`);
  return { host, port, unitId, timeoutMs };
}

export class ModbusConnection extends EventEmitter {
  readonly target: TcpTarget;
  private readonly transport: ModbusTransport;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private st: LinkState = 'idle';
  private retryTimer: unknown = null;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  readonly stats: ConnectionStats = { requests: 0, errors: 0, connects: 0, reconnectDelays: [] };
  lastError: Error | null = null;
  /** epoch ms of the last state change and of the last answered request (system health) */
  private stateSince: number | null = null;
  private lastGoodAt: number | null = null;

  constructor(o: ConnectionOptions) {
    super();
    this.target = validateTarget(o);
    this.clock = o.clock ?? systemClock;
    // devices: first retry after 500 ms, 20 % jitter
    this.backoff = new Backoff({ ...o.backoff, initialMs: o.backoff?.initialMs ?? 500, jitter: o.backoff?.jitter ?? 0.2 });
    this.transport = o.transport ?? new ModbusSerialTransport(this.target);
    this.transport.onClose(() => this.linkLost(new Error('connection closed by the device')));
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

  /** Connects now (and keeps reconnecting until close()). */
  start(): void {
    if (this.st !== 'idle' && this.st !== 'disconnected') return;
    this.attempt();
  }

  private attempt(): void {
    this.retryTimer = null;
    if (this.st === 'closed') return;
    const gen = ++this.generation;
    this.setState('connecting');
    this.transport.connect().then(
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
    void this.transport.close();
    this.setState('disconnected');
    this.scheduleRetry();
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(async () => {
      if (this.st !== 'connected') throw new NotConnectedError(this.lastError ? `not connected to the device (${this.lastError.message})` : undefined);
      this.stats.requests++;
      try {
        const out = await fn();
        this.lastGoodAt = this.clock.now();
        return out;
      } catch (e) {
        // An exception response is still an answer from the device.
        if (e instanceof ModbusExceptionError) this.lastGoodAt = this.clock.now();
        this.stats.errors++;
        // An exception response proves the link works; anything else (timeout, reset) does not.
        if (!(e instanceof ModbusExceptionError)) this.linkLost(e as Error);
        throw e;
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  health(): DeviceHealth {
    const t = this.target;
    return {
      kind: 'modbus-tcp', target: `${t.host}:${t.port} unit ${t.unitId}`, state: this.st, connected: this.st === 'connected',
      since: this.stateSince, lastGoodAt: this.lastGoodAt, requests: this.stats.requests, errors: this.stats.errors,
      lastError: this.lastError?.message ?? null,
    };
  }

  read(kind: RegisterKind, address: number, count: number): Promise<number[]> {
    return this.run(() => this.transport.read(kind, address, count));
  }

  writeRegisters(address: number, words: number[]): Promise<void> {
    return this.run(() => this.transport.writeRegisters(address, words));
  }

  writeCoils(address: number, bits: boolean[]): Promise<void> {
    return this.run(() => this.transport.writeCoils(address, bits));
  }

  async close(): Promise<void> {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.generation++;
    this.setState('closed');
    await this.transport.close();
    this.removeAllListeners();
  }
}
