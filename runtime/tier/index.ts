// Public surface of the cold tier.
export { TierMover, MOVE_STEPS, type TierMoverOptions, type MoveStep, type PassReport, type TierStatus, type TierSummary } from './mover';
export { S3BlockSource, type S3BlockSourceOptions, type RemoteReadStats } from './s3-block-source';
export { resolveS3Settings, s3ClientFor, ObjectKeys, TierConfigError, type S3Settings } from './s3-settings';
export type { TierAuditEvent, AuditSink } from './audit-event';
export { blockToParquet, PARQUET_COLUMNS } from './parquet';
export { tierMetrics, type TierMetrics } from './metrics';
export { MoverSchedule } from './schedule';
