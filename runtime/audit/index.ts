// Part 11 audit trail and electronic signatures: the hash chain in SQLite with keyed
// checkpoints (FORMAT-chain.md), verification, queries and CSV export, the auth-event
// recorder, signing tokens and the critical-action list. Express helpers are in ./http.
export * from './audit-trail';
export * from './auth-events';
export { CHAIN_VERSION, GENESIS_HASH, canonicalEncoding, entryHash, stableJson, type ChainFields } from './canonical';
export type { Checkpoint, CheckpointKind } from './checkpoint';
export { KEY_ENV, defaultKeyFile } from './checkpoint-key';
export { defaultAnchorFile } from './checkpoint';
export { defaultStateFile } from './trail-state';
export * from './critical-actions';
export { CSV_COLUMNS, CsvChainChecker, CsvParser, verifyCsvText, type CsvVerifyResult } from './csv';
export * from './entry';
export * from './errors';
export * from './flow-diff';
export * from './flow-event';
export * from './process-trail';
export type { AuditFilter, AuditPage, AuditQueryResult } from './query';
export * from './signature-service';
export type { Damage, DamageKind, VerifyResult } from './verify';
export { CRITICAL_NODE_RULES, criticalFlowChanges } from './critical-flow-changes';
export type { CriticalChange } from './critical-flow-changes';
export { SIGNATURE_HEADER, requireSignature, signatureFor, signatureTokenOf } from './http/signature-guard';
export { consumeSignature } from './http/signature-guard';
