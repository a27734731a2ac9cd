// Partition ownership leases in a JetStream KV bucket (PROTOCOL-partition-lease.md). A
// central process pulls a partition's durable consumer only while it holds that
// partition's lease: taken with a create (fails when the key exists), kept with updates
// that name the revision they replace (fail when anyone else wrote or the key expired),
// dropped with a delete on a clean stop. The bucket's max_age is the lease TTL, so the
// lease of a process that died disappears by itself.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KV, NatsConnection, NatsError } from 'nats';
import { isNotClustered } from './nats-uplink';

export const DEFAULT_LEASE_BUCKET = 'historian-ingest-leases';
export const DEFAULT_LEASE_TTL_MS = 12_000;

export interface LeaseBucketOptions {
  /** KV bucket name (default "historian-ingest-leases") */
  bucket?: string;
  /** lease TTL, used when this process creates the bucket (default 12 s; an existing bucket keeps its own) */
  ttlMs?: number;
  /** bucket copies: "auto" (default) = 3 on a cluster, 1 on a single server */
  replicas?: number | 'auto';
  /** process name written into the lease so a refused process can name the holder */
  owner?: string;
}

/** The value of a lease key (JSON). */
export interface LeaseHolder {
  host: string;
  pid: number;
  name: string;
  /** random per process start: tells this process its own lease from another's */
  token: string;
  stream: string;
  durable: string;
  filter: string;
  acquired: number;
  renewed: number;
  ttlMs: number;
  /** held by a standby that took the partition over; it hands it back when the owner claims it */
  standby?: boolean;
}

export interface AcquireOptions {
  /** a standby: never takes a partition its owner is claiming back; hands it back when claimed */
  standby?: boolean;
  /** told (once) that the partition's owner claims it back; only for a standby */
  onClaimed?: (claimant: LeaseHolder | null) => void;
}

export class LeaseHeldError extends Error {
  constructor(readonly key: string, readonly holder: LeaseHolder | null, readonly ttlMs: number) {
    super(`lease ${key} is held by ${describeHolder(holder)}`);
    this.name = 'LeaseHeldError';
  }
}

export function describeHolder(h: LeaseHolder | null): string {
  if (!h) return 'an unknown process';
  const age = Math.max(0, Math.round((Date.now() - h.renewed) / 1000));
  return `${h.name || 'a process'} (host ${h.host}, pid ${h.pid}; lease renewed ${age} s ago)`;
}

export class LeaseBucket {
  private readonly token = randomUUID();
  private readonly owner: string;

  private constructor(private readonly kv: KV, readonly name: string, readonly ttlMs: number, owner: string | undefined) {
    this.owner = owner || process.title || 'historian';
  }

  /** Opens (creating when missing) the lease bucket; its TTL is the bucket's max_age. */
  static async open(nc: NatsConnection, o: LeaseBucketOptions = {}): Promise<LeaseBucket> {
    const name = o.bucket ?? DEFAULT_LEASE_BUCKET;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error('leaseBucket: must match [A-Za-z0-9_-]+');
    const ttlMs = o.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    if (!(Number.isFinite(ttlMs) && ttlMs >= 1000)) throw new Error('leaseTtlMs: must be at least 1000 ms');
    // a renewal that has not answered within a third of the TTL is as good as failed
    const js = nc.jetstream({ timeout: Math.min(5000, Math.max(500, Math.floor(ttlMs / 3))) });
    const base = { history: 1, ttl: ttlMs };
    let kv: KV;
    if (typeof o.replicas === 'number') kv = await js.views.kv(name, { ...base, replicas: o.replicas });
    else {
      // same rule as the streams: 3 copies on a cluster, 1 where JetStream runs on one server
      try { kv = await js.views.kv(name, { ...base, replicas: 3 }); } catch (e) {
        if (!isNotClustered(e)) throw e;
        kv = await js.views.kv(name, { ...base, replicas: 1 });
      }
    }
    const actual = (await kv.status()).ttl;
    if (!(actual > 0)) throw new Error(`lease bucket ${name} has no TTL (max_age): leases of dead processes would never expire; delete the bucket and let a central create it`);
    return new LeaseBucket(kv, name, actual, o.owner);
  }

