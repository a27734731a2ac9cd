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
export { BlockReader } from './block';
export { HEAD_PRIORITY_BASE } from './head';
export { applyMessageMeta } from './message-meta';
export { QueryBudget, QueryBudgetError } from './pace';
export { QUERY_LIMITS, QueryRequestError, executeQuery, parseQueryRequest, runQuery } from './query-request';
export { DEFAULT_MAX_FUTURE_MS } from './store';
export type { RejectReason, RejectedSample } from './store';
export { StoreHandle } from './store-handle';
export { StoreWriter } from './store-writer';
export type { StoreSnapshot } from './snapshot';
export type { BlockCheck } from './verify-blocks';
export type { LoggingSetting } from './store-writer';
export type { TagLimitOptions } from './tag-limits';
export { silentLogger } from './types';
