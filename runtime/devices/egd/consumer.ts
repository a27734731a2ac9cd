// Consumes one EGD exchange: datagrams from its producer with its exchange id are decoded
// by the layout into samples (deadband-filtered); a production that does not arrive within
// the timeout (default twice the exchange period) marks every tag BAD_COMM_FAILURE once,
// and the next production reports GOOD again. Repeated request ids (duplicates) are
// dropped, gaps in them counted as missed productions. Consumers of one UDP port share
// one socket (only one socket per port receives unicast datagrams).
import dgram from 'node:dgram';
import { QUALITY_CODES, type Sample } from '../../model';
import { systemClock, type Clock } from '../clock';
import { DeadbandFilter } from '../deadband';
import type { DeviceHealth } from '../health';
import { decodeEgd, EGD_PORT, type EgdDatagram } from './datagram';
import { readEgdValue, type EgdTag } from './layout';

const { GOOD, BAD_COMM_FAILURE, BAD_CONFIG_ERROR } = QUALITY_CODES;

export interface EgdExchangeConfig {
  /** producer id, dotted (the producing controller's IP address as configured in its EGD table) */
  producerId: string;
  exchangeId: number;
  /** production period of the exchange (ms) */
  periodMs: number;
  /** no production for this long → BAD (default 2 × period) */
  timeoutMs?: number;
  /** when set (≠ 0), productions with another configuration signature are a layout mismatch */
  configSignature?: number;
  tags: EgdTag[];
}

export function validateExchange(o: Partial<EgdExchangeConfig>): Required<EgdExchangeConfig> {
  const producerId = String(o.producerId ?? '').trim();
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(producerId) || producerId.split('.').some((x) => Number(x) > 255)) throw new Error(`producerId: must be a dotted id such as 10.0.0.5 (got ${JSON.stringify(o.producerId)})`);
  const exchangeId = Number(o.exchangeId);
  if (!Number.isInteger(exchangeId) || exchangeId < 0 || exchangeId > 0xffffffff) throw new Error(`exchangeId: must be an integer 0 … 4294967295 (got ${JSON.stringify(o.exchangeId)})`);
  const periodMs = Number(o.periodMs);
  if (!Number.isFinite(periodMs) || periodMs < 1 || periodMs > 3_600_000) throw new Error(`period: must be 1 … 3600000 ms (got ${JSON.stringify(o.periodMs)})`);
  const timeoutMs = o.timeoutMs === undefined || (o.timeoutMs as unknown) === '' ? 2 * periodMs : Number(o.timeoutMs);
  if (!Number.isFinite(timeoutMs) || timeoutMs < periodMs) throw new Error(`timeout: must be at least the period (${periodMs} ms) (got ${JSON.stringify(o.timeoutMs)})`);
  const configSignature = Number(o.configSignature ?? 0);
  if (!Number.isInteger(configSignature) || configSignature < 0 || configSignature > 0xffffffff) throw new Error(`configSignature: must be an integer 0 … 4294967295 (got ${JSON.stringify(o.configSignature)})`);
  return { producerId, exchangeId, periodMs, timeoutMs, configSignature, tags: o.tags ?? [] };
}

// --- shared sockets ----------------------------------------------------------------------

type Handler = (d: EgdDatagram) => void;
interface SharedSocket { socket: dgram.Socket; handlers: Set<Handler>; ready: Promise<void>; errors: number }
const sockets = new Map<string, SharedSocket>();

function acquire(address: string, port: number, multicast: string | undefined, onBad: (e: Error) => void): { shared: SharedSocket; release: () => void } {
  const key = `${address}:${port}`;
  let shared = sockets.get(key);
  if (!shared) {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const s: SharedSocket = {
      socket, handlers: new Set(), errors: 0,
      ready: new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, address, () => { socket.off('error', reject); resolve(); });
      }),
    };
    socket.on('message', (msg) => {
      let d: EgdDatagram;
      try {
        d = decodeEgd(msg);
      } catch (e) {
        s.errors++;
        onBad(e as Error);
        return;
      }
      for (const h of s.handlers) h(d);
    });
    socket.on('error', () => { /* bind errors surface through ready */ });
    sockets.set(key, s);
    shared = s;
  }
  const s = shared;
  if (multicast) void s.ready.then(() => { try { s.socket.addMembership(multicast); } catch { /* already joined */ } });
  return {
    shared: s,
    release: () => {
      if (s.handlers.size === 0 && sockets.get(key) === s) {
        sockets.delete(key);
        s.ready.then(() => s.socket.close(), () => {});
      }
    },
  };
}

export interface EgdConsumerOptions extends EgdExchangeConfig {
  port?: number;
  /** local address to bind (default 0.0.0.0) */
  bindAddress?: string;
  /** multicast group the producer sends to, joined when set */
  multicastGroup?: string;
  /** sample timestamps: when the datagram arrived (default) or the producer's clock */
  timestamps?: 'receive' | 'producer';
  emit: (samples: Sample[]) => void;
  warn?: (message: string) => void;
  clock?: Clock;
}

export class EgdConsumer {
  readonly exchange: Required<EgdExchangeConfig>;
  private readonly filter = new DeadbandFilter();
  private readonly clock: Clock;
  private readonly handler: Handler;
  private release: (() => void) | null = null;
  private shared: SharedSocket | null = null;
  private watchdog: unknown = null;
  private lastRequestId = -1;
  private st: 'waiting' | 'receiving' | 'timeout' | 'closed' = 'waiting';
  private since: number | null = null;
  private lastGoodAt: number | null = null;
  private warnedShort = false;
  readonly stats = { exchanges: 0, samples: 0, duplicates: 0, missed: 0, timeouts: 0, signatureMismatches: 0 };

