export { FlowVersionStore, DEFAULT_KEEP, VERSION_FORMAT, parseVersionFile } from './version-store';
export type { FlowVersion, VersionHeader, VersionListing, VersionAuthor, RecordInput } from './version-store';
export { FlowVersionError } from './errors';
export { diffVersions, type VersionDiff } from './version-diff';
export { missingTypes, missingTypesMessage, type MissingType } from './restorable';
export { nodesOf, withoutCredentials, type FlowNode } from './flow-nodes';
