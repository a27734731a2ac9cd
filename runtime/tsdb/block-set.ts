// The blocks of a store: the manifest (which blocks exist and where), the block sources by
// location, open block readers and decoded rollup rows (least recently used dropped first),
// blocks found corrupt (left out from then on), and block files waiting for the last query
// that may read them before they are deleted.
import fs from 'node:fs';
import path from 'node:path';
import { BlockReader, CorruptBlockError, REFS_KEEP_SAMPLES, type RollupRows } from './block';
import { type BlockSource, LocalBlockSource } from './block-source';
import { BLOCK_CHUNK_SAMPLES, BlockWriter } from './block-writer';
import { sharedChunkEncoder } from './chunk-encoder';
import type { ChunkRef } from './chunk-ref';
import { WeightedLru } from './lru';
import { type BlockMeta, Manifest } from './manifest';
import { mergeRefs } from './merge';
import { pace } from './pace';
import type { PlanPart } from './query';
import type { Summary } from './summary';
import type { Columns, Logger } from './types';

/** Counters of a store (stats()); the block set and maintenance add to them. */
export interface StoreCounters {
  written: number; rejected: number; corruptBlocks: number; readErrors: number; compactions: number;
  cuts: number; rollupQueries: number; tagLimitRejected: number;
}

export interface BlockSetOptions {
  logger: Logger;
  counters: StoreCounters;
  /** block index entries kept open */
  indexEntries: number;
  /** decoded rollup rows kept */
  rollupRows: number;
  sources?: BlockSource[];
}

/** A block holding a tag inside the range of a rollup query. */
export interface RollupSource { reader: BlockReader; seq: number; minT: number; maxT: number; has: boolean }

export class BlockSet {
  readonly manifest: Manifest;
  readonly local: LocalBlockSource;
  private readonly sources = new Map<string, BlockSource>();
  /** open block indexes, weighted by index entries, least recently used dropped first */
  readonly readers: WeightedLru<string, Promise<BlockReader>>;
  /** decoded rollup sections by block, tag and resolution (blocks are immutable) */
  readonly rollupCache: WeightedLru<string, RollupRows>;
  readonly corrupt = new Set<string>();
  private pendingRemoval: BlockMeta[] = [];
  /** queries running; block files are deleted only when none is */
  activeQueries = 0;
  private readonly logger: Logger;
  private readonly counters: StoreCounters;

  constructor(dir: string, o: BlockSetOptions) {
    this.logger = o.logger;
    this.counters = o.counters;
    this.rollupCache = new WeightedLru(o.rollupRows);
    this.readers = new WeightedLru(o.indexEntries);
    fs.mkdirSync(path.join(dir, 'blocks'), { recursive: true });
    this.local = new LocalBlockSource(path.join(dir, 'blocks'));
    this.sources.set('local', this.local);
    for (const s of o.sources ?? []) this.sources.set(s.location, s);
    this.manifest = Manifest.load(path.join(dir, 'manifest.json'));
  }

  /** Every block of the manifest. */
  get all(): readonly BlockMeta[] { return this.manifest.blocks; }

  /** The blocks queries and compaction read: all but the corrupt ones. */
  live(): readonly BlockMeta[] {
    const all = this.manifest.blocks;
    return this.corrupt.size ? all.filter((b) => !this.corrupt.has(b.id)) : all;
  }

  source(location: string): BlockSource | undefined { return this.sources.get(location); }

  /** Adds (or replaces) the block source serving manifest location `source.location`. */
  attach(source: BlockSource): void {
    this.sources.set(source.location, source);
    for (const b of this.manifest.blocks) if (b.location === source.location) this.readers.delete(b.id);
  }

  /** The reader of a block, or null when it cannot be read (then recorded as corrupt or as a read error). */
  async reader(b: BlockMeta): Promise<BlockReader | null> {
    let p = this.readers.get(b.id);
    if (!p) {
      const src = this.sources.get(b.location);
      // not corrupt: the source (e.g. the tier mover's "remote") may be attached later
      if (!src) { this.onError(new Error(`block ${b.id}: no block source for location "${b.location}"`)); return null; }
      p = BlockReader.open(b.id, src);
      this.readers.set(b.id, p, 1);
      void p.then((r) => { if (this.readers.get(b.id) === p) this.readers.reweigh(b.id, r.indexEntries); }, () => undefined);
    }
    try { return await p; } catch (e) {
      this.readers.delete(b.id);
      this.onError(e instanceof CorruptBlockError ? e : new CorruptBlockError(b.id, (e as Error).message));
      return null;
    }
  }

  /** Read failures are counted and logged; corrupt blocks are left out from then on. */
  onError(e: unknown): void {
    if (e instanceof CorruptBlockError) {
      if (!this.corrupt.has(e.blockId)) {
        this.corrupt.add(e.blockId);
        this.counters.corruptBlocks++;
        this.readers.delete(e.blockId);
        this.logger.error(`tsdb: corrupt ${e.message}; the block is left out of queries and compaction`);
      }
      return;
    }
    this.counters.readErrors++;
    this.logger.error(`tsdb read error: ${(e as Error)?.message ?? e}`);
  }

  /** Chunk refs of a tag in the live blocks overlapping [from, to). */
  async refs(tag: string, from: number, to: number): Promise<ChunkRef[]> {
    const out: ChunkRef[] = [];
    const keep = { samples: REFS_KEEP_SAMPLES };
    // deriving left-out summaries reads chunks: no block file may go meanwhile, whoever calls
    this.activeQueries++;
    try {
      for (const b of this.live()) {
        if (b.maxT < from || b.minT >= to) continue;
        const r = await this.reader(b);
        try { await r?.refs(tag, from, to, b.seq, out, keep); } catch (e) { this.onError(e); }
      }
    } finally { this.activeQueries--; }
    return out;
  }

