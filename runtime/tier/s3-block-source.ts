// Remote blocks behind the engine's BlockSource interface (location "remote"). Index,
// footer and rollups come from the block's local pin (pin.ts); chunk reads fetch only the
// pages they need with ranged GETs, check the chunk's CRC before anything is cached or
// returned, and keep the pages in a size-limited LRU cache on disk (page-cache.ts). A
// block whose object fails its checksum is reported and refused from then on: the store
// leaves it out of queries, other blocks keep working.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BlockReader, CorruptBlockError } from '../tsdb';
import type { BlockSource } from '../tsdb';
import { silentLogger, type Logger } from '../tsdb';
import { fsyncDir, writeFileAtomic } from '../platform';
import type { AuditSink } from './audit-event';
import { utcDays } from './parquet';
import type { TierMetrics } from './metrics';
import { PageCache, type PageCacheStats } from './page-cache';
import { buildPin, Pin } from './pin';
import { withRetry, type RetryOptions } from './retry';
import type { ObjectKeys } from './s3-settings';

export const SHA256_META = 'sha256';

export interface S3BlockSourceOptions {
  client: S3Client;
  bucket: string;
  keys: ObjectKeys;
  /** local state: `<dir>/pins/`, `<dir>/cache/` (normally `<store dir>/tier`) */
  dir: string;
  /** page cache limit (default 256 MiB) */
  cacheBytes?: number;
  /** cache page size (default 256 KiB) */
  pageBytes?: number;
  metrics?: TierMetrics;
  logger?: Logger;
  retry?: RetryOptions;
  onAudit?: AuditSink;
  /** the store's retention, to tell retention deletions from others in audit events */
  retentionMs?: number | null;
  clock?: () => number;
}

interface Opened { pin: Pin; reader: BlockReader; chunks: Map<number, { len: number; crc: number }> }

export interface RemoteReadStats extends PageCacheStats {
  /** chunk reads (not pinned) and how many the cache answered alone */
  chunkReads: number;
  chunkHits: number;
  pinnedReads: number;
  fetchedBytes: number;
  corrupt: string[];
}

export class S3BlockSource implements BlockSource {
  readonly location = 'remote';
  readonly cache: PageCache;
  private opened = new Map<string, Promise<Opened>>();
  private corrupt = new Map<string, string>();
  private counts = { chunkReads: 0, chunkHits: 0, pinnedReads: 0, fetchedBytes: 0 };
  private readonly log: Logger;
  private readonly pageBytes: number;

  constructor(private readonly o: S3BlockSourceOptions) {
    this.pageBytes = o.pageBytes ?? 256 << 10;
    this.cache = new PageCache(path.join(o.dir, 'cache'), o.cacheBytes ?? 256 << 20, this.pageBytes);
    fs.mkdirSync(path.join(o.dir, 'pins'), { recursive: true });
    for (const f of fs.readdirSync(path.join(o.dir, 'pins'))) if (f.endsWith('.tmp')) fs.rmSync(path.join(o.dir, 'pins', f), { force: true });
    this.log = o.logger ?? silentLogger;
  }

  private get store(): string { return this.o.keys.store; }

  pinFile(id: string): string { return path.join(this.o.dir, 'pins', `${id}.pin`); }

  hasPin(id: string): boolean { return fs.existsSync(this.pinFile(id)); }

  /** Ids of the blocks with a pin on disk. */
  pinnedIds(): string[] {
    return fs.readdirSync(path.join(this.o.dir, 'pins')).filter((f) => f.endsWith('.pin')).map((f) => f.slice(0, -4));
  }

  /** Writes a pin atomically (temp, fsync, rename, fsync dir): before a block is marked remote. */
  savePin(id: string, pin: Pin): void {
    const file = this.pinFile(id);
    writeFileAtomic(file, pin.encode());
    this.opened.delete(id);
  }

  /** Forgets local state of a block (pin, cached pages) without touching the bucket. */
  forget(id: string): void {
    this.opened.delete(id);
    this.corrupt.delete(id);
    this.cache.dropBlock(id);
    fs.rmSync(this.pinFile(id), { force: true });
  }

  private open(id: string): Promise<Opened> {
    let p = this.opened.get(id);
    if (!p) {
      p = this.load(id);
      this.opened.set(id, p);
      p.catch(() => this.opened.delete(id));
    }
    return p;
  }

