// Tier metrics in the process's prom-client registry (served at /metrics). Every metric
// carries the store name; a redeploy reuses the metrics already registered.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface TierMetrics {
  blocksMoved: Counter<'store'>;
  bytesUploaded: Counter<'store'>;
  errors: Counter<'store' | 'step'>;
  retries: Counter<'store'>;
  remoteDeleted: Counter<'store' | 'reason'>;
  cacheHits: Counter<'store'>;
  cacheMisses: Counter<'store'>;
  bytesFetched: Counter<'store'>;
  corruptObjects: Counter<'store'>;
  lastRun: Gauge<'store'>;
  moving: Gauge<'store'>;
}

function counter<L extends string>(reg: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (reg.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [reg] });
}

function gauge<L extends string>(reg: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  return (reg.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [reg] });
}

export function tierMetrics(reg: Registry): TierMetrics {
  return {
    blocksMoved: counter(reg, 'historian_tier_blocks_moved_total', 'Blocks moved to object storage', ['store']),
    bytesUploaded: counter(reg, 'historian_tier_uploaded_bytes_total', 'Bytes uploaded to object storage (blocks and Parquet files)', ['store']),
    errors: counter(reg, 'historian_tier_errors_total', 'Tier failures by protocol step (upload, verify, parquet, mark, recover, retention, read)', ['store', 'step']),
    retries: counter(reg, 'historian_tier_retries_total', 'Object storage calls retried after a failure', ['store']),
    remoteDeleted: counter(reg, 'historian_tier_remote_deleted_total', 'Objects deleted from the bucket, by reason', ['store', 'reason']),
    cacheHits: counter(reg, 'historian_tier_cache_hits_total', 'Remote block reads answered from the local pin or page cache', ['store']),
    cacheMisses: counter(reg, 'historian_tier_cache_misses_total', 'Remote block reads that fetched pages from object storage', ['store']),
    bytesFetched: counter(reg, 'historian_tier_fetched_bytes_total', 'Bytes read from object storage by queries', ['store']),
    corruptObjects: counter(reg, 'historian_tier_corrupt_objects_total', 'Remote blocks found corrupt (checksum mismatch); never served as data', ['store']),
    lastRun: gauge(reg, 'historian_tier_last_run_timestamp_seconds', 'End of the last mover pass', ['store']),
    moving: gauge(reg, 'historian_tier_moving', '1 while a mover pass runs', ['store']),
  };
}
