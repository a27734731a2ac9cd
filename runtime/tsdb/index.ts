// Public surface of the storage engine.
export { TsdbStore, type TsdbOptions, type TsdbStats, type WriteResult } from './store';
export { TagRegistry, TagMetaError, type TagMeta, type TagMetaPatch, type ValueType, type LoggingMode } from './tag-registry';
export {
  QueryError, resolveBuckets, type RawQuery, type AggregateQuery, type DownsampleQuery, type AlignedQuery, type AlignedRow, type Latest,
} from './query';
export { AGGREGATES, type AggregateRow, type AggregateName } from './aggregate';
export type { Points } from './downsample';
export type { BlockSource } from './block-source';
export { LocalBlockSource } from './block-source';
export type { BlockMeta } from './manifest';
export { CorruptBlockError } from './block';
export { ROLLUP_RESOLUTIONS } from './rollup';
export type { Logger, FsyncPolicy, Interpolation, SeriesBatch, Columns } from './types';
