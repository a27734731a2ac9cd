// The tier mover: moves sealed blocks older than a policy age from a store's disk to an
// S3-compatible bucket with a crash-safe protocol (PROTOCOL.md): hash and pin, upload,
// verify, (Parquet), mark remote in the manifest, delete the local file. Every pass
// first recovers what an interrupted pass left in the bucket. Queries keep reading moved
// blocks through the S3BlockSource it attaches to the store.
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  AbortMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client,
} from '@aws-sdk/client-s3';
import type { Registry } from 'prom-client';
import { compilePattern } from '../model';
import { BlockReader } from '../tsdb';
import type { BlockSource } from '../tsdb';
import type { BlockMeta } from '../tsdb';
import type { TsdbStore } from '../tsdb';
import { silentLogger, type Logger } from '../tsdb';
import type { AuditSink } from './audit-event';
import { tierMetrics, type TierMetrics } from './metrics';
import { blockToParquetByDay } from './parquet';
import { buildPin } from './pin';
import { withRetry, type RetryOptions } from './retry';
import { S3BlockSource, SHA256_META } from './s3-block-source';
import { ObjectKeys, s3ClientFor, TierConfigError, type S3Settings } from './s3-settings';
import { Throttle } from './throttle';
import { uploadObject } from './upload';

/** Protocol steps, in order; `onStep` is called after each (crash tests stop there). */
export const MOVE_STEPS = ['hashed', 'uploaded', 'verified', 'parquet', 'pinned', 'marked'] as const;
export type MoveStep = (typeof MOVE_STEPS)[number] | 'part';

export interface TierMoverOptions {
  store: TsdbStore;
  /** the store's registry name: names its objects in the bucket */
  storeName: string;
  s3: S3Settings;
  /** an S3 client to use instead of one made from `s3` */
  client?: S3Client;
  /** blocks whose newest sample is older than this move */
  policyAgeMs: number;
  /** only blocks all of whose series match this NATS-style pattern move (see PROTOCOL.md) */
  tagPattern?: string | null;
  /** upload limit in bytes per second (default: none) */
  bandwidthBytesPerSec?: number | null;
  /** multipart part size (default 8 MiB) */
  partBytes?: number;
  /** also write each moved block as Parquet under `<prefix>/parquet/` */
  parquet?: boolean;
  /** "etag": HEAD size, SHA-256 metadata and MD5 ETag (default); "readback": download and hash */
  verify?: 'etag' | 'readback';
  cacheBytes?: number;
  pageBytes?: number;
  retry?: RetryOptions;
  /** the store's retention (default: the store's own); audit events tell retention deletions apart */
  retentionMs?: number | null;
  /** at most this many blocks per pass (default unlimited) */
  maxBlocksPerPass?: number;
  metrics?: Registry;
  onAudit?: AuditSink;
  onStep?: (step: MoveStep, blockId: string) => void | Promise<void>;
  logger?: Logger;
  clock?: () => number;
}

export interface PassReport {
  startedAt: number;
  finishedAt: number;
  moved: string[];
  bytes: number;
  errors: Array<{ blockId: string | null; step: string; message: string }>;
  recovered: { deleted: string[]; abortedUploads: number; missing: string[] };
}

export interface TierStatus {
  store: string;
  running: boolean;
  lastRun: number | null;
  lastPass: PassReport | null;
  blocksMoved: number;
  bytesMoved: number;
  errors: number;
  lastError: string | null;
}

export interface TierSummary {
  store: string;
  bucket: string;
  prefix: string;
  local: { blocks: number; bytes: number };
  remote: { blocks: number; bytes: number };
  cache: { hits: number; misses: number; hitRatio: number | null; bytes: number; limitBytes: number; pinnedReads: number };
  corrupt: string[];
  status: TierStatus;
}

class StepError extends Error {
  constructor(readonly step: string, message: string) { super(message); }
}

export class TierMover {
  readonly source: S3BlockSource;
  readonly keys: ObjectKeys;
  private readonly client: S3Client;
  private readonly metrics: TierMetrics | null;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly matches: ((tag: string) => boolean) | null;
  private readonly throttle: Throttle;
  private running: Promise<PassReport> | null = null;
  private closed = false;
  private totals = { blocksMoved: 0, bytesMoved: 0, errors: 0 };
  private lastPass: PassReport | null = null;
  private lastError: string | null = null;

