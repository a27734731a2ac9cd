// Public surface of the chunk codecs. A chunk is self-describing (FORMAT-chunk.md):
// decodeChunk reads any chunk, whatever codecs encodeChunk picked for it.
export {
  chunkSampleCount, chunkValueCodec, decodeChunk, encodeChunk, encodeGorillaChunk, MAX_CHUNK_SAMPLES,
  type ChunkColumns,
} from './chunk';

/**
 * Samples per chunk the engine should cut at. Larger chunks let the adaptive value coder
 * settle and amortise the per-chunk header, smaller ones decode less for narrow queries.
 */
export const RECOMMENDED_CHUNK_SAMPLES = 480;

/**
 * Column primitives of the chunk codec, for other packed formats of the engine (rollup
 * sections): bit streams, integer series, value and timestamp sections.
 */
export { BitReader, BitWriter, appendBits, zigzag, unzigzag } from './bits';
export { readIntSeries, toDecimal, writeIntSeries } from './decimal';
export { readValues, writeValues } from './values';
export { readDodTimestamps, readGapTimestamps, writeDodTimestamps, writeGapTimestamps } from './timestamps';
export { qualityCodec, readQuality, writeQuality } from './quality';
