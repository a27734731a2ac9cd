// What the tier reports for the audit trail (wired in by whoever owns the trail): every
// object deleted from the bucket, and every remote block found corrupt.
export interface TierAuditEvent {
  action: 'tier.object.deleted' | 'tier.object.corrupt';
  store: string;
  blockId: string;
  /** object keys concerned */
  keys: string[];
  /** retention: past the store's retention; dropped: the store no longer lists it (compacted);
   *  orphan: found in the bucket without a manifest entry (crash recovery);
   *  unverified: an upload that was never marked remote; checksum: corrupt content */
  reason: 'retention' | 'dropped' | 'orphan' | 'unverified' | 'checksum';
  minT?: number;
  maxT?: number;
  /** epoch ms */
  at: number;
  detail?: string;
}

export type AuditSink = (e: TierAuditEvent) => void;