  constructor(private readonly o: EgdConsumerOptions) {
    this.exchange = validateExchange(o);
    this.clock = o.clock ?? systemClock;
    this.handler = (d) => {
      if (d.exchangeId === this.exchange.exchangeId && d.producerId === this.exchange.producerId) this.onProduction(d);
    };
  }

  get state(): string {
    return this.st;
  }

  async start(): Promise<void> {
    const port = this.o.port ?? EGD_PORT;
    const { shared, release } = acquire(this.o.bindAddress ?? '0.0.0.0', port, this.o.multicastGroup, (e) => this.o.warn?.(`EGD datagram ignored: ${e.message}`));
    this.shared = shared;
    shared.handlers.add(this.handler);
    this.release = () => { shared.handlers.delete(this.handler); release(); };
    try {
      await shared.ready;
    } catch (e) {
      this.release();
      this.release = null;
      throw new Error(`port: cannot receive on UDP ${this.o.bindAddress ?? '0.0.0.0'}:${port} (${(e as Error).message})`);
    }
    this.arm();
  }

  private setState(s: 'waiting' | 'receiving' | 'timeout' | 'closed'): void {
    if (s === this.st) return;
    this.st = s;
    this.since = this.clock.now();
  }

  private arm(): void {
    if (this.watchdog !== null) this.clock.clearTimeout(this.watchdog);
    this.watchdog = this.clock.setTimeout(() => this.onTimeout(), this.exchange.timeoutMs);
  }

  private onTimeout(): void {
    this.watchdog = null;
    if (this.st === 'closed') return;
    this.stats.timeouts++;
    this.setState('timeout');
    this.markAll(BAD_COMM_FAILURE);
  }

  private markAll(quality: number): void {
    const ts = this.clock.now();
    const out: Sample[] = [];
    for (const t of this.exchange.tags) {
      if (this.filter.lastQuality(t.tag) === quality) continue;
      const value = this.filter.lastValue(t.tag) ?? 0;
      this.filter.pass(t.tag, value, quality, 0);
      out.push({ tag: t.tag, ts, value, quality });
    }
    this.deliver(out);
  }

  private deliver(out: Sample[]): void {
    if (!out.length) return;
    this.stats.samples += out.length;
    this.o.emit(out);
  }

  private onProduction(d: EgdDatagram): void {
    if (this.st === 'closed') return;
    if (d.requestId === this.lastRequestId) {
      this.stats.duplicates++;
      return;
    }
    if (this.lastRequestId >= 0) {
      const gap = (d.requestId - this.lastRequestId - 1 + 65536) % 65536;
      // A large jump is a restarted producer, not thousands of lost datagrams.
      if (gap > 0 && gap < 1000) this.stats.missed += gap;
    }
    this.lastRequestId = d.requestId;
    this.stats.exchanges++;
    this.arm();
    const now = this.clock.now();
    this.lastGoodAt = now;
    this.setState('receiving');
    if (this.exchange.configSignature && d.configSignature !== this.exchange.configSignature) {
      this.stats.signatureMismatches++;
      if (this.stats.signatureMismatches === 1) this.o.warn?.(`exchange ${this.exchange.exchangeId}: configuration signature 0x${d.configSignature.toString(16)} ≠ expected 0x${this.exchange.configSignature.toString(16)}: the producer's layout changed`);
      this.markAll(BAD_CONFIG_ERROR);
      return;
    }
    const ts = this.o.timestamps === 'producer' && d.timestampMs > 0 ? d.timestampMs : now;
    const out: Sample[] = [];
    for (const t of this.exchange.tags) {
      const raw = readEgdValue(d.data, t);
      if (raw === undefined) {
        if (!this.warnedShort) { this.warnedShort = true; this.o.warn?.(`exchange ${this.exchange.exchangeId}: ${d.data.length} data bytes, too short for ${t.tag} at byte ${t.byte}`); }
        if (this.filter.lastQuality(t.tag) !== BAD_CONFIG_ERROR) { const v = this.filter.lastValue(t.tag) ?? 0; this.filter.pass(t.tag, v, BAD_CONFIG_ERROR, 0); out.push({ tag: t.tag, ts, value: v, quality: BAD_CONFIG_ERROR }); }
        continue;
      }
      const value = t.type === 'bool' ? raw : raw * t.scale + t.offset;
      if (!Number.isFinite(value)) continue;
      if (this.filter.pass(t.tag, value, GOOD, t.deadband)) out.push({ tag: t.tag, ts, value, quality: GOOD });
    }
    this.deliver(out);
  }

  health(): DeviceHealth {
    const e = this.exchange;
    return {
      kind: 'egd', target: `${e.producerId} exchange ${e.exchangeId}`, state: this.st, connected: this.st === 'receiving', since: this.since,
      lastGoodAt: this.lastGoodAt, requests: this.stats.exchanges, errors: this.stats.timeouts + (this.shared?.errors ?? 0), lastError: this.st === 'timeout' ? `no production within ${e.timeoutMs} ms` : null,
    };
  }

  async close(): Promise<void> {
    if (this.watchdog !== null) this.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
    this.setState('closed');
    this.release?.();
    this.release = null;
  }
}
