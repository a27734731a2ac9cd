// Central NATS ingest: JetStream durable pull consumers. Messages are acknowledged only
// after their samples are durable in the store; a crash before that means redelivery
// after `ackWaitMs`. Several central processes share a stream by partition (README
// "Scaling out"): each owns some subject filters, one durable consumer per filter, so every
// tag always lands in the same store and a redelivery after a crash meets its own event-id
// memory. A partition is pulled only while this process holds its lease in a JetStream KV
// bucket (PROTOCOL-partition-lease.md): one owner at a time, decided by the server.
// (Without partitions, processes that use the same durable name share its messages like a
// queue group.)
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection, type NatsError } from 'nats';
import { connectNats, type NatsConnectOptions } from './nats-connection';
import { ensureStream, validReplicas, type StreamConfig } from './nats-uplink';
import type { EnvelopeIngestor } from './envelope-ingestor';
import { describeHolder, LeaseBucket, LeaseHeldError, type LeaseHolder, type PartitionLease } from './partition-lease';

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
  /**
   * Partitions of other processes this one takes over when their lease expires (the owner
   * died), named like `partitions`; handed back when the owner claims them again.
   */
  standby?: Array<{ filterSubject: string; name?: string }>;
  /** KV bucket of the partition leases (default "historian-ingest-leases") */
  leaseBucket?: string;
  /** lease TTL when this process creates the bucket (default 12 s): how long a dead owner's partitions wait */
  leaseTtlMs?: number;
  /** lease bucket copies (default: the stream's replicas setting, "auto" = 3 on a cluster) */
  leaseReplicas?: number | 'auto';
  /** told when this process starts or stops pulling a partition (holder: who has it instead) */
  onOwnership?: (e: OwnershipEvent) => void;
  /** how long one pull request waits on the server (default 5 s; heartbeats at half of it) */
  pullExpiresMs?: number;
  /**
   * heartbeat the server sends on an open pull request (default 1 s, at most half of
   * pullExpiresMs): two missed ones make the client pull again
   */
  pullHeartbeatMs?: number;
  /** consumer replicas (default: the stream's) */
  consumerReplicas?: number;
  /** redelivery delay of unacknowledged messages (default 30 s) */
  ackWaitMs?: number;
  /** unacknowledged messages in flight at most (default 10,000) */
  maxAckPending?: number;
  /** messages per store write at most (default 1,000) */
  batch?: number;
  onError?: (message: string) => void;
  /**
   * After each batch is durable and acknowledged: its messages with the time JetStream
   * stored each one and the time this process received it (ms), for lag diagnostics.
   */
  onStoredBatch?: (b: { messages: Array<{ data: Uint8Array; streamMs: number; pulledMs: number }>; durableMs: number }) => void;
}

export interface OwnershipEvent {
  durable: string; filter: string; owned: boolean;
  /** a standby partition: owned = taken over from its owner; not owned = handed back, or waiting */
  standby?: boolean;
  reason?: string; holder?: LeaseHolder | null;
}

interface Part { durable: string; filterSubject?: string; standby?: boolean }
interface PartState { current: ConsumerMessages | null; lost: boolean; lastHolder: LeaseHolder | null }

interface Pulled { m: JsMsg; durable: string; at: number }

export interface NatsIngestStats { messages: number; batches: number; redelivered: number; connected: boolean; lastError: string | null }

export class NatsIngest {
  private nc: NatsConnection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private msgs = new Set<ConsumerMessages>();
  private buf: Pulled[] = [];
  private bucket: Promise<LeaseBucket> | null = null;
  private leases = new Map<string, PartitionLease>();
  private inFlight: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  readonly stats: NatsIngestStats = { messages: 0, batches: 0, redelivered: 0, connected: false, lastError: null };

