// What stats() reports: sizes of heads, blocks and caches, and the store's counters.
import type { BlockSet, StoreCounters } from './block-set';
import type { HeadSet } from './head-set';

export interface TsdbStats {
  series: number;
  headSamples: number;
  headBytes: number;
  blocks: number;
  blockBytes: number;
  blockSamples: number;
  walSegments: number;
  written: number;
  rejected: number;
  corruptBlocks: number;
  readErrors: number;
  compactions: number;
  cuts: number;
  /** queries answered from rollup rows */
  rollupQueries: number;
  /** series and chunk entries of the block indexes held in memory */
  indexCacheEntries: number;
  /** decoded rollup rows held in memory */
  rollupCacheRows: number;
  /** samples refused by a cardinality limit (reason tag_limit) since the store opened */
  tagLimitRejected: number;
  /** tags the store knows */
  tags: number;
}

export function collectStats(heads: HeadSet, blocks: BlockSet, counters: StoreCounters, walSegments: number, tags: number): TsdbStats {
  let series = 0, headSamples = 0, headBytes = 0;
  for (const h of heads.all()) { series += h.series.size; headSamples += h.samples; headBytes += h.bytes(); }
  let blockBytes = 0, blockSamples = 0;
  const all = blocks.all;
  for (const b of all) { blockBytes += b.bytes; blockSamples += b.samples; }
  return {
    series, headSamples, headBytes, blocks: all.length, blockBytes, blockSamples,
    walSegments, ...counters, tags,
    indexCacheEntries: blocks.readers.weight, rollupCacheRows: blocks.rollupCache.weight,
  };
}
