// Central NATS ingest: a JetStream durable pull consumer. Every process that uses the
// same durable name shares the work (pull consumers hand each message to one puller,
// like a queue group). Messages are acknowledged only after their samples are durable
// in the store; a crash before that means redelivery after `ackWaitMs`.
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection, type NatsError } from 'nats';
import { connectNats, type NatsConnectOptions } from './nats-connection';
import { ensureStream, type StreamConfig } from './nats-uplink';
import type { EnvelopeIngestor } from './envelope-ingestor';

export interface NatsIngestOptions extends NatsConnectOptions {
  /** stream to consume; created when `createStream` is given */
  stream: string;
  createStream?: Omit<StreamConfig, 'name'>;
  /** durable consumer name shared by every ingest instance (default "historian-ingest") */
  durable?: string;
  filterSubject?: string;
  /** redelivery delay of unacknowledged messages (default 30 s) */
  ackWaitMs?: number;
  /** unacknowledged messages in flight at most (default 10,000) */
  maxAckPending?: number;
  /** messages per store write at most (default 1,000) */
  batch?: number;
  onError?: (message: string) => void;
}

export interface NatsIngestStats { messages: number; batches: number; redelivered: number; connected: boolean; lastError: string | null }

export class NatsIngest {
  private nc: NatsConnection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private msgs: ConsumerMessages | null = null;
  private buf: JsMsg[] = [];
  private wake: (() => void) | null = null;
  readonly stats: NatsIngestStats = { messages: 0, batches: 0, redelivered: 0, connected: false, lastError: null };

  constructor(readonly o: NatsIngestOptions, private readonly ingestor: EnvelopeIngestor) {
    if (!/^[A-Za-z0-9_-]+$/.test(o.stream ?? '')) throw new Error('stream: must match [A-Za-z0-9_-]+');
    if (o.durable !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.durable)) throw new Error('durable: must match [A-Za-z0-9_-]+');
    if (o.batch !== undefined && !(Number.isInteger(o.batch) && o.batch > 0)) throw new Error('batch: must be a positive integer');
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.nc = await connectNats({ ...this.o, onRetry: (m) => { this.stats.lastError = m; this.o.onRetry?.(m); } });
    void (async () => {
      for await (const s of this.nc!.status()) {
        if (s.type === 'disconnect') this.stats.connected = false;
        if (s.type === 'reconnect') this.stats.connected = true;
      }
    })();
    this.stats.connected = true;
    this.loop = Promise.all([this.consumeLoop(), this.processLoop()]).then(() => undefined);
  }

  private error(m: string): void {
    this.stats.lastError = m;
    this.o.onError?.(m);
  }

  private async setup(): Promise<void> {
    const nc = this.nc!;
    if (this.o.createStream) await ensureStream(nc, { name: this.o.stream, ...this.o.createStream });
    const jsm = await nc.jetstreamManager();
    const durable = this.o.durable ?? 'historian-ingest';
    const cfg = {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.o.ackWaitMs ?? 30_000), max_ack_pending: this.o.maxAckPending ?? 10_000,
      ...(this.o.filterSubject ? { filter_subject: this.o.filterSubject } : {}),
    };
    try { await jsm.consumers.info(this.o.stream, durable); } catch (e) {
      if ((e as NatsError).api_error?.err_code !== 10014 && !/not found/i.test((e as Error).message)) throw e;
      await jsm.consumers.add(this.o.stream, cfg);
    }
  }

  private async consumeLoop(): Promise<void> {
    let delay = 200;
    while (this.running) {
      try {
        await this.setup();
        const c = await this.nc!.jetstream().consumers.get(this.o.stream, this.o.durable ?? 'historian-ingest');
        const batch = this.o.batch ?? 1000;
        this.msgs = await c.consume({
          max_messages: Math.max(batch * 2, 100),
          callback: (m) => { this.buf.push(m); const w = this.wake; this.wake = null; w?.(); },
        });
        delay = 200;
        const err = await this.msgs.closed();
        if (err) this.error(`consumer stopped: ${(err as Error).message}`);
      } catch (e) {
        this.error(`consumer setup: ${(e as Error).message}`);
      }
      if (!this.running) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  private async processLoop(): Promise<void> {
    const max = this.o.batch ?? 1000;
    while (this.running || this.buf.length) {
      if (!this.buf.length) {
        if (!this.running) break;
        await new Promise<void>((r) => { this.wake = r; });
        continue;
      }
      const take = this.buf.splice(0, max);
      try {
        await this.ingestor.ingest(take.map((m) => m.data));
        for (const m of take) {
          if (m.redelivered) this.stats.redelivered++;
          m.ack();
        }
        this.stats.messages += take.length;
        this.stats.batches++;
      } catch (e) {
        // not acknowledged: JetStream redelivers after the ack wait; ask for it sooner
        this.error(`store write failed, messages will be redelivered: ${(e as Error).message}`);
        for (const m of take) m.nak(1000);
      }
    }
  }

  /** Stops pulling, finishes the batch in hand (acknowledging it) and closes the connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // messages pulled but not processed are simply left unacknowledged: redelivered later
    this.buf.length = 0;
    try { await this.msgs?.close(); } catch { /* already closed */ }
    const w = this.wake; this.wake = null; w?.();
    await this.loop;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}
