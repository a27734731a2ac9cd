// NATS JetStream uplink: publish with an acknowledgement, `Nats-Msg-Id` = event id so the
// stream's duplicate window drops re-sends; the stream is created when configured.
import { nanos, StorageType, type JetStreamClient, type NatsConnection, type NatsError } from 'nats';
import { PermanentError, type OutboundEntry, type Sender } from '../buffer';
import { connectNats, type NatsConnectOptions } from './nats-connection';
import { splitToFit } from './envelope-split';

/** bytes of max_payload left for the message's headers (Nats-Msg-Id and the header block) */
const NATS_HEADER_ROOM = 256;

export interface StreamConfig {
  name: string;
  /** subjects the stream captures, e.g. ["hist.>"] */
  subjects: string[];
  /** create (or update) the stream on connect (default true) */
  create?: boolean;
  /** JetStream duplicate window (default 2 min) */
  duplicateWindowMs?: number;
  maxBytes?: number;
  maxAgeMs?: number;
  /** copies of the stream on cluster nodes: a number, or "auto" (default): 3 on a cluster, 1 on a single server */
  replicas?: number | 'auto';
  /** where the replicas go: a cluster name and/or server tags (nats-server `server_tags`) */
  placement?: StreamPlacement;
}

export interface StreamPlacement { cluster?: string; tags?: string[] }

export interface NatsUplinkOptions extends NatsConnectOptions {
  stream?: StreamConfig;
  /** how long to wait for a publish acknowledgement (default 5 s) */
  ackTimeoutMs?: number;
}

export class NatsUplink implements Sender {
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private connected = false;
  private closed = false;
  private listeners = new Set<() => void>();
  private connecting: Promise<void> | null = null;
  // sends waiting for an acknowledgement, by subject: a publish the server refuses for
  // lack of permission gets no answer, only an asynchronous error naming the subject
  private waiting = new Map<string, Set<(e: Error) => void>>();
  /** publishes the server refused for lack of permission (subject → count) */
  readonly refused = new Map<string, number>();
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  /**
   * The largest body the stream took less than: learnt when it refuses a message over its
   * max_msg_size (10054), which a gateway without JetStream API rights cannot read beforehand.
   */
  private streamLimit = Infinity;

  constructor(readonly o: NatsUplinkOptions) {
    if (o.ackTimeoutMs !== undefined && !(o.ackTimeoutMs > 0)) throw new Error('ackTimeoutMs: must be positive');
    if (o.stream) {
      if (!/^[A-Za-z0-9_-]+$/.test(o.stream.name ?? '')) throw new Error('stream.name: must match [A-Za-z0-9_-]+');
      if (!Array.isArray(o.stream.subjects) || !o.stream.subjects.length) throw new Error('stream.subjects: must list at least one subject');
      try { validReplicas(o.stream.replicas); } catch (e) { throw new Error(`stream.${(e as Error).message}`); }
    }
  }

  /** Starts connecting in the background (the first connection may wait for the server). */
  start(): Promise<void> {
    if (!this.connecting) this.connecting = this.connectLoop();
    return this.connecting;
  }

