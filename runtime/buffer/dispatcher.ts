// Moves entries from the durable queue to an uplink: up to `maxInFlight` sends at once,
// in queue order; an entry is acknowledged in the queue only once the uplink confirmed
// it. A transient failure stops new sends, waits for the window to settle, puts the
// unconfirmed entries back (they go first again) and retries after a backoff. A
// permanent refusal moves the entry to the quarantine.
import { Backoff, type BackoffOptions } from '../platform';
import type { DurableQueue, QueueEntry } from './durable-queue';

export interface OutboundEntry {
  id: string;
  source: string;
  subject: string;
  category: string;
  created: number;
  count: number;
  body: Buffer;
}

/** What an uplink offers the dispatcher. */
export interface Sender {
  /** Resolves once the broker acknowledged; rejects with PermanentError when it refused for good. */
  send(e: OutboundEntry): Promise<void>;
  isConnected(): boolean;
  /** Called whenever the connection is (re)established. */
  onConnected(cb: () => void): () => void;
}

export class PermanentError extends Error {
  constructor(message: string) { super(message); this.name = 'PermanentError'; }
}

export interface DispatcherOptions {
  maxInFlight?: number;
  /** retry delays; `baseMs` (an alias of initialMs) defaults to 250 ms, jitter to 0.5 (delay in [d/2, d]) */
  backoff?: BackoffOptions & { baseMs?: number };
  /** per-entry callback once acknowledged (latency measurement, rates) */
  onAcked?: (e: QueueEntry) => void;
  onError?: (err: Error, e: QueueEntry) => void;
}

export interface DispatcherStats { sent: number; sentSamples: number; retries: number; failures: number; quarantined: number; lastError: string | null; /** when lastError happened (ms) */ lastErrorAt: number | null; /** when an entry was last delivered (ms) */ lastSentAt: number | null }

export class Dispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private inFlight = 0;
  private readonly backoff: Backoff;
  private readonly maxInFlight: number;
  private unsubs: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  readonly counters: DispatcherStats = { sent: 0, sentSamples: 0, retries: 0, failures: 0, quarantined: 0, lastError: null, lastErrorAt: null, lastSentAt: null };

  constructor(private readonly queue: DurableQueue, private readonly sender: Sender, private readonly o: DispatcherOptions = {}) {
    this.maxInFlight = o.maxInFlight ?? 16;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new Error(`maxInFlight: must be a positive integer (got ${o.maxInFlight})`);
    const { baseMs, ...backoff } = o.backoff ?? {};
    this.backoff = new Backoff({ ...backoff, initialMs: backoff.initialMs ?? baseMs ?? 250, jitter: backoff.jitter ?? 0.5 }, 'backoff');
  }

  isRunning(): boolean { return this.running; }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubs.push(this.queue.onPush(() => this.poke()), this.sender.onConnected(() => { this.backoff.reset(); this.poke(); }));
    this.loop = this.run();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    w?.();
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      if (ms !== null) this.timer = setTimeout(() => this.poke(), ms);
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.sender.isConnected()) { await this.sleep(1000); continue; }
      if (!this.queue.hasWork()) { await this.sleep(null); continue; }
      const failed = await this.sendWindow();
      if (failed) {
        this.counters.retries++;
        if (this.running) await this.sleep(this.backoff.next());
      }
    }
  }

  /** Keeps up to maxInFlight sends going until the queue is empty or a send fails; returns whether one failed. */
  private sendWindow(): Promise<boolean> {
    return new Promise((resolve) => {
      let failed = false;
      const unconfirmed: QueueEntry[] = [];
      const settle = () => {
        if (this.inFlight > 0) return;
        if (failed || !this.running || !this.queue.hasWork()) {
          for (const e of unconfirmed) this.queue.release(e);
          resolve(failed);
          return;
        }
        pump();
      };
      const pump = () => {
        if (failed || !this.running) return settle();
        const batch = this.queue.take(this.maxInFlight - this.inFlight);
        if (!batch.length) return settle();
        for (const e of batch) {
          this.inFlight++;
          const out: OutboundEntry = { id: e.id, source: e.source, subject: e.subject, category: e.category, created: e.created, count: e.count, body: this.queue.payload(e) };
          let p: Promise<void>;
          try { p = this.sender.send(out); } catch (err) { p = Promise.reject(err); }
          p.then(() => {
            this.inFlight--;
            this.queue.ack(e);
            this.counters.sent++;
            this.counters.sentSamples += e.count;
            this.counters.lastSentAt = Date.now();
            if (!failed) this.backoff.reset();
            this.o.onAcked?.(e);
            if (failed || this.inFlight === 0) settle(); else if (this.inFlight < this.maxInFlight / 2) pump();
          }, (err: Error) => {
            this.inFlight--;
            this.counters.lastError = err?.message ?? String(err);
            this.counters.lastErrorAt = Date.now();
            if (err instanceof PermanentError || (err as { permanent?: boolean })?.permanent) {
              this.queue.quarantine(e, err.message);
              this.counters.quarantined++;
            } else {
              failed = true;
              this.counters.failures++;
              unconfirmed.push(e);
            }
            this.o.onError?.(err, e);
            if (this.inFlight === 0) settle(); else if (!failed) pump();
          });
        }
      };
      pump();
    });
  }

  /** Stops sending; entries still in flight are released when their sends settle. */
  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubs) u();
    this.unsubs = [];
    this.poke();
    await this.loop;
    this.loop = null;
  }
}