  /**
   * The blocks holding `tag` in [from, to), sorted by time, when at least one keeps rollups
   * at `res` for it and none overlap each other; null otherwise (the query reads chunks).
   */
  async rollupSources(tag: string, from: number, to: number, res: number): Promise<RollupSource[] | null> {
    const parts: RollupSource[] = [];
    let any = false;
    for (const b of this.live()) {
      if (b.maxT < from || b.minT >= to) continue;
      const reader = await this.reader(b);
      if (!reader) continue;
      const range = reader.seriesRange(tag);
      if (range && range.maxT >= from && range.minT < to) {
        const has = reader.hasRollup(tag, res);
        any ||= has;
        parts.push({ reader, seq: b.seq, ...range, has });
      }
    }
    if (!any) return null;
    parts.sort((a, b) => a.minT - b.minT);
    for (let i = 1; i < parts.length; i++) if (parts[i].minT <= parts[i - 1].maxT) return null;
    return parts;
  }

  /** Rollup rows of each source in [from, to) (cached); a source keeping none gives its chunk refs. */
  async *rollupParts(parts: readonly RollupSource[], tag: string, from: number, to: number, res: number): AsyncGenerator<PlanPart> {
    for (const p of parts) {
      if (!p.has) {
        const refs: ChunkRef[] = [];
        try { await p.reader.refs(tag, from, to, p.seq, refs); } catch (e) { this.onError(e); continue; }
        yield { refs };
        continue;
      }
      const key = `${p.reader.id}\0${tag}\0${res}`;
      let rr: RollupRows | null | undefined = this.rollupCache.get(key);
      if (!rr) {
        try { rr = await p.reader.rollups(tag, res); } catch (e) { this.onError(e); continue; }
        if (!rr) continue;
        this.rollupCache.set(key, rr, rr.starts.length);
      }
      const n = rr.starts.length;
      if (n && rr.starts[0] >= from && rr.starts[n - 1] < to) { yield { rows: rr.rows }; continue; }
      const out: Summary[] = [];
      for (let i = 0; i < n; i++) {
        const s = rr.starts[i];
        if (s >= from && s < to) out.push(rr.rows[i]);
      }
      if (out.length) yield { rows: out };
    }
  }

  /** Writes one local block from the merged refs of each tag over [from, to). */
  async write(level: number, seq: number, tags: readonly string[], from: number, to: number,
    refsOf: (tag: string, out: ChunkRef[]) => Promise<void> | void, minTOf?: (tag: string) => number): Promise<BlockMeta | null> {
    const id = `${String(seq).padStart(10, '0')}-${level}-${Date.now().toString(36)}`;
    const w = new BlockWriter(this.local.file(id), BLOCK_CHUNK_SAMPLES, sharedChunkEncoder((m) => this.logger.warn(m)));
    try {
      for (const tag of tags) {
        const refs: ChunkRef[] = [];
        await refsOf(tag, refs);
        if (!refs.length) continue;
        const lo = Math.max(from, minTOf ? minTOf(tag) : -Infinity);
        if (lo >= to) continue;
        const items = mergeRefs(refs, { from: lo, to, onError: (e) => { throw e; } });
        // the refs' counts bound the merged samples (a ref without its summary: no bound)
        let most = 0;
        for (const r of refs) most += r.summary ? r.summary.count : Infinity;
        await w.addSeries(tag, colsOf(items), most);
      }
      if (w.sampleCount === 0) { w.abort(); return null; }
      const r = await w.finish();
      return { id, seq, minT: r.minT, maxT: r.maxT, level, bytes: r.bytes, samples: r.samples, series: r.series, location: 'local' };
    } catch (e) {
      w.abort();
      throw e;
    }
  }

  /** Blocks just taken out of the manifest: their readers close, their files go once no query reads them. */
  retire(blocks: readonly BlockMeta[]): void {
    for (const b of blocks) this.readers.delete(b.id);
    this.pendingRemoval.push(...blocks);
  }

  /** Deletes files of blocks no longer in the manifest once no query may still read them. */
  removePending(): void {
    if (this.activeQueries > 0 || !this.pendingRemoval.length) return;
    for (const b of this.pendingRemoval) {
      const src = this.sources.get(b.location);
      void src?.remove(b.id).catch((e) => this.logger.warn(`tsdb: could not remove block ${b.id}: ${e}`));
    }
    this.pendingRemoval = [];
  }

  /** Files a crash left behind: temp files and blocks no manifest names. */
  removeOrphans(): void {
    // a block the manifest places elsewhere (moved to "remote") leaves a stale local copy
    const known = new Set(this.manifest.blocks.filter((b) => b.location === 'local').map((b) => b.id));
    for (const f of fs.readdirSync(this.local.dir)) {
      const id = f.replace(/\.blk$/, '');
      if (f.endsWith('.tmp') || (f.endsWith('.blk') && !known.has(id))) fs.rmSync(path.join(this.local.dir, f), { force: true });
    }
  }

  /** Closes every source (at store close). */
  async closeSources(): Promise<void> {
    for (const s of this.sources.values()) await s.close?.();
  }
}

/**
 * The columns of merged items, handing the event loop back between them once a slice of
 * work has run (pace.ts): a head cut or a compaction re-encodes millions of samples, and
 * as one chain of resolved promises it would hold every request, poll and timer until done
 * (a 10,000-tag head of ten minutes: four seconds).
 */
async function* colsOf(items: AsyncIterable<{ cols?: Columns }>): AsyncGenerator<Columns> {
  for await (const it of items) {
    if (it.cols) yield it.cols;
    await pace();
  }
}
