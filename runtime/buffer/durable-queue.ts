// The durable queue of store-and-forward: an in-memory index of every pending entry in
// sequence order whose bodies live in RAM up to a limit and otherwise in append-only
// segment files (spill), or always on disk as well (journal). An entry leaves the queue
// only when acknowledged (or quarantined, or dropped by the drop-oldest policy).
// Entries are handed out strictly in sequence order; released ones come back first.
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { encodeEntry, type EntryMeta } from './record';
import { Quarantine, type QuarantineItem } from './quarantine';
import { SegmentLog } from './segment-log';
import { type BufferEvent, type Category, CATEGORIES, type FsyncPolicy, type FullPolicy, type JournalMode, type Logger, silentLogger } from './types';

export interface QueueOptions {
  dir: string;
  /** bytes of entry bodies kept in RAM (default 64 MiB) */
  ramLimitBytes?: number;
  /** bytes of segment and quarantine files at most (default 1 GiB) */
  diskLimitBytes?: number;
  journal?: JournalMode;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  segmentBytes?: number;
  policy?: FullPolicy;
  onEvent?: (e: BufferEvent) => void;
  logger?: Logger;
  clock?: () => number;
}

export interface PushInput {
  /** event id; a new UUIDv7 when omitted */
  id?: string;
  source: string;
  subject: string;
  category?: Category;
  created?: number;
  /** samples in the body */
  count: number;
  body: Buffer;
}

export interface QueueEntry extends EntryMeta {
  bytes: number;
  /** body held in RAM (counted against the RAM limit) */
  body: Buffer | null;
  /** body read back from disk for sending (not counted) */
  loaded: Buffer | null;
  seg: number;
  pos: number;
  state: 0 | 1 | 2;
}

export interface QueueStats {
  pending: number;
  pendingSamples: number;
  inFlight: number;
  ramBytes: number;
  diskBytes: number;
  onDisk: number;
  oldestCreated: number | null;
  quarantined: number;
  dropped: number;
  droppedSamples: number;
  pushed: number;
  acked: number;
  ackedSamples: number;
  diskFull: boolean;
  blocked: number;
}

const PENDING = 0, IN_FLIGHT = 1, DONE = 2;

export class BufferClosedError extends Error {
  constructor() { super('buffer is closed'); this.name = 'BufferClosedError'; }
}

