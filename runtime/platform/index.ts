// Platform: the building blocks every capability shares, written once (in the spirit of
// Prometheus tsdb/fileutil). No domain knowledge and no imports from capabilities.
export { writeFileAtomic, renameDurable, fsyncDir, tempFileOf, type AtomicWriteOptions } from './atomic-file';
export { parseDuration, durationOrError, parseDurationSetting, DurationError, DURATION_UNITS, type DurationOptions } from './duration';
export { Backoff, type BackoffOptions } from './backoff';
export { openSqlite, openSqliteReadOnly, configureSqlite, transaction, type SqliteOptions } from './sqlite';
export { DomainError, isDomainError, type DomainErrorKind, type DomainErrorDetail } from './domain-error';
export { HeapTrimmer, pooledHeapBytes, lastResortCollection, eventLoopBusy, type HeapTrimOptions } from './heap-trim';
export { takePidLock, releasePidLock, pidAlive, PidLockError } from './pid-lock';
