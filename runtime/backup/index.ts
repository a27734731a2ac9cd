// Online backup of the data directory (README "Backup and restore", FORMAT-backup.md).
export { BACKUP_FORMAT, STAGING_PREFIX, removeStaleStaging, snapshotDataDir, stagingBytes, type BackupManifest, type OpenStore } from './data-snapshot';
export { verifyBackupArchive, type ArchiveReport } from './verify-archive';
export { BackupRunner, type BackupResult, type BackupRunnerOptions } from './backup-runner';
export { archiveName, archivesIn, BackupSchedule, type BackupScheduleOptions, type ScheduledBackupStatus } from './backup-schedule';
export { restoreBackupArchive, type RestoreReport } from './restore-archive';