export class DurableQueue {
  private q: QueueEntry[] = [];
  private head = 0;
  private cursor = 0;
  private retry: QueueEntry[] = [];
  private nextSeq: number;
  private ram = 0;
  private inFlight = 0;
  private pendingCount = 0;
  private pendingSamples = 0;
  private onDiskCount = 0;
  private counters = { dropped: 0, droppedSamples: 0, pushed: 0, acked: 0, ackedSamples: 0 };
  private flushScheduled = false;
  private flushWaiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];
  private blocked = 0;
  private diskFull = false;
  private tail: Promise<unknown> = Promise.resolve();
  private wakers = new Set<() => void>();
  private closed = false;
  private readonly log: SegmentLog;
  private readonly quarantineStore: Quarantine;
  readonly o: Required<Omit<QueueOptions, 'onEvent'>> & { onEvent: (e: BufferEvent) => void };

  private constructor(o: QueueOptions) {
    this.o = {
      dir: o.dir, ramLimitBytes: o.ramLimitBytes ?? 64 << 20, diskLimitBytes: o.diskLimitBytes ?? 1 << 30,
      journal: o.journal ?? 'spill', fsync: o.fsync ?? 'interval', fsyncIntervalMs: o.fsyncIntervalMs ?? 200,
      segmentBytes: o.segmentBytes ?? 16 << 20, policy: o.policy ?? 'block', onEvent: o.onEvent ?? (() => {}),
      logger: o.logger ?? silentLogger, clock: o.clock ?? Date.now,
    };
    validate(this.o);
    const { log, entries, maxSeq, torn } = SegmentLog.open(path.join(o.dir, 'segments'), {
      segmentBytes: this.o.segmentBytes, fsync: this.o.fsync, fsyncIntervalMs: this.o.fsyncIntervalMs, logger: this.o.logger,
    });
    this.log = log;
    this.quarantineStore = new Quarantine(path.join(o.dir, 'quarantine.log'), this.o.fsync !== 'never', this.o.logger);
    this.nextSeq = Math.max(maxSeq, ...this.quarantineStore.list().map((i) => i.seq)) + 1;
    let samples = 0;
    for (const e of entries) {
      this.q.push({ ...e, bytes: e.len, body: null, loaded: null, state: PENDING });
      samples += e.count;
    }
    this.pendingCount = entries.length;
    this.pendingSamples = samples;
    this.onDiskCount = entries.length;
    if (entries.length || torn) this.o.onEvent({ type: 'recovered', entries: entries.length, samples, tornSegments: torn });
  }

  /** Opens (and recovers) the queue in `dir`. */
  static open(o: QueueOptions): DurableQueue {
    if (!o || typeof o.dir !== 'string' || !o.dir) throw new Error('dir: must be a directory path');
    return new DurableQueue(o);
  }

  /**
   * Adds an entry. Resolves once it is accepted: journaled per the fsync policy when it
   * went to disk. With the `block` policy and a full disk it waits for room; entries
   * keep their order either way.
   */
  push(input: PushInput): Promise<QueueEntry> {
    if (this.closed) return Promise.reject(new BufferClosedError());
    try { checkInput(input); } catch (e) { return Promise.reject(e); }
    const admitted = this.tail.then(() => this.admit(input));
    this.tail = admitted.then(() => undefined, () => undefined);
    return admitted.then((r) => r.durable.then(() => r.entry));
  }

  private async admit(input: PushInput): Promise<{ entry: QueueEntry; durable: Promise<void> }> {
    if (this.closed) throw new BufferClosedError();
    const body = input.body;
    const toDisk = this.o.journal === 'always' || this.ram + body.length > this.o.ramLimitBytes;
    if (toDisk) await this.makeRoom(body.length + 256);
    const e: QueueEntry = {
      seq: this.nextSeq++, id: input.id ?? uuidv7(), source: input.source, subject: input.subject,
      category: input.category ?? 'telemetry', created: input.created ?? this.o.clock(), count: input.count,
      bytes: body.length, body: null, loaded: null, seg: -1, pos: 0, state: PENDING,
    };
    let durable: Promise<void> = Promise.resolve();
    if (toDisk) {
      const { record, bodyOffset } = encodeEntry(e, body);
      const at = this.log.appendEntry(record, bodyOffset);
      e.seg = at.seg;
      e.pos = at.pos;
      this.onDiskCount++;
      durable = this.scheduleFlush();
    }
    if (!toDisk || this.ram + body.length <= this.o.ramLimitBytes) {
      e.body = body;
      this.ram += body.length;
    }
    this.q.push(e);
    this.pendingCount++;
    this.pendingSamples += e.count;
    this.counters.pushed++;
    for (const w of this.wakers) w();
    return { entry: e, durable };
  }

  private diskBytes(): number { return this.log.bytes + this.quarantineStore.bytes; }

  private async makeRoom(need: number): Promise<void> {
    const limit = this.o.diskLimitBytes;
    if (this.diskBytes() + need <= limit) { this.setFull(false); return; }
    this.setFull(true);
    if (this.o.policy === 'drop-oldest') {
      let entries = 0, samples = 0;
      for (let i = this.head; i < this.q.length && this.diskBytes() + need > limit; i++) {
        const e = this.q[i];
        if (e.state !== PENDING) continue;
        samples += e.count;
        entries++;
        this.finish(e);
        const r = this.retry.indexOf(e);
        if (r >= 0) this.retry.splice(r, 1);
        if (e.seg >= 0) this.log.flush();
      }
      if (entries) {
        this.counters.dropped += entries;
        this.counters.droppedSamples += samples;
        this.o.onEvent({ type: 'dropped', entries, samples, totalDropped: this.counters.droppedSamples });
      }
      // nothing left to drop (all in flight): accept over the limit rather than lose the newest
      return;
    }
    this.blocked++;
    try {
      while (this.diskBytes() + need > limit) {
        if (this.closed) throw new BufferClosedError();
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      }
    } finally { this.blocked--; }
    this.setFull(false);
  }

  private setFull(full: boolean): void {
    if (full === this.diskFull) return;
    this.diskFull = full;
    const diskBytes = this.diskBytes(), limit = this.o.diskLimitBytes;
    this.o.onEvent(full ? { type: 'disk-full', policy: this.o.policy, diskBytes, limit } : { type: 'disk-ok', diskBytes, limit });
  }

  private scheduleFlush(): Promise<void> {
    const p = new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushNow());
    }
    return p;
  }

  private flushNow(): void {
    this.flushScheduled = false;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    if (!this.closed) this.log.flush();
    for (const w of waiters) w();
    if (this.spaceWaiters.length && this.diskBytes() <= this.o.diskLimitBytes) {
      const sw = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of sw) w();
    }
  }

  /** Up to `max` entries to send, oldest first; their bodies are loaded. */
  take(max: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    while (out.length < max && this.retry.length) out.push(this.retry.shift()!);
    while (out.length < max && this.cursor < this.q.length) {
      const e = this.q[this.cursor++];
      if (e.state === PENDING) out.push(e);
    }
    for (const e of out) {
      e.state = IN_FLIGHT;
      this.inFlight++;
      if (!e.body && !e.loaded) e.loaded = this.log.read(e.seg, e.pos, e.bytes);
    }
    return out;
  }

  /** The body of an entry handed out by take(). */
  payload(e: QueueEntry): Buffer {
    const b = e.body ?? e.loaded;
    if (!b) throw new Error(`entry ${e.id} has no body loaded`);
    return b;
  }

  /** The uplink acknowledged the entry: it leaves the queue. */
  ack(e: QueueEntry): void {
    if (e.state === DONE) return;
    this.counters.acked++;
    this.counters.ackedSamples += e.count;
    this.finish(e);
  }

  /** Sending failed: the entry is pending again and is handed out before newer ones. */
  release(e: QueueEntry): void {
    if (e.state !== IN_FLIGHT) return;
    e.state = PENDING;
    this.inFlight--;
    if (e.body === null) e.loaded = null;
    let i = this.retry.length;
    while (i > 0 && this.retry[i - 1].seq > e.seq) i--;
    this.retry.splice(i, 0, e);
  }

  /** The broker refused the entry for good: it moves to the quarantine. */
  quarantine(e: QueueEntry, reason: string): void {
    if (e.state === DONE) return;
    const body = e.body ?? e.loaded ?? this.log.read(e.seg, e.pos, e.bytes);
    this.quarantineStore.add(e, body, reason, this.o.clock());
    this.finish(e);
    this.o.onEvent({ type: 'quarantined', id: e.id, reason });
  }

  private finish(e: QueueEntry): void {
    if (e.state === IN_FLIGHT) this.inFlight--;
    e.state = DONE;
    if (e.seg >= 0) { this.log.ack(e.seq, e.seg); this.onDiskCount--; void this.scheduleFlush(); }
    if (e.body) this.ram -= e.bytes;
    e.body = e.loaded = null;
    this.pendingCount--;
    this.pendingSamples -= e.count;
    while (this.head < this.q.length && this.q[this.head].state === DONE) this.head++;
    if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
  }

  quarantined(): QuarantineItem[] { return this.quarantineStore.list(); }

  /** Moves quarantined entries (all when `ids` is omitted) back to the end of the queue, with their event ids. */
  async replayQuarantine(ids?: readonly string[]): Promise<number> {
    const items = this.quarantineStore.remove(ids);
    for (const it of items) {
      await this.push({ id: it.id, source: it.source, subject: it.subject, category: it.category, created: it.created, count: it.count, body: it.body });
    }
    return items.length;
  }

  /** Deletes quarantined entries (all when `ids` is omitted); returns how many. */
  purgeQuarantine(ids?: readonly string[]): number {
    const n = this.quarantineStore.remove(ids).length;
    if (n) this.flushNow();
    return n;
  }

  /** Calls `fn` whenever an entry is added (the dispatcher waits on it). */
  onPush(fn: () => void): () => void {
    this.wakers.add(fn);
    return () => { this.wakers.delete(fn); };
  }

  hasWork(): boolean { return this.retry.length > 0 || this.cursor < this.q.length; }

  stats(): QueueStats {
    const oldest = this.head < this.q.length ? this.q[this.head].created : null;
    return {
      pending: this.pendingCount, pendingSamples: this.pendingSamples, inFlight: this.inFlight, ramBytes: this.ram,
      diskBytes: this.diskBytes(), onDisk: this.onDiskCount, oldestCreated: oldest, quarantined: this.quarantineStore.count,
      ...this.counters, diskFull: this.diskFull, blocked: this.blocked,
    };
  }

  /** Writes entries held only in RAM to disk so a restart finds them, then closes the files. */
  close(): void {
    if (this.closed) return;
    for (let i = this.head; i < this.q.length; i++) {
      const e = this.q[i];
      if (e.state === DONE || e.seg >= 0 || !e.body) continue;
      const { record, bodyOffset } = encodeEntry(e, e.body);
      this.log.appendEntry(record, bodyOffset);
    }
    this.closed = true;
    this.log.close();
    this.quarantineStore.close();
    const waiters = [...this.flushWaiters, ...this.spaceWaiters];
    this.flushWaiters = [];
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }
}