  constructor(private readonly o: TierMoverOptions) {
    if (!o.store) throw new TierConfigError('store', 'is required');
    if (!(o.policyAgeMs >= 0) || !Number.isFinite(o.policyAgeMs)) throw new TierConfigError('policyAgeMs', `must be zero or a positive number of milliseconds (got ${o.policyAgeMs})`);
    if (o.bandwidthBytesPerSec != null && !(o.bandwidthBytesPerSec > 0)) throw new TierConfigError('bandwidthBytesPerSec', `must be positive (got ${o.bandwidthBytesPerSec})`);
    try { this.matches = o.tagPattern ? compilePattern(o.tagPattern) : null; } catch (e) { throw new TierConfigError('tagPattern', (e as Error).message); }
    this.keys = new ObjectKeys(o.s3.prefix, o.storeName);
    this.client = o.client ?? s3ClientFor(o.s3);
    this.metrics = o.metrics ? tierMetrics(o.metrics) : null;
    this.log = o.logger ?? silentLogger;
    this.clock = o.clock ?? Date.now;
    this.throttle = new Throttle(o.bandwidthBytesPerSec ?? null);
    this.source = new S3BlockSource({
      client: this.client, bucket: o.s3.bucket, keys: this.keys, dir: path.join(o.store.dir, 'tier'),
      cacheBytes: o.cacheBytes, pageBytes: o.pageBytes, metrics: this.metrics ?? undefined, logger: this.log,
      retry: this.retryOptions(), onAudit: o.onAudit, retentionMs: o.retentionMs ?? o.store.retentionMs, clock: this.clock,
    });
    // reads of remote blocks go through this source from now on; it stays attached after
    // close() so queries keep working until the next mover (or a reopened store) replaces it
    o.store.attachBlockSource(this.source);
  }

  get storeName(): string { return this.o.storeName; }

  private retryOptions(): RetryOptions {
    return {
      ...this.o.retry,
      onRetry: (e, n, d) => {
        this.metrics?.retries.inc({ store: this.o.storeName });
        this.log.warn(`tier ${this.o.storeName}: ${(e as Error).message}; retry ${n} in ${Math.round(d)} ms`);
        this.o.retry?.onRetry?.(e, n, d);
      },
    };
  }

  /** Local blocks due to move now: sealed, older than the policy, matching the tag pattern. */
  async candidates(): Promise<BlockMeta[]> {
    const cutoff = this.clock() - this.o.policyAgeMs;
    const local = this.localSource();
    const out: BlockMeta[] = [];
    for (const b of this.o.store.sealedBlocks()) {
      if (b.location !== 'local' || b.maxT >= cutoff) continue;
      if (this.matches) {
        const reader = await BlockReader.open(b.id, local);
        if (![...reader.series.keys()].every(this.matches)) continue;
      }
      out.push(b);
    }
    return out;
  }

  private localSource(): BlockSource {
    const s = this.o.store.blockSource('local');
    if (!s) throw new Error('store has no local block source');
    return s;
  }

  /** One pass: recover, then move every candidate. Concurrent calls share the running pass. */
  runOnce(): Promise<PassReport> {
    if (this.closed) return Promise.reject(new Error('tier mover is closed'));
    if (!this.running) {
      this.running = this.pass().finally(() => { this.running = null; });
    }
    return this.running;
  }

  get isRunning(): boolean { return this.running !== null; }

  private async pass(): Promise<PassReport> {
    const store = this.o.storeName;
    const report: PassReport = { startedAt: this.clock(), finishedAt: 0, moved: [], bytes: 0, errors: [], recovered: { deleted: [], abortedUploads: 0, missing: [] } };
    this.metrics?.moving.set({ store }, 1);
    const fail = (blockId: string | null, step: string, e: unknown) => {
      const message = (e as Error)?.message ?? String(e);
      report.errors.push({ blockId, step, message });
      this.totals.errors++;
      this.lastError = `${blockId ? `block ${blockId}: ` : ''}${step}: ${message}`;
      this.metrics?.errors.inc({ store, step });
      this.log.error(`tier ${store}: ${this.lastError}`);
    };
    try {
      try { report.recovered = await this.recover(); } catch (e) { fail(null, 'recover', e); return report; }
      let candidates: BlockMeta[];
      try { candidates = await this.candidates(); } catch (e) { fail(null, 'plan', e); return report; }
      if (this.o.maxBlocksPerPass) candidates = candidates.slice(0, this.o.maxBlocksPerPass);
      for (const b of candidates) {
        if (this.closed) break;
        try {
          const bytes = await this.move(b);
          report.moved.push(b.id);
          report.bytes += bytes;
        } catch (e) {
          fail(b.id, e instanceof StepError ? e.step : 'upload', e);
        }
      }
      return report;
    } finally {
      report.finishedAt = this.clock();
      this.lastPass = report;
      this.metrics?.moving.set({ store }, 0);
      this.metrics?.lastRun.set({ store }, report.finishedAt / 1000);
    }
  }

