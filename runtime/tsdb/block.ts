// Reading immutable block files (FORMAT-block.md): the footer locates the checksummed
// index; every chunk and rollup section carries its own CRC32, checked when it is read.
import { crc32 } from 'node:zlib';
import { decodeChunk } from './codec';
import type { BlockSource } from './block-source';
import type { ChunkRef } from './chunk-ref';
import { decodeIndex } from './block-index';
import { decodeRollups } from './rollup';
import { type Summary, summarize } from './summary';
import type { Columns } from './types';

/** decoded samples a `refs` call keeps for the refs whose summaries it derived (~1 MB) */
export const REFS_KEEP_SAMPLES = 65_536;

export const BLOCK_MAGIC = Buffer.from('HTSBLK\x00\x01', 'latin1');
export const FOOTER_MAGIC = Buffer.from('HTSBEND1', 'latin1');
export const FOOTER_SIZE = 32;
/** Index version written; versions 1 (fixed 90-byte chunk entries), 2 and 3 are still read. */
export const BLOCK_VERSION = 4;

export interface ChunkEntry {
  offset: number; len: number; crc: number; summary: Summary;
  /**
   * Only count, firstTs and lastTs of `summary` are known (index version 4 leaves the rest
   * out for small chunks, FORMAT-block.md); `BlockReader.refs` derives them from the chunk.
   */
  partial?: boolean;
}
export interface RollupEntry { res: number; rows: number; offset: number; len: number; crc: number }
export interface SeriesIndex { tag: string; chunks: ChunkEntry[]; rollups: RollupEntry[]; minT?: number; maxT?: number }

export class CorruptBlockError extends Error {
  constructor(readonly blockId: string, message: string) {
    super(`block ${blockId}: ${message}`);
    this.name = 'CorruptBlockError';
  }
}

export interface RollupRows { starts: Float64Array; rows: Summary[] }

export class BlockReader {
  /** series plus chunk entries held in memory: the weight of this reader in the index cache */
  readonly indexEntries: number;

  private constructor(readonly id: string, private readonly source: BlockSource, readonly series: Map<string, SeriesIndex>) {
    let n = series.size;
    for (const s of series.values()) n += s.chunks.length + s.rollups.length;
    this.indexEntries = n;
  }

  static async open(id: string, source: BlockSource): Promise<BlockReader> {
    const size = await source.size(id);
    if (size < BLOCK_MAGIC.length + FOOTER_SIZE) throw new CorruptBlockError(id, `file too short (${size} bytes)`);
    const head = Buffer.from(await source.read(id, 0, BLOCK_MAGIC.length));
    if (!head.equals(BLOCK_MAGIC)) throw new CorruptBlockError(id, 'bad magic');
    const footer = Buffer.from(await source.read(id, size - FOOTER_SIZE, FOOTER_SIZE));
    if (!footer.subarray(24).equals(FOOTER_MAGIC)) throw new CorruptBlockError(id, 'bad footer');
    const indexOffset = footer.readDoubleLE(0), indexLen = footer.readUInt32LE(8), indexCrc = footer.readUInt32LE(12);
    if (indexOffset + indexLen + FOOTER_SIZE !== size) throw new CorruptBlockError(id, 'index out of bounds');
    const index = Buffer.from(await source.read(id, indexOffset, indexLen));
    if (crc32(index) !== indexCrc) throw new CorruptBlockError(id, 'index checksum mismatch');
    const version = footer.readUInt32LE(16);
    if (version < 1 || version > BLOCK_VERSION) throw new CorruptBlockError(id, `unknown index version ${version}`);
    try {
      return new BlockReader(id, source, decodeIndex(index, version));
    } catch (e) {
      throw new CorruptBlockError(id, `index does not decode: ${(e as Error).message}`);
    }
  }

