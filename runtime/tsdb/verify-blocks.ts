// Reads every byte a store's local blocks are made of against its checksum: the index
// (on open), each chunk (CRC and decode) and each rollup section. Queries check the parts
// they read; this reads all of them, for trying a backup (runtime/backup/verify-archive.ts)
// or a disk the operator distrusts.
import { BlockReader, CorruptBlockError } from './block';
import type { BlockSource } from './block-source';
import type { BlockMeta } from './manifest';

export interface BlockCheck {
  blocks: number;
  chunks: number;
  rollupSections: number;
  /** one line per damaged block: its id and what is wrong */
  problems: string[];
}

export async function verifyBlocks(blocks: readonly BlockMeta[], local: BlockSource): Promise<BlockCheck> {
  const out: BlockCheck = { blocks: 0, chunks: 0, rollupSections: 0, problems: [] };
  for (const b of blocks) {
    if (b.location !== local.location) continue;
    out.blocks++;
    try {
      const r = await BlockReader.open(b.id, local);
      for (const s of r.series.values()) {
        for (const c of s.chunks) { await r.loadChunk(c); out.chunks++; }
        for (const x of s.rollups) { await r.rollups(s.tag, x.res); out.rollupSections++; }
      }
    } catch (e) {
      out.problems.push(`block ${b.id}: ${e instanceof CorruptBlockError ? e.message : (e as Error).message}`);
    }
  }
  return out;
}