  private async step(step: MoveStep, id: string): Promise<void> {
    await this.o.onStep?.(step, id);
  }

  /** Moves one block through the protocol; returns the bytes uploaded. */
  private async move(b: BlockMeta): Promise<number> {
    const local = this.localSource();
    const id = b.id;
    const key = this.keys.block(id);
    const size = await local.size(id);
    const read = (off: number, len: number) => local.read(id, off, len);
    // 1. hash the file and build its pin (index, rollups) from the local copy
    const sha = createHash('sha256');
    for (let off = 0; off < size; off += 8 << 20) sha.update(await read(off, Math.min(8 << 20, size - off)));
    const sha256 = sha.digest('hex');
    const pin = await buildPin(id, size, sha256, read);
    await this.step('hashed', id);
    // 2-3. upload and verify; a copy that fails verification is deleted and uploaded again
    let uploaded = 0;
    await withRetry(async () => {
      const up = await uploadObject({
        client: this.client, bucket: this.o.s3.bucket, key, size, read, partBytes: this.o.partBytes,
        metadata: { [SHA256_META]: sha256, 'historian-store': this.o.storeName, 'historian-block': id, 'historian-min-t': String(b.minT), 'historian-max-t': String(b.maxT) },
        throttle: this.throttle, retry: this.retryOptions(),
        onBytes: (n) => { uploaded += n; this.metrics?.bytesUploaded.inc({ store: this.o.storeName }, n); },
        onPart: (n) => this.step('part', `${id}#${n}`),
      }).catch((e) => { throw new StepError('upload', (e as Error).message); });
      await this.step('uploaded', id);
      const problem = await this.verify(key, size, sha256, up.expectedEtag);
      if (problem) {
        await this.source.deleteObjects(id, 'unverified').catch(() => undefined);
        throw new StepError('verify', `${key}: ${problem}`);
      }
    }, { ...this.retryOptions(), attempts: 3 });
    await this.step('verified', id);
    // 4. the open archive copy
    if (this.o.parquet) {
      try {
        const reader = await BlockReader.open(id, local);
        for (const { day, file } of await blockToParquetByDay(reader)) {
          await uploadObject({
            client: this.client, bucket: this.o.s3.bucket, key: this.keys.parquet(id, day), size: file.length, partBytes: this.o.partBytes,
            read: async (off, len) => file.subarray(off, off + len), contentType: 'application/vnd.apache.parquet',
            metadata: { 'historian-block': id }, throttle: this.throttle, retry: this.retryOptions(),
            onBytes: (n) => { uploaded += n; this.metrics?.bytesUploaded.inc({ store: this.o.storeName }, n); },
          });
        }
      } catch (e) { throw new StepError('parquet', (e as Error).message); }
      await this.step('parquet', id);
    }
    // 5. pin locally, then the atomic switch in the manifest; the store deletes the local file
    this.source.savePin(id, pin);
    await this.step('pinned', id);
    try {
      await this.o.store.relocateBlock(id, 'local', 'remote');
    } catch (e) {
      // compacted or expired meanwhile: the uploaded copy is not needed
      await this.source.deleteObjects(id, 'unverified').catch(() => undefined);
      throw new StepError('mark', (e as Error).message);
    }
    await this.step('marked', id);
    this.totals.blocksMoved++;
    this.totals.bytesMoved += size;
    this.metrics?.blocksMoved.inc({ store: this.o.storeName });
    this.log.info(`tier ${this.o.storeName}: moved block ${id} (${size} bytes) to ${this.o.s3.bucket}/${key}`);
    return uploaded;
  }