  /** Takes the lease of `key`; throws LeaseHeldError naming the holder when another process has it. */
  async acquire(key: string, what: { stream: string; durable: string; filter: string }, onLost: (reason: string) => void, o: AcquireOptions = {}): Promise<PartitionLease> {
    const now = Date.now();
    const value: LeaseHolder = { host: os.hostname(), pid: process.pid, name: this.owner, token: this.token, ...what, acquired: now, renewed: now, ttlMs: this.ttlMs, ...(o.standby ? { standby: true } : {}) };
    if (o.standby) {
      // the owner is back and waiting for the lease the standby just handed over
      const claim = await this.kv.get(claimKey(key));
      if (claim && claim.operation === 'PUT') throw new LeaseHeldError(key, decode(claim.value), this.ttlMs);
    }
    const sentAt = Date.now();
    let revision: number;
    try {
      revision = await this.kv.create(key, encode(value));
    } catch (e) {
      if (!isWrongRevision(e)) throw e;
      const cur = await this.kv.get(key);
      const holder = cur && cur.operation === 'PUT' ? decode(cur.value) : null;
      // our own lease, e.g. after this process declared it lost while the server still had it
      if (cur && holder?.token === this.token) revision = await this.kv.update(key, encode(value), cur.revision);
      else throw new LeaseHeldError(key, holder, this.ttlMs);
    }
    if (!o.standby) await this.kv.delete(claimKey(key)).catch(() => undefined);
    return new PartitionLease(this.kv, key, value, revision, sentAt, this.ttlMs, onLost, o.standby ? o.onClaimed : undefined);
  }

  /** The partition's owner asks a standby holding it to hand it back (the claim lives one TTL unless repeated). */
  async claim(key: string, what: { stream: string; durable: string; filter: string }): Promise<void> {
    const now = Date.now();
    await this.kv.put(claimKey(key), encode({ host: os.hostname(), pid: process.pid, name: this.owner, token: this.token, ...what, acquired: now, renewed: now, ttlMs: this.ttlMs }));
  }

  /** The current holder of `key`, if any. */
  async holder(key: string): Promise<LeaseHolder | null> {
    const cur = await this.kv.get(key);
    return cur && cur.operation === 'PUT' ? decode(cur.value) : null;
  }
}

export class PartitionLease {
  private held = true;
  private renewTimer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;

  constructor(private readonly kv: KV, readonly key: string, private value: LeaseHolder, private revision: number,
    sentAt: number, readonly ttlMs: number, private readonly onLost: (reason: string) => void,
    private onClaimed?: (claimant: LeaseHolder | null) => void) {
    this.armDeadline(sentAt);
    this.schedule(this.ttlMs / 3);
  }

  isHeld(): boolean { return this.held; }

  // The server drops the key ttl after it wrote it, and it wrote it after we sent the
  // request; stopping a sixth of the TTL before sentAt + ttl leaves room for clock-rate
  // differences and the expiry timer, so this process stops pulling before anyone else
  // can take the lease.
  private armDeadline(sentAt: number): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    const left = sentAt + this.ttlMs - this.ttlMs / 6 - Date.now();
    this.deadlineTimer = setTimeout(() => this.lose('not renewed before it would expire (NATS unreachable or too slow)'), Math.max(0, left));
    this.deadlineTimer.unref();
  }

  private schedule(ms: number): void {
    if (!this.held) return;
    this.renewTimer = setTimeout(() => { this.renewing = this.renew(); }, ms);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    const sentAt = Date.now();
    const next = { ...this.value, renewed: sentAt };
    try {
      this.revision = await this.kv.update(this.key, encode(next), this.revision);
      // released meanwhile: the release deletes this revision
      if (!this.held) return;
      this.value = next;
      this.armDeadline(sentAt);
      this.schedule(this.ttlMs / 3);
      if (this.onClaimed) {
        const claim = await this.kv.get(claimKey(this.key)).catch(() => null);
        if (this.held && claim && claim.operation === 'PUT') {
          const cb = this.onClaimed;
          this.onClaimed = undefined;
          cb(decode(claim.value));
        }
      }
    } catch (e) {
      if (!this.held) return;
      if (isWrongRevision(e)) {
        // someone else wrote the key, or it expired: another process may be pulling now
        let who = 'the key expired';
        try {
          const h = await this.kv.get(this.key);
          if (h && h.operation === 'PUT') who = `now held by ${describeHolder(decode(h.value))}`;
        } catch { /* the reason without the holder */ }
        this.lose(`lease lost (${who})`);
        return;
      }
      // a leader election or a slow answer: try again soon, the deadline decides
      this.schedule(Math.min(1000, this.ttlMs / 6));
    }
  }

  private lose(reason: string): void {
    if (!this.held) return;
    this.stopTimers();
    this.held = false;
    this.onLost(reason);
  }

  private stopTimers(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.renewTimer = this.deadlineTimer = null;
  }

  /** Gives the lease up (clean stop): the next process takes it at once instead of after the TTL. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.stopTimers();
    await this.renewing?.catch(() => undefined);
    // only our own revision: never delete a lease someone else has taken meanwhile
    await this.kv.delete(this.key, { previousSeq: this.revision }).catch(() => undefined);
  }
}

/** The key an owner writes to claim its partition back from a standby. */
export function claimKey(key: string): string { return `${key}.claim`; }

function isWrongRevision(e: unknown): boolean {
  const api = (e as NatsError)?.api_error;
  return api?.err_code === 10071 || /wrong last sequence/i.test((e as Error)?.message ?? '');
}

const encode = (v: LeaseHolder): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
function decode(b: Uint8Array): LeaseHolder | null {
  try { return JSON.parse(new TextDecoder().decode(b)) as LeaseHolder; } catch { return null; }
}