  constructor(readonly o: NatsIngestOptions, private readonly ingestor: EnvelopeIngestor) {
    if (!/^[A-Za-z0-9_-]+$/.test(o.stream ?? '')) throw new Error('stream: must match [A-Za-z0-9_-]+');
    if (o.durable !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.durable)) throw new Error('durable: must match [A-Za-z0-9_-]+');
    if (o.batch !== undefined && !(Number.isInteger(o.batch) && o.batch > 0)) throw new Error('batch: must be a positive integer');
    const names = new Set<string>();
    for (const field of ['partitions', 'standby'] as const) {
      const list = o[field];
      if (list === undefined) continue;
      if (!Array.isArray(list) || (!list.length && (field === 'partitions' || !o.partitions?.length))) throw new Error(`${field}: list at least one { filterSubject }`);
      if (o.filterSubject) throw new Error(`filterSubject: give either filterSubject or ${field}`);
      list.forEach((p, i) => {
        if (typeof p?.filterSubject !== 'string' || !/^[^\s]+$/.test(p.filterSubject)) throw new Error(`${field}[${i}].filterSubject: must be a subject such as hist.*.izmir.>`);
        const n = partitionName(p);
        if (names.has(n)) throw new Error(`${field}[${i}]: name ${n} is given twice${field === 'standby' ? ' (a partition is either owned or stood by for)' : ''}`);
        names.add(n);
      });
    }
    if (o.pullExpiresMs !== undefined && !(o.pullExpiresMs >= 1000)) throw new Error('pullExpiresMs: must be at least 1000 ms');
    if (o.pullHeartbeatMs !== undefined && !(o.pullHeartbeatMs >= 100 && o.pullHeartbeatMs * 2 <= (o.pullExpiresMs ?? 5000))) throw new Error('pullHeartbeatMs: must be at least 100 ms and at most half of pullExpiresMs');
    if (o.leaseTtlMs !== undefined && !(Number.isFinite(o.leaseTtlMs) && o.leaseTtlMs >= 1000)) throw new Error('leaseTtlMs: must be at least 1000 ms');
    if (o.leaseBucket !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.leaseBucket)) throw new Error('leaseBucket: must match [A-Za-z0-9_-]+');
    if (o.leaseReplicas !== undefined) {
      try { validReplicas(o.leaseReplicas); } catch (e) { throw new Error(`lease${(e as Error).message.replace(/^r/, 'R')}`); }
    }
    if (o.consumerReplicas !== undefined && !(Number.isInteger(o.consumerReplicas) && o.consumerReplicas >= 1 && o.consumerReplicas <= 5)) throw new Error('consumerReplicas: must be an integer from 1 to 5');
  }

  /** the durable consumers this process pulls from, with their filters */
  consumers(): Part[] {
    const durable = this.o.durable ?? 'historian-ingest';
    if (!this.partitioned()) return [{ durable, filterSubject: this.o.filterSubject }];
    return [
      ...(this.o.partitions ?? []).map((p) => ({ durable: `${durable}-${partitionName(p)}`, filterSubject: p.filterSubject })),
      ...(this.o.standby ?? []).map((p) => ({ durable: `${durable}-${partitionName(p)}`, filterSubject: p.filterSubject, standby: true })),
    ];
  }

  /** partitions (owned or stood by for) are pulled only under a lease */
  private partitioned(): boolean { return !!(this.o.partitions || this.o.standby); }

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

  private async setup(c: Part): Promise<void> {
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

  private leaseBucket(): Promise<LeaseBucket> {
    if (!this.bucket) {
      this.bucket = LeaseBucket.open(this.nc!, {
        bucket: this.o.leaseBucket, ttlMs: this.o.leaseTtlMs, owner: this.o.name,
        replicas: this.o.leaseReplicas ?? this.o.createStream?.replicas ?? 'auto',
      });
      // opened again on the next attempt (the cluster may still be electing leaders)
      this.bucket.catch(() => { this.bucket = null; });
    }
    return this.bucket;
  }

  /** Takes the partition's lease; throws PartitionBusyError naming the holder when another process has it. */
  private async acquire(c: Part, st: PartState): Promise<PartitionLease> {
    const bucket = await this.leaseBucket();
    const filter = c.filterSubject ?? '';
    const key = leaseKey(this.o.stream, c.durable);
    const stopPulling = () => {
      st.lost = true;
      void st.current?.close().catch(() => undefined);
      // leave what was pulled but not yet stored unacknowledged, for the next owner
      this.buf = this.buf.filter((p) => p.durable !== c.durable);
    };
    try {
      const lease = await bucket.acquire(key, { stream: this.o.stream, durable: c.durable, filter }, (reason) => {
        // another process may be pulling from now on: stop at once
        stopPulling();
        this.error(`partition ${filter} (consumer ${c.durable}): ${reason}; stopped pulling it`);
        this.o.onOwnership?.({ durable: c.durable, filter, owned: false, standby: c.standby, reason });
      }, c.standby ? {
        standby: true,
        onClaimed: (claimant) => {
          // the owner is back: stop pulling, finish and acknowledge the batch in hand, then
          // release, so the owner starts exactly where this process stopped
          stopPulling();
          void (async () => {
            await this.inFlight?.catch(() => undefined);
            await this.leases.get(c.durable)?.release();
            const reason = `handed back to ${describeHolder(claimant)}`;
            this.o.onOwnership?.({ durable: c.durable, filter, owned: false, standby: true, reason, holder: claimant });
          })();
        },
      } : {});
      this.o.onOwnership?.({ durable: c.durable, filter, owned: true, standby: c.standby, ...(c.standby ? { reason: `took over from ${describeHolder(st.lastHolder)}`, holder: st.lastHolder } : {}) });
      return lease;
    } catch (e) {
      if (!(e instanceof LeaseHeldError)) throw e;
      // a partition of ours held by a standby that took it over: ask for it back
      if (!c.standby && e.holder?.standby) await bucket.claim(key, { stream: this.o.stream, durable: c.durable, filter });
      throw new PartitionBusyError(c.durable, filter, e.holder, bucket.ttlMs);
    }
  }

  private async consumeLoop(c: Part): Promise<void> {
    let delay = 200;
    // the lease outlives one consume() (a consumer leader change ends that, not ownership)
    const st: PartState = { current: null, lost: true, lastHolder: null };
    while (this.running) {
      try {
        await this.setup(c);
        if (this.partitioned() && (st.lost || !this.leases.get(c.durable)?.isHeld())) {
          this.leases.set(c.durable, await this.acquire(c, st));
          st.lost = false;
        } else if (!this.partitioned()) st.lost = false;
        const consumer = await this.nc!.jetstream().consumers.get(this.o.stream, c.durable);
        const batch = this.o.batch ?? 1000;
        const msgs = await consumer.consume({
          max_messages: Math.max(batch * 2, 100),
          // short pulls: after a cluster node is lost the consumer's new leader is asked
          // within seconds instead of when a 30 s pull would have expired
          expires: this.o.pullExpiresMs ?? 5000,
          // a pull request the server ended without telling (seen under load on a cluster:
          // no 408 at expiry) is noticed only after two missed heartbeats; messages arriving
          // meanwhile wait. The default (half of expires) made that a 5 s stall.
          idle_heartbeat: this.o.pullHeartbeatMs ?? Math.min(1000, (this.o.pullExpiresMs ?? 5000) / 2),
          callback: (m) => {
            if (st.lost) return;
            this.buf.push({ m, durable: c.durable, at: Date.now() });
            const w = this.wake; this.wake = null; w?.();
          },
        });
        st.current = msgs;
        if (st.lost || !this.running) await msgs.close().catch(() => undefined);
        this.msgs.add(msgs);
        delay = 200;
        const err = await msgs.closed();
        this.msgs.delete(msgs);
        st.current = null;
        if (err) this.error(`consumer ${c.durable} stopped: ${(err as Error).message}`);
      } catch (e) {
        if (e instanceof PartitionBusyError) {
          // a standby waits quietly; it says so when the holder changes
          if (!c.standby) this.error(`consumer ${c.durable} setup: ${e.message}`);
          else if (e.holder?.token !== st.lastHolder?.token) {
            this.o.onOwnership?.({ durable: c.durable, filter: c.filterSubject ?? '', owned: false, standby: true, reason: `standing by: ${describeHolder(e.holder)} holds it`, holder: e.holder });
          }
          if (e.holder) st.lastHolder = e.holder;
          // ask again at a steady pace: a dead owner's lease may end any time
          delay = Math.max(500, Math.min(2000, e.ttlMs / 6));
        } else this.error(`consumer ${c.durable} setup: ${(e as Error).message}`);
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
      const pulled = this.buf.splice(0, max);
      const take = pulled.map((p) => p.m);
      let done!: () => void;
      this.inFlight = new Promise<void>((r) => { done = r; });
      try {
        await this.ingestor.ingest(take.map((m) => m.data));
        for (const m of take) {
          if (m.redelivered) this.stats.redelivered++;
          m.ack();
        }
        this.stats.messages += take.length;
        this.stats.batches++;
        if (this.o.onStoredBatch) {
          const durableMs = Date.now();
          this.o.onStoredBatch({ messages: pulled.map((p) => ({ data: p.m.data, streamMs: p.m.info.timestampNanos / 1e6, pulledMs: p.at })), durableMs });
        }
      } catch (e) {
        // not acknowledged: JetStream redelivers after the ack wait; ask for it sooner
        this.error(`store write failed, messages will be redelivered: ${(e as Error).message}`);
        for (const m of take) m.nak(1000);
      } finally {
        this.inFlight = null;
        done();
      }
    }
  }

  /** Stops pulling, finishes the batch in hand (acknowledging it), gives up the partition leases and closes the connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // messages pulled but not processed are simply left unacknowledged: redelivered later
    this.buf.length = 0;
    for (const m of this.msgs) { try { await m.close(); } catch { /* already closed */ } }
    const w = this.wake; this.wake = null; w?.();
    await this.loop;
    // after the last acknowledgement: the next owner starts where this one stopped
    await Promise.all([...this.leases.values()].map((l) => l.release()));
    this.leases.clear();
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

/** The lease key of a partition's durable consumer (PROTOCOL-partition-lease.md). */
export function leaseKey(stream: string, durable: string): string {
  return `${stream}.${durable}`;
}

export class PartitionBusyError extends Error {
  constructor(durable: string, filter: string, readonly holder: LeaseHolder | null, readonly ttlMs: number) {
    super(`partition ${filter} (consumer ${durable}) is being pulled by another process: ${describeHolder(holder)} holds its lease: each partition must have one central owner; retrying (a dead owner's lease ends within ${Math.round(ttlMs / 1000)} s)`);
    this.name = 'PartitionBusyError';
  }
}

/** A partition's consumer-name part: its name, or its filter with dots and wildcards made safe. */
export function partitionName(p: { filterSubject: string; name?: string }): string {
  const n = p.name ?? p.filterSubject.replace(/\*/g, 'any').replace(/>/g, 'all').replace(/[^A-Za-z0-9_-]+/g, '_');
  if (!/^[A-Za-z0-9_-]+$/.test(n)) throw new Error(`partitions: name ${JSON.stringify(n)} must match [A-Za-z0-9_-]+`);
  return n;
}
