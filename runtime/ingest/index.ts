// Public surface of runtime/ingest.
export { DedupeLog } from './dedupe-log';
export { parseIngestItems } from './metric-item';
export type { IngestItemError, ParsedItem } from './metric-item';
export { countSamples, framingOf, IngestBodyError, isSeriesEntry, parseIngestEntries, splitItems } from './ingest-body';
export type { IngestEntry, IngestFraming } from './ingest-body';
export type { ParsedSeriesItem } from './series-item';
export { RateLimiter } from './rate-limiter';
export { TokenTagBudget } from './token-tag-budget';
export { TokenTagLedger } from './token-tag-ledger';
export { describeRejections, mapRejections, rejectionField } from './write-outcome';
export type { ItemRejection } from './write-outcome';
export { sinkFor } from './write-policy';
export type { SampleSink } from './write-policy';
