// Central NATS ingest: JetStream durable pull consumers. Messages are acknowledged only
// after their samples are durable in the store; a crash before that means redelivery
// after `ackWaitMs`. Several central processes share a stream by partition (FLEET.md):
// each owns some subject filters, one durable consumer per filter, so every tag always
// lands in the same store and a redelivery after a crash meets its own event-id memory.
// (Processes that use the same durable name share its messages like a queue group.)
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
  /**
   * Partitions this process owns: one durable consumer per subject filter, named
   * `<durable>-<name>` (name defaults to the filter with its dots and wildcards made safe).
   * Replaces `filterSubject`.
   */
  partitions?: Array<{ filterSubject: string; name?: string }>;
  /** how long one pull request waits on the server (default 5 s; heartbeats at half of it) */
  pullExpiresMs?: number;
  /** consumer replicas (default: the stream's) */
  consumerReplicas?: number;
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
  private msgs = new Set<ConsumerMessages>();
  private buf: JsMsg[] = [];
  private wake: (() => void) | null = null;
  readonly stats: NatsIngestStats = { messages: 0, batches: 0, redelivered: 0, connected: false, lastError: null };

  constructor(readonly o: NatsIngestOptions, private readonly ingestor: EnvelopeIngestor) {
    if (!/^[A-Za-z0-9_-]+$/.test(o.stream ?? '')) throw new Error('stream: must match [A-Za-z0-9_-]+');
    if (o.durable !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.durable)) throw new Error('durable: must match [A-Za-z0-9_-]+');
    if (o.batch !== undefined && !(Number.isInteger(o.batch) && o.batch > 0)) throw new Error('batch: must be a positive integer');
    if (o.partitions !== undefined) {
      if (!Array.isArray(o.partitions) || !o.partitions.length) throw new Error('partitions: list at least one { filterSubject }');
      if (o.filterSubject) throw new Error('filterSubject: give either filterSubject or partitions');
      const names = new Set<string>();
      o.partitions.forEach((p, i) => {
        if (typeof p?.filterSubject !== 'string' || !/^[^\s]+$/.test(p.filterSubject)) throw new Error(`partitions[${i}].filterSubject: must be a subject such as hist.*.izmir.>`);
        const n = partitionName(p);
        if (names.has(n)) throw new Error(`partitions[${i}]: name ${n} is given twice`);
        names.add(n);
      });
    }
    if (o.consumerReplicas !== undefined && !(Number.isInteger(o.consumerReplicas) && o.consumerReplicas >= 1 && o.consumerReplicas <= 5)) throw new Error('consumerReplicas: must be an integer from 1 to 5');
  }

  /** the durable consumers this process pulls from, with their filters */
  consumers(): Array<{ durable: string; filterSubject?: string }> {
    const durable = this.o.durable ?? 'historian-ingest';
    if (!this.o.partitions) return [{ durable, filterSubject: this.o.filterSubject }];
    return this.o.partitions.map((p) => ({ durable: `${durable}-${partitionName(p)}`, filterSubject: p.filterSubject }));
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
    this.loop = Promise.all([...this.consumers().map((c) => this.consumeLoop(c)), this.processLoop()]).then(() => undefined);
  }

  private error(m: string): void {
    this.stats.lastError = m;
    this.o.onError?.(m);
  }

  private async setup(c: { durable: string; filterSubject?: string }): Promise<void> {
    const nc = this.nc!;
    if (this.o.createStream) await ensureStream(nc, { name: this.o.stream, ...this.o.createStream });
    const jsm = await nc.jetstreamManager();
    const cfg = {
      durable_name: c.durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.o.ackWaitMs ?? 30_000), max_ack_pending: this.o.maxAckPending ?? 10_000,
      ...(c.filterSubject ? { filter_subject: c.filterSubject } : {}),
      ...(this.o.consumerReplicas ? { num_replicas: this.o.consumerReplicas } : {}),
    };
    try { await jsm.consumers.info(this.o.stream, c.durable); } catch (e) {
      if ((e as NatsError).api_error?.err_code !== 10014 && !/not found/i.test((e as Error).message)) throw e;
      await jsm.consumers.add(this.o.stream, cfg);
    }
  }

  private async consumeLoop(c: { durable: string; filterSubject?: string }): Promise<void> {
    let delay = 200;
    while (this.running) {
      try {
        await this.setup(c);
        const consumer = await this.nc!.jetstream().consumers.get(this.o.stream, c.durable);
        if (this.o.partitions) {
          // a partition has one owner: a second process pulling it would split the site's
          // tags across two stores. Pull requests of a process that died expire within
          // pullExpiresMs, so a restart waits that long at most.
          const waiting = (await consumer.info()).num_waiting ?? 0;
          if (waiting > 0) throw new PartitionBusyError(c.durable, c.filterSubject ?? '', waiting);
        }
        const batch = this.o.batch ?? 1000;
        const msgs = await consumer.consume({
          max_messages: Math.max(batch * 2, 100),
          // short pulls: after a cluster node is lost the consumer's new leader is asked
          // within seconds instead of when a 30 s pull would have expired
          expires: this.o.pullExpiresMs ?? 5000,
          callback: (m) => { this.buf.push(m); const w = this.wake; this.wake = null; w?.(); },
        });
        this.msgs.add(msgs);
        delay = 200;
        const err = await msgs.closed();
        this.msgs.delete(msgs);
        if (err) this.error(`consumer ${c.durable} stopped: ${(err as Error).message}`);
      } catch (e) {
        this.error(`consumer ${c.durable} setup: ${(e as Error).message}`);
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
    for (const m of this.msgs) { try { await m.close(); } catch { /* already closed */ } }
    const w = this.wake; this.wake = null; w?.();
    await this.loop;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

export class PartitionBusyError extends Error {
  constructor(durable: string, filter: string, waiting: number) {
    super(`partition ${filter} (consumer ${durable}) is being pulled by another process (${waiting} pull requests waiting): each partition must have one central owner; retrying`);
    this.name = 'PartitionBusyError';
  }
}

/** A partition's consumer-name part: its name, or its filter with dots and wildcards made safe. */
export function partitionName(p: { filterSubject: string; name?: string }): string {
  const n = p.name ?? p.filterSubject.replace(/\*/g, 'any').replace(/>/g, 'all').replace(/[^A-Za-z0-9_-]+/g, '_');
  if (!/^[A-Za-z0-9_-]+$/.test(n)) throw new Error(`partitions: name ${JSON.stringify(n)} must match [A-Za-z0-9_-]+`);
  return n;
}
