// WebSocket endpoint of the live bus (protocol in PROTOCOL.md). Each client gets its own
// subscriptions and a bounded ClientQueue; queued samples leave at once when nothing was
// sent for `flushMs`, otherwise at the end of that interval. So a quiet stream pays no
// batching delay, a busy one still travels as at most one frame per `flushMs`, and a slow
// client never makes the server buffer without bound.
import { REALM } from '../http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { patternError, toWireSample } from '../model';
import { ClientQueue } from './client-queue';
import type { LiveBus } from './bus';

export interface LiveSocketOptions {
  /** How often queued samples are sent, ms. */
  flushMs?: number;
  /** Bound of each client's queue, in samples. */
  maxQueue?: number;
  /** Samples per frame at most. */
  maxBatch?: number;
  /** Socket send buffer above which we stop sending and let the queue coalesce. */
  maxBufferedBytes?: number;
  /** Decides whether the upgrade request may connect; a string is the refusal reason. */
  authorize?: (req: IncomingMessage) => Promise<true | { status: number; reason: string }>;
  /** Whether the (authorized) client may subscribe to a pattern. */
  mayPattern?: (req: IncomingMessage, pattern: string) => boolean;
}

/**
 * Close codes of the live socket (PROTOCOL.md): the credentials that opened the connection
 * no longer authenticate (logout, account disabled, role changed, password reset, token
 * revoked or expired) — sign in again, do not just reconnect; or they still do, but no
 * longer allow live data.
 */
export const CLOSE_SESSION_ENDED = 4401;
export const CLOSE_NOT_ALLOWED = 4403;

interface Client {
  ws: WebSocket;
  req: IncomingMessage;
  queue: ClientQueue;
  unsubs: Map<string, () => void>;
}

export class LiveSocket {
  private wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private clients = new Set<Client>();
  /** the pending flush (immediate or timer), at most one */
  private pending: { cancel(): void } | null = null;
  private lastFlush = -Infinity;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  sentSamples = 0;