  /** Null when the stored object is the one uploaded, else what is wrong. */
  private async verify(key: string, size: number, sha256: string, expectedEtag: string): Promise<string | null> {
    const head = await withRetry(() => this.client.send(new HeadObjectCommand({ Bucket: this.o.s3.bucket, Key: key })), this.retryOptions())
      .catch((e) => { throw new StepError('verify', (e as Error).message); });
    if (Number(head.ContentLength) !== size) return `size ${head.ContentLength} instead of ${size}`;
    if (head.Metadata?.[SHA256_META] !== sha256) return 'sha256 metadata differs';
    if ((this.o.verify ?? 'etag') === 'etag') {
      const etag = (head.ETag ?? '').replace(/"/g, '');
      return etag === expectedEtag ? null : `ETag ${etag} instead of ${expectedEtag}`;
    }
    const h = createHash('sha256');
    for (let off = 0; off < size; off += 8 << 20) {
      const end = Math.min(size, off + (8 << 20)) - 1;
      const r = await withRetry(() => this.client.send(new GetObjectCommand({ Bucket: this.o.s3.bucket, Key: key, Range: `bytes=${off}-${end}` })), this.retryOptions());
      h.update(await r.Body!.transformToByteArray());
    }
    return h.digest('hex') === sha256 ? null : 'read-back SHA-256 differs';
  }

  /**
   * Makes the bucket agree with the manifest after any crash: objects of blocks the
   * manifest does not place remote are deleted (unverified uploads, orphans of blocks the
   * store dropped), incomplete multipart uploads aborted, stale pins forgotten. Remote
   * blocks without an object are reported, never dropped.
   */
  async recover(): Promise<PassReport['recovered']> {
    const out: PassReport['recovered'] = { deleted: [], abortedUploads: 0, missing: [] };
    const blocks = new Map(this.o.store.blocks().map((b) => [b.id, b]));
    const bucket = this.o.s3.bucket;
    const found = new Set<string>();
    for (const prefix of [this.keys.blocksPrefix, this.keys.parquetPrefix]) {
      let token: string | undefined;
      do {
        const page = await withRetry(() => this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })), this.retryOptions());
        for (const obj of page.Contents ?? []) {
          const k = obj.Key!;
          const id = this.keys.idOf(k) ?? this.keys.parquetIdOf(k);
          if (!id) continue;
          if (k.endsWith('.blk')) found.add(id);
          const b = blocks.get(id);
          if (b?.location === 'remote') continue;
          if (out.deleted.includes(id)) continue;
          await this.source.deleteObjects(id, b ? 'unverified' : 'orphan');
          out.deleted.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      let keyMarker: string | undefined, idMarker: string | undefined;
      do {
        const up = await withRetry(() => this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker })), this.retryOptions());
        for (const u of up.Uploads ?? []) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! })).catch(() => undefined);
          out.abortedUploads++;
        }
        keyMarker = up.IsTruncated ? up.NextKeyMarker : undefined;
        idMarker = up.IsTruncated ? up.NextUploadIdMarker : undefined;
      } while (keyMarker);
    }
    for (const id of this.source.pinnedIds()) if (blocks.get(id)?.location !== 'remote') this.source.forget(id);
    for (const b of blocks.values()) {
      if (b.location === 'remote' && !found.has(b.id)) {
        out.missing.push(b.id);
        this.metrics?.errors.inc({ store: this.o.storeName, step: 'recover' });
        this.log.error(`tier ${this.o.storeName}: block ${b.id} is marked remote but ${this.keys.block(b.id)} is not in the bucket`);
      }
    }
    return out;
  }

  status(): TierStatus {
    return {
      store: this.o.storeName, running: this.isRunning, lastRun: this.lastPass?.finishedAt ?? null, lastPass: this.lastPass,
      ...this.totals, lastError: this.lastError,
    };
  }

  summary(): TierSummary {
    const local = { blocks: 0, bytes: 0 }, remote = { blocks: 0, bytes: 0 };
    for (const b of this.o.store.blocks()) {
      const t = b.location === 'remote' ? remote : local;
      t.blocks++; t.bytes += b.bytes;
    }
    const s = this.source.stats();
    const reads = s.chunkReads;
    return {
      store: this.o.storeName, bucket: this.o.s3.bucket, prefix: this.o.s3.prefix, local, remote,
      cache: { hits: s.chunkHits, misses: reads - s.chunkHits, hitRatio: reads ? s.chunkHits / reads : null, bytes: s.bytes, limitBytes: s.limitBytes, pinnedReads: s.pinnedReads },
      corrupt: s.corrupt, status: this.status(),
    };
  }

  /**
   * Waits for a running pass to end after its current block. The source stays attached
   * to the store, and with it the S3 client: queries keep reading remote blocks until the
   * next mover (or a reopened store) replaces it.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.running?.catch(() => undefined);
  }
}
