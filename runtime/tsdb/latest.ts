// The newest sample of a tag: the newest chunk end over the heads and the blocks (newest
// block first, stopping at the first block that ends earlier), answered from the chunk's
// summary when it can be, else from the decoded chunk.
import type { BlockSet } from './block-set';
import type { ChunkRef } from './chunk-ref';
import type { HeadSet } from './head-set';
import type { Latest } from './query';

export async function latestOf(tag: string, heads: HeadSet, blockSet: BlockSet): Promise<Latest | null> {
  const refs: ChunkRef[] = [];
  for (const h of heads.all()) h.refs(tag, -Infinity, Infinity, refs);
  let best = -Infinity;
  for (const r of refs) if (r.maxT > best) best = r.maxT;
  // blocks newest first; stop once a block ends before the best time found
  const blocks = blockSet.live().slice().sort((a, b) => b.maxT - a.maxT);
  for (const b of blocks) {
    if (b.maxT < best) break;
    const reader = await blockSet.reader(b);
    reader?.chunkRefs(tag, best, Infinity, b.seq, refs);
    for (const r of refs) if (r.maxT > best) best = r.maxT;
  }
  if (best === -Infinity) return null;
  const top = refs.filter((r) => r.maxT === best).sort((a, b) => b.priority - a.priority);
  // a run whose worst quality is GOOD ends with a GOOD sample: its summary answers, no decoding
  const s0 = top[0].summary;
  if (s0 && s0.quality === 0) return { tag, ts: s0.lastTs, value: s0.last, quality: 0 };
  for (const r of top) {
    try {
      const c = await r.load();
      const i = c.ts.length - 1;
      return { tag, ts: c.ts[i], value: c.values[i], quality: c.quality[i] };
    } catch (e) { blockSet.onError(e); }
  }
  return null;
}