  constructor(private readonly bus: LiveBus, private readonly opts: LiveSocketOptions = {}) {
    this.flushMs = opts.flushMs ?? 50;
    this.maxQueue = opts.maxQueue ?? 20_000;
    this.maxBatch = opts.maxBatch ?? 5_000;
    this.maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over an HTTP upgrade for the live path. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const verdict = this.opts.authorize ? await this.opts.authorize(req).catch(() => ({ status: 500, reason: 'authorization failed' })) : true;
    if (verdict !== true) {
      // the same challenge as every 401 of the API (runtime/http/respond.ts)
      const challenge = verdict.status === 401 ? `WWW-Authenticate: Bearer realm="${REALM}"\r\n` : '';
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\n${challenge}Content-Type: text/plain\r\nConnection: close\r\n\r\n${verdict.reason}\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const client: Client = { ws, req, queue: new ClientQueue(this.maxQueue), unsubs: new Map() };
    this.clients.add(client);
    this.send(client, { type: 'hello', server: 'historian', flushMs: this.flushMs, maxQueue: this.maxQueue });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.send(client, { type: 'error', message: 'binary frames are not supported; send JSON text' });
      this.onMessage(client, data.toString());
    });
    const drop = () => this.drop(client);
    ws.on('close', drop);
    ws.on('error', drop);
  }

  private onMessage(client: Client, text: string): void {
    let msg: { op?: unknown; patterns?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return this.send(client, { type: 'error', message: 'message is not valid JSON' });
    }
    const id = msg.id;
    if (msg.op === 'ping') return this.send(client, { type: 'pong', id });
    if (msg.op !== 'subscribe' && msg.op !== 'unsubscribe') {
      return this.send(client, { type: 'error', id, message: 'op: must be "subscribe", "unsubscribe" or "ping"' });
    }
    if (!Array.isArray(msg.patterns) || msg.patterns.length === 0 || msg.patterns.length > 1000) {
      return this.send(client, { type: 'error', id, message: 'patterns: must be a non-empty array of at most 1000 tag patterns' });
    }
    const patterns = msg.patterns as unknown[];
    for (let i = 0; i < patterns.length; i++) {
      const err = patternError(patterns[i]);
      if (err) return this.send(client, { type: 'error', id, message: `patterns[${i}]: ${err}` });
      if (msg.op === 'subscribe' && this.opts.mayPattern && !this.opts.mayPattern(client.req, patterns[i] as string)) {
        return this.send(client, { type: 'error', id, message: `patterns[${i}]: not allowed for this account` });
      }
    }
    for (const p of patterns as string[]) {
      if (msg.op === 'subscribe') {
        if (!client.unsubs.has(p)) client.unsubs.set(p, this.bus.subscribe(p, (samples) => { client.queue.push(samples); this.schedule(); }));
      } else {
        client.unsubs.get(p)?.();
        client.unsubs.delete(p);
      }
    }
    this.send(client, { type: msg.op === 'subscribe' ? 'subscribed' : 'unsubscribed', id, patterns: [...client.unsubs.keys()] });
  }

  /**
   * Checks every open connection's credentials again (after a logout, a disable, a role
   * change, a token revocation...) and closes those that no longer pass, with
   * CLOSE_SESSION_ENDED (401) or CLOSE_NOT_ALLOWED (403). Returns how many were closed.
   */
  async recheck(): Promise<number> {
    const authorize = this.opts.authorize;
    if (!authorize) return 0;
    let closed = 0;
    for (const c of [...this.clients]) {
      const verdict = await authorize(c.req).catch(() => ({ status: 401, reason: 'authorization failed' }));
      if (verdict === true || !this.clients.has(c)) continue;
      const code = verdict.status === 403 ? CLOSE_NOT_ALLOWED : CLOSE_SESSION_ENDED;
      // the reason travels in the close frame (at most 123 bytes)
      c.ws.close(code, Buffer.from(verdict.reason).subarray(0, 120).toString());
      this.drop(c);
      closed++;
    }
    return closed;
  }

  /** Pushes a non-sample event (e.g. an alarm transition) to every client. */
  broadcast(event: { type: string; [k: string]: unknown }): void {
    for (const c of this.clients) this.send(c, event);
  }

  /**
   * Plans the next flush: right after the current event-loop turn (so every sample
   * published in it shares the frame) when the last flush is `flushMs` old, else when it
   * will be.
   */
  private schedule(): void {
    if (this.pending || this.closed) return;
    const wait = this.lastFlush + this.flushMs - performance.now();
    if (wait <= 0) {
      const h = setImmediate(() => this.flush());
      this.pending = { cancel: () => clearImmediate(h) };
    } else {
      const t = setTimeout(() => this.flush(), wait);
      t.unref();
      this.pending = { cancel: () => clearTimeout(t) };
    }
  }

  private flush(): void {
    this.pending = null;
    this.lastFlush = performance.now();
    let left = false;
    for (const c of this.clients) {
      if (c.queue.size === 0) continue;
      // a client with a full send buffer waits (its queue coalesces) until the next interval
      if (c.ws.bufferedAmount > this.maxBuffered) { left = true; continue; }
      const coalesced = c.queue.coalescing;
      const batch = c.queue.take(this.maxBatch);
      const dropped = c.queue.dropped;
      c.queue.dropped = 0;
      this.sentSamples += batch.length;
      this.send(c, { type: 'samples', samples: batch.map(toWireSample), coalesced, dropped });
      if (c.queue.size > 0) left = true;
    }
    if (left) this.schedule();
  }

  private send(c: Client, obj: unknown): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(obj));
  }

  private drop(c: Client): void {
    for (const u of c.unsubs.values()) u();
    c.unsubs.clear();
    this.clients.delete(c);
  }

  close(): void {
    this.closed = true;
    this.pending?.cancel();
    this.pending = null;
    for (const c of this.clients) {
      c.ws.close(1001, 'server shutting down');
      this.drop(c);
    }
    this.wss.close();
  }
}