  private async load(id: string): Promise<Opened> {
    let pin: Pin | null = null;
    try { pin = Pin.decode(fs.readFileSync(this.pinFile(id))); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`tier: pin of block ${id} unreadable (${(e as Error).message}); rebuilding it from the bucket`);
    }
    if (!pin) {
      // lost local state: fetch index and rollups with ranged GETs, checked against their CRCs
      const head = await this.call(() => this.o.client.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: this.o.keys.block(id) })));
      const size = Number(head.ContentLength);
      const sha = head.Metadata?.[SHA256_META] ?? '';
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new CorruptBlockError(id, 'remote object has no sha256 metadata');
      try {
        pin = await buildPin(id, size, sha, (off, len) => this.fetch(id, off, len));
      } catch (e) {
        if (e instanceof CorruptBlockError) this.reportCorrupt(id, e.message);
        throw e;
      }
      this.savePin(id, pin);
    }
    const reader = await BlockReader.open(id, pin.asSource());
    const chunks = new Map<number, { len: number; crc: number }>();
    for (const s of reader.series.values()) for (const c of s.chunks) chunks.set(c.offset, { len: c.len, crc: c.crc });
    return { pin, reader, chunks };
  }

  /** The block's index as parsed from its pin (time range, series, chunk table). */
  async reader(id: string): Promise<BlockReader> { return (await this.open(id)).reader; }

  async size(id: string): Promise<number> {
    this.refuseCorrupt(id);
    return (await this.open(id)).pin.size;
  }

  async read(id: string, offset: number, length: number): Promise<Uint8Array> {
    this.refuseCorrupt(id);
    const { pin, chunks } = await this.open(id);
    if (offset < 0 || length < 0 || offset + length > pin.size) throw new CorruptBlockError(id, `read ${offset}+${length} beyond the object (${pin.size} bytes)`);
    const pinned = pin.read(offset, length);
    if (pinned) {
      this.counts.pinnedReads++;
      this.o.metrics?.cacheHits.inc({ store: this.store });
      return pinned;
    }
    this.counts.chunkReads++;
    const chunk = chunks.get(offset);
    const expect = chunk && chunk.len === length ? chunk.crc : null;
    const first = await this.pages(id, offset, length, pin.size, true);
    if (expect === null || crc32(first.data) === expect) {
      this.keep(id, first.fetched);
      if (!first.fetched.length) { this.counts.chunkHits++; this.o.metrics?.cacheHits.inc({ store: this.store }); } else this.o.metrics?.cacheMisses.inc({ store: this.store });
      return first.data;
    }
    // a cached page may be the damaged part: fetch everything again before judging the object
    if (first.fetched.length < first.pageCount) {
      for (let p = Math.floor(offset / this.pageBytes); p <= Math.floor((offset + length - 1) / this.pageBytes); p++) this.cache.drop(`${id}@${p}`);
      const again = await this.pages(id, offset, length, pin.size, false);
      this.o.metrics?.cacheMisses.inc({ store: this.store });
      if (crc32(again.data) === expect) { this.keep(id, again.fetched); return again.data; }
    }
    const msg = `remote object ${this.o.keys.block(id)}: chunk at ${offset} checksum mismatch`;
    this.reportCorrupt(id, msg);
    throw new CorruptBlockError(id, msg);
  }

  private keep(id: string, pages: Array<{ page: number; data: Uint8Array }>): void {
    for (const p of pages) {
      try { this.cache.put(id, p.page, p.data); } catch (e) { this.log.warn(`tier: cannot cache a page of ${id}: ${(e as Error).message}`); }
    }
  }

  /** The bytes of a range from cached pages and ranged GETs of the missing runs. */
  private async pages(id: string, offset: number, length: number, size: number, useCache: boolean) {
    const P = this.pageBytes;
    const p0 = Math.floor(offset / P), p1 = Math.floor((offset + length - 1) / P);
    const have: Array<Uint8Array | null> = [];
    for (let p = p0; p <= p1; p++) have.push(useCache ? this.cache.get(id, p) : null);
    const fetched: Array<{ page: number; data: Uint8Array }> = [];
    for (let i = 0; i < have.length;) {
      if (have[i]) { i++; continue; }
      let j = i;
      while (j + 1 < have.length && !have[j + 1]) j++;
      const start = (p0 + i) * P, end = Math.min((p0 + j + 1) * P, size);
      const buf = await this.fetch(id, start, end - start);
      for (let k = i; k <= j; k++) {
        const data = buf.subarray((k - i) * P, Math.min((k - i + 1) * P, buf.length));
        have[k] = data;
        fetched.push({ page: p0 + k, data });
      }
      i = j + 1;
    }
    const out = new Uint8Array(length);
    for (let k = 0; k < have.length; k++) {
      const pageStart = (p0 + k) * P, page = have[k]!;
      const from = Math.max(offset, pageStart), to = Math.min(offset + length, pageStart + page.length);
      if (to > from) out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
    }
    return { data: out, fetched, pageCount: have.length };
  }

  /** One ranged GET (retried). */
  private async fetch(id: string, offset: number, length: number): Promise<Uint8Array> {
    const key = this.o.keys.block(id);
    const data = await this.call(async () => {
      const r = await this.o.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
      const b = await r.Body!.transformToByteArray();
      if (b.length !== length) throw new Error(`short read of ${key}: ${b.length} of ${length} bytes at ${offset}`);
      return b;
    });
    this.counts.fetchedBytes += data.length;
    this.o.metrics?.bytesFetched.inc({ store: this.store }, data.length);
    return data;
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      ...this.o.retry,
      onRetry: (e, n, d) => {
        this.o.metrics?.retries.inc({ store: this.store });
        this.log.warn(`tier: ${(e as Error).message}; retry ${n} in ${Math.round(d)} ms`);
        this.o.retry?.onRetry?.(e, n, d);
      },
    }).catch((e) => { this.o.metrics?.errors.inc({ store: this.store, step: 'read' }); throw e; });
  }

  private refuseCorrupt(id: string): void {
    const why = this.corrupt.get(id);
    if (why) throw new CorruptBlockError(id, why);
  }

  private reportCorrupt(id: string, message: string): void {
    if (this.corrupt.has(id)) return;
    this.corrupt.set(id, message);
    this.cache.dropBlock(id);
    this.o.metrics?.corruptObjects.inc({ store: this.store });
    this.log.error(`tier: ${message}; the block is refused (never served as data)`);
    this.o.onAudit?.({ action: 'tier.object.corrupt', store: this.store, blockId: id, keys: [this.o.keys.block(id)], reason: 'checksum', at: (this.o.clock ?? Date.now)(), detail: message });
  }

  /** Downloads the whole object and compares its SHA-256 with the one recorded at upload. */
  async verifyObject(id: string): Promise<boolean> {
    const { pin } = await this.open(id);
    const h = createHash('sha256');
    for (let off = 0; off < pin.size; off += 8 << 20) h.update(await this.fetch(id, off, Math.min(8 << 20, pin.size - off)));
    const ok = h.digest('hex') === pin.sha256;
    if (!ok) this.reportCorrupt(id, `remote object ${this.o.keys.block(id)}: SHA-256 mismatch`);
    return ok;
  }

  /** Blocks refused as corrupt, with the reason. */
  corruptBlocks(): Map<string, string> { return new Map(this.corrupt); }

  /**
   * Called by the store once a remote block left the manifest (retention, compaction):
   * deletes its objects from the bucket, then its local pin and pages, and reports it.
   */
  async remove(id: string): Promise<void> {
    let minT: number | undefined, maxT: number | undefined;
    try {
      const r = await this.reader(id);
      for (const t of r.series.keys()) {
        const range = r.seriesRange(t);
        if (range) { minT = Math.min(minT ?? Infinity, range.minT); maxT = Math.max(maxT ?? -Infinity, range.maxT); }
      }
    } catch { /* no pin: the audit event goes without the time range */ }
    const now = (this.o.clock ?? Date.now)();
    const reason = this.o.retentionMs && maxT !== undefined && maxT < now - this.o.retentionMs ? 'retention' : 'dropped';
    await this.deleteObjects(id, reason, { minT, maxT });
  }

  /** Deletes a block's objects (block and Parquet) and local state; reports each deletion. */
  async deleteObjects(id: string, reason: 'retention' | 'dropped' | 'orphan' | 'unverified', range: { minT?: number; maxT?: number } = {}): Promise<void> {
    let keys: string[];
    try {
      keys = [this.o.keys.block(id), ...(await this.parquetKeys(id, range))];
      // the block object last: while it exists, a recovery pass finds the block and finishes the deletion
      for (const key of [...keys.slice(1), keys[0]]) await this.call(() => this.o.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key })));
    } catch (e) {
      this.o.metrics?.errors.inc({ store: this.store, step: 'retention' });
      throw e;
    }
    this.forget(id);
    this.o.metrics?.remoteDeleted.inc({ store: this.store, reason });
    this.o.onAudit?.({ action: 'tier.object.deleted', store: this.store, blockId: id, keys, reason, ...range, at: (this.o.clock ?? Date.now)() });
  }

  /** The block's Parquet objects: one per UTC day of its range, or (range unknown) as listed. */
  private async parquetKeys(id: string, range: { minT?: number; maxT?: number }): Promise<string[]> {
    if (range.minT !== undefined && range.maxT !== undefined) return utcDays(range.minT, range.maxT).map((d) => this.o.keys.parquet(id, d));
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() => this.o.client.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: this.o.keys.parquetPrefix, ContinuationToken: token })));
      for (const o of page.Contents ?? []) if (this.o.keys.parquetIdOf(o.Key!) === id) out.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  stats(): RemoteReadStats {
    return { ...this.cache.stats(), ...this.counts, corrupt: [...this.corrupt.keys()] };
  }

  async close(): Promise<void> {
    this.opened.clear();
  }
}
