// NATS JetStream uplink: publish with an acknowledgement, `Nats-Msg-Id` = event id so the
// stream's duplicate window drops re-sends; the stream is created when configured.
import { nanos, StorageType, type JetStreamClient, type NatsConnection, type NatsError } from 'nats';
import { PermanentError, type OutboundEntry, type Sender } from '../buffer';
import { connectNats, type NatsConnectOptions } from './nats-connection';

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
}

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
  lastError: string | null = null;

  constructor(readonly o: NatsUplinkOptions) {
    if (o.ackTimeoutMs !== undefined && !(o.ackTimeoutMs > 0)) throw new Error('ackTimeoutMs: must be positive');
    if (o.stream) {
      if (!/^[A-Za-z0-9_-]+$/.test(o.stream.name ?? '')) throw new Error('stream.name: must match [A-Za-z0-9_-]+');
      if (!Array.isArray(o.stream.subjects) || !o.stream.subjects.length) throw new Error('stream.subjects: must list at least one subject');
    }
  }

  /** Starts connecting in the background (the first connection may wait for the server). */
  start(): Promise<void> {
    if (!this.connecting) this.connecting = this.connectLoop();
    return this.connecting;
  }

  private async connectLoop(): Promise<void> {
    let nc: NatsConnection | null = null;
    // Refused credentials or certificates are retried too, slowly (1 s doubling to 30 s):
    // a gateway picks up a fixed broker or a rotated secret without a redeploy, and its
    // buffer keeps the samples meanwhile. lastError says what to check.
    for (let wait = 1000; !nc; wait = Math.min(wait * 2, 30_000)) {
      try {
        nc = await connectNats({ ...this.o, onRetry: (m) => { this.lastError = m; this.o.onRetry?.(m); } });
      } catch (e) {
        this.lastError = (e as Error).message;
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
      this.lastError = `stream setup: ${(e as Error).message}`;
      // try again shortly: the server may still be recovering JetStream after a restart
      setTimeout(() => { if (!this.closed && this.nc && !this.nc.isClosed()) void this.ready(); }, 500).unref();
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.connected = false;
      else if (s.type === 'reconnect') void this.ready();
    }
  }

  isConnected(): boolean { return this.connected && !!this.nc && !this.nc.isClosed(); }

  onConnected(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  async send(e: OutboundEntry): Promise<void> {
    if (!this.js || !this.connected) throw new Error('not connected to NATS');
    try {
      await this.js.publish(e.subject, e.body, { msgID: e.id, timeout: this.o.ackTimeoutMs ?? 5000 });
    } catch (err) {
      const ne = err as NatsError;
      this.lastError = ne.message;
      if (isPermanent(ne)) throw new PermanentError(`NATS refused ${e.id}: ${ne.message}`);
      throw err;
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

function isPermanent(e: NatsError): boolean {
  if (e?.code === 'MAX_PAYLOAD_EXCEEDED') return true;
  const api = e?.api_error;
  // 10054: message size exceeds the stream's max_msg_size; 400s are requests the stream will never take
  if (api && (api.err_code === 10054 || api.code === 400)) return true;
  return false;
}

export async function ensureStream(nc: NatsConnection, s: StreamConfig): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const cfg = {
    name: s.name, subjects: s.subjects, storage: StorageType.File,
    duplicate_window: nanos(s.duplicateWindowMs ?? 120_000),
    ...(s.maxBytes ? { max_bytes: s.maxBytes } : {}),
    ...(s.maxAgeMs ? { max_age: nanos(s.maxAgeMs) } : {}),
  };
  try {
    const info = await jsm.streams.info(s.name);
    const have = new Set(info.config.subjects ?? []);
    if (s.subjects.some((x) => !have.has(x))) await jsm.streams.update(s.name, { ...info.config, subjects: [...new Set([...have, ...s.subjects])] });
  } catch (e) {
    if ((e as NatsError).api_error?.err_code !== 10059 && !/not found/i.test((e as Error).message)) throw e;
    await jsm.streams.add(cfg);
  }
}