function checkInput(i: PushInput): void {
  if (!i || typeof i !== 'object') throw new TypeError('entry: must be an object');
  if (!Buffer.isBuffer(i.body)) throw new TypeError('body: must be a Buffer');
  if (typeof i.source !== 'string' || !i.source) throw new TypeError('source: must be a non-empty string');
  if (typeof i.subject !== 'string' || !i.subject) throw new TypeError('subject: must be a non-empty string');
  if (i.category !== undefined && !CATEGORIES.includes(i.category)) throw new TypeError(`category: must be one of ${CATEGORIES.join(', ')}`);
  if (!Number.isInteger(i.count) || i.count < 0) throw new TypeError('count: must be a non-negative integer');
  if (i.id !== undefined && (typeof i.id !== 'string' || !i.id || i.id.length > 255)) throw new TypeError('id: must be a non-empty string of at most 255 characters');
}

function validate(o: { ramLimitBytes: number; diskLimitBytes: number; journal: string; fsync: string; fsyncIntervalMs: number; segmentBytes: number; policy: string }): void {
  const pos = (k: string, v: number) => { if (!Number.isFinite(v) || v < 0) throw new Error(`${k}: must be zero or a positive number (got ${v})`); };
  pos('ramLimitBytes', o.ramLimitBytes);
  if (!(o.diskLimitBytes >= 4096)) throw new Error(`diskLimitBytes: must be at least 4096 (got ${o.diskLimitBytes})`);
  pos('fsyncIntervalMs', o.fsyncIntervalMs);
  if (!(o.segmentBytes >= 4096)) throw new Error(`segmentBytes: must be at least 4096 (got ${o.segmentBytes})`);
  if (!['spill', 'always'].includes(o.journal)) throw new Error(`journal: must be "spill" or "always" (got ${o.journal})`);
  if (!['always', 'interval', 'never'].includes(o.fsync)) throw new Error(`fsync: must be "always", "interval" or "never" (got ${o.fsync})`);
  if (!['block', 'drop-oldest'].includes(o.policy)) throw new Error(`policy: must be "block" or "drop-oldest" (got ${o.policy})`);
}