  /**
   * Chunk refs of `tag` overlapping [from, to) for readers that never fold summaries
   * (compaction, retention, the latest value): a chunk whose summary the index left out
   * (`partial`, not derived yet) has a null summary; `refs` gives every ref its summary.
   */
  chunkRefs(tag: string, from: number, to: number, priority: number, out: ChunkRef[]): void {
    const s = this.series.get(tag);
    if (!s) return;
    for (const c of s.chunks) {
      if (c.summary.lastTs < from || c.summary.firstTs >= to) continue;
      out.push({ minT: c.summary.firstTs, maxT: c.summary.lastTs, summary: c.partial ? null as unknown as Summary : c.summary, priority, load: () => this.loadChunk(c) });
    }
  }

  /**
   * Chunk refs of `tag` overlapping [from, to), each with its whole summary: a chunk whose
   * summary the index left out is read and decoded here once (it is small by construction)
   * and its summary kept with the index; its ref hands out the decoded samples while
   * `keepSamples` lasts, so the query that derived it does not decode it twice.
   */
  async refs(tag: string, from: number, to: number, priority: number, out: ChunkRef[], keep = { samples: REFS_KEEP_SAMPLES }): Promise<void> {
    const s = this.series.get(tag);
    if (!s) return;
    for (const c of s.chunks) {
      if (c.summary.lastTs < from || c.summary.firstTs >= to) continue;
      let load = () => this.loadChunk(c) as Promise<Columns> | Columns;
      if (c.partial) {
        const cols = await this.loadChunk(c);
        const sm = summarize(cols);
        if (sm.count !== c.summary.count || sm.firstTs !== c.summary.firstTs || sm.lastTs !== c.summary.lastTs) {
          throw new CorruptBlockError(this.id, `chunk at ${c.offset} does not match its index entry`);
        }
        c.summary = sm;
        c.partial = false;
        if (keep.samples >= sm.count) { keep.samples -= sm.count; load = () => cols; }
      }
      out.push({ minT: c.summary.firstTs, maxT: c.summary.lastTs, summary: c.summary, priority, load });
    }
  }

  async loadChunk(c: ChunkEntry) {
    const buf = await this.source.read(this.id, c.offset, c.len);
    if (crc32(buf) !== c.crc) throw new CorruptBlockError(this.id, `chunk at ${c.offset} checksum mismatch`);
    try {
      return decodeChunk(buf);
    } catch (e) {
      throw new CorruptBlockError(this.id, `chunk at ${c.offset} does not decode: ${(e as Error).message}`);
    }
  }

  /**
   * The rollup section of `tag` that serves buckets of `res`: that level, else the coarsest
   * finer level dividing it (rows fold into buckets like summaries). Blocks written before
   * a level joined the ladder keep the finer one (a 1 s tag's 1-minute rows serve 5-minute
   * buckets); slow series keep fewer levels.
   */
  private rollupFor(tag: string, res: number): RollupEntry | undefined {
    let best: RollupEntry | undefined;
    for (const x of this.series.get(tag)?.rollups ?? []) {
      if (x.res <= res && res % x.res === 0 && (!best || x.res > best.res)) best = x;
    }
    return best;
  }

  /** Whether the block keeps a rollup section of `tag` serving buckets of `res`. */
  hasRollup(tag: string, res: number): boolean {
    return this.rollupFor(tag, res) !== undefined;
  }

  async rollups(tag: string, res: number): Promise<RollupRows | null> {
    const r = this.rollupFor(tag, res);
    if (!r) return null;
    const buf = await this.source.read(this.id, r.offset, r.len);
    if (crc32(buf) !== r.crc) throw new CorruptBlockError(this.id, `rollup section of ${tag} checksum mismatch`);
    return decodeRollups(buf);
  }

  /** Whole-series summary built from the chunk summaries (no decoding). */
  seriesRange(tag: string): { minT: number; maxT: number } | null {
    const s = this.series.get(tag);
    if (!s || !s.chunks.length) return null;
    if (s.minT === undefined) {
      let minT = Infinity, maxT = -Infinity;
      for (const c of s.chunks) { if (c.summary.firstTs < minT) minT = c.summary.firstTs; if (c.summary.lastTs > maxT) maxT = c.summary.lastTs; }
      s.minT = minT; s.maxT = maxT;
    }
    return { minT: s.minT, maxT: s.maxT! };
  }
}