  private failed(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  private async connectLoop(): Promise<void> {
    let nc: NatsConnection | null = null;
    // Refused credentials or certificates are retried too, slowly (1 s doubling to 30 s):
    // a gateway picks up a fixed broker or a rotated secret without a redeploy, and its
    // buffer keeps the samples meanwhile. lastError says what to check.
    for (let wait = 1000; !nc; wait = Math.min(wait * 2, 30_000)) {
      try {
        nc = await connectNats({ ...this.o, onRetry: (m) => { this.failed(m); this.o.onRetry?.(m); } });
      } catch (e) {
        this.failed((e as Error).message);
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, wait));
        if (this.closed) return;
      }
    }
    if (this.closed) { await nc.close(); return; }
    this.nc = nc;
    this.js = nc.jetstream();
    void this.watch(nc);
    await this.ready();
  }

  private async ready(): Promise<void> {
    try {
      if (this.o.stream && this.o.stream.create !== false) await ensureStream(this.nc!, this.o.stream);
      this.connected = true;
      for (const l of this.listeners) l();
    } catch (e) {
      this.failed(`stream setup: ${(e as Error).message}`);
      // try again shortly: the server may still be recovering JetStream after a restart
      setTimeout(() => { if (!this.closed && this.nc && !this.nc.isClosed()) void this.ready(); }, 500).unref();
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      const ctx = (s as { permissionContext?: { operation?: string; subject?: string } }).permissionContext;
      if (s.type === 'error' && ctx?.operation === 'publish' && ctx.subject) this.refuse(ctx.subject);
      if (s.type === 'disconnect') {
        this.connected = false;
        this.failed(`disconnected from ${typeof s.data === 'string' && s.data ? s.data : 'the NATS server'}; reconnecting (the buffer keeps what comes meanwhile)`);
      }
      else if (s.type === 'reconnect') void this.ready();
    }
  }

  isConnected(): boolean { return this.connected && !!this.nc && !this.nc.isClosed(); }

  onConnected(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  /** Fails the sends waiting on `subject` (counting them) and says why; `extra` counts a send already failed. */
  private refuse(subject: string, extra = 0): PermanentError {
    const message = `NATS refused publishing to "${subject}": permissions violation (this gateway's credentials allow other subjects; check the subject template against the site prefix it was given)`;
    // JetStream API refusals are reported by the stream setup that made them
    if (subject.startsWith('$JS.')) return new PermanentError(message);
    this.failed(message);
    const err = new PermanentError(message);
    const waiting = this.waiting.get(subject) ?? new Set();
    if (waiting.size + extra) this.refused.set(subject, (this.refused.get(subject) ?? 0) + waiting.size + extra);
    for (const reject of waiting) reject(err);
    this.waiting.delete(subject);
    return err;
  }

  /** A plain (not JetStream) publish, e.g. the gateway heartbeat; throws while disconnected. */
  publishCore(subject: string, data: Uint8Array): void {
    if (!this.nc || !this.connected) throw new Error('not connected to NATS');
    this.nc.publish(subject, data);
  }

  async send(e: OutboundEntry): Promise<void> {
    if (!this.js || !this.connected) throw new Error('not connected to NATS');
    // the server refuses a message over its max_payload (headers included) at every attempt:
    // larger envelopes go as parts that fit (envelope-split.ts)
    const max = this.nc?.info?.max_payload;
    const limit = Math.min(typeof max === 'number' && max > 0 ? max - NATS_HEADER_ROOM : Infinity, this.streamLimit);
    const parts = limit === Infinity ? [e] : splitToFit(e, limit);
    for (const p of parts) {
      try {
        await this.publishOne(p);
      } catch (err) {
        // over the stream's own max_msg_size: sent again, in parts half this size (the
        // dispatcher retries it); one sample over it is refused for good by the split
        if (!(err instanceof StreamMessageTooLarge)) throw err;
        this.streamLimit = Math.floor(p.body.length / 2);
        throw new Error(`${err.message}; sent again in parts of at most ${this.streamLimit} bytes`);
      }
    }
  }

  private async publishOne(e: OutboundEntry): Promise<void> {
    if (!this.js || !this.connected) throw new Error('not connected to NATS');
    let reject!: (e: Error) => void;
    const refusal = new Promise<never>((_, rej) => { reject = rej; });
    let set = this.waiting.get(e.subject);
    if (!set) { set = new Set(); this.waiting.set(e.subject, set); }
    set.add(reject);
    try {
      await Promise.race([this.js.publish(e.subject, e.body, { msgID: e.id, timeout: this.o.ackTimeoutMs ?? 5000 }), refusal]);
    } catch (err) {
      if (err instanceof PermanentError) throw new PermanentError(`${err.message} [${e.id}]`);
      const ne = err as NatsError;
      // the request's own rejection may come before the connection's status event
      if (ne?.code === 'PERMISSIONS_VIOLATION') {
        set.delete(reject);
        const r = this.refuse(e.subject, 1);
        throw new PermanentError(`${r.message} [${e.id}]`);
      }
      this.failed(ne.message);
      if (ne?.api_error?.err_code === 10054) throw new StreamMessageTooLarge(`NATS stream refused ${e.id} of ${e.body.length} bytes: ${ne.message}`);
      if (isPermanent(ne)) throw new PermanentError(`NATS refused ${e.id}: ${ne.message}`);
      throw err;
    } finally {
      set.delete(reject);
      if (!set.size && this.waiting.get(e.subject) === set) this.waiting.delete(e.subject);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

/** The stream refused a message over its max_msg_size (10054): smaller parts will do. */
class StreamMessageTooLarge extends Error {}

function isPermanent(e: NatsError): boolean {
  if (e?.code === 'MAX_PAYLOAD_EXCEEDED') return true;
  const api = e?.api_error;
  // 10054: message size exceeds the stream's max_msg_size; 400s are requests the stream will never take
  if (api && (api.err_code === 10054 || api.code === 400)) return true;
  return false;
}

export async function ensureStream(nc: NatsConnection, s: StreamConfig): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const replicas = validReplicas(s.replicas);
  const cfg = {
    name: s.name, subjects: s.subjects, storage: StorageType.File,
    duplicate_window: nanos(s.duplicateWindowMs ?? 120_000),
    ...(s.maxBytes ? { max_bytes: s.maxBytes } : {}),
    ...(s.maxAgeMs ? { max_age: nanos(s.maxAgeMs) } : {}),
    ...(s.placement && (s.placement.cluster || s.placement.tags?.length) ? { placement: { cluster: s.placement.cluster ?? '', tags: s.placement.tags ?? [] } } : {}),
  };
  try {
    const info = await jsm.streams.info(s.name);
    const have = new Set(info.config.subjects ?? []);
    const moreSubjects = s.subjects.some((x) => !have.has(x));
    // an explicit replica count is applied to an existing stream (JetStream moves the data); "auto" never shrinks one
    const scale = typeof replicas === 'number' && info.config.num_replicas !== replicas;
    if (moreSubjects || scale) {
      await jsm.streams.update(s.name, { ...info.config, subjects: [...new Set([...have, ...s.subjects])], ...(scale ? { num_replicas: replicas as number } : {}) });
    }
  } catch (e) {
    if ((e as NatsError).api_error?.err_code !== 10059 && !/not found/i.test((e as Error).message)) throw e;
    if (typeof replicas === 'number') { await jsm.streams.add({ ...cfg, num_replicas: replicas }); return; }
    try {
      // 3 copies survive the loss of one node; a client behind a leaf node sees no cluster
      // in its server's INFO, so ask for 3 and settle for 1 only when JetStream says it
      // runs on a single server
      await jsm.streams.add({ ...cfg, num_replicas: 3 });
    } catch (err) {
      if (!isNotClustered(err)) throw err;
      await jsm.streams.add({ ...cfg, num_replicas: 1 });
    }
    return;
  }
}

/** JetStream's answer to replicas > 1 on a server that is not part of a cluster. */
export function isNotClustered(e: unknown): boolean {
  const api = (e as NatsError).api_error;
  return api?.err_code === 10074 || /non-clustered|not clustered/i.test((e as Error).message ?? '');
}

export function validReplicas(r: StreamConfig['replicas']): number | 'auto' {
  if (r === undefined || r === 'auto') return 'auto';
  if (!Number.isInteger(r) || r < 1 || r > 5) throw new Error(`replicas: must be "auto" or an integer from 1 to 5 (got ${JSON.stringify(r)})`);
  return r;
}
