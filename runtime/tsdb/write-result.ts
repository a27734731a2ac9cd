// What a write answers: accepted and rejected counts, and for each refused sample its index
// and a reason (README "Ingest: acknowledged means stored").
import { tagError, type Sample } from '../model';

/** Why the store refused a sample (see README "Ingest: acknowledged means stored"). */
export type RejectReason = 'bad_value' | 'bad_time' | 'bad_tag' | 'too_old' | 'too_far_in_future' | 'tag_limit';

export interface RejectedSample { index: number; reason: RejectReason; message: string }

/**
 * Outcome of a write: every sample is either accepted (durable per the fsync policy once
 * the promise resolves) or listed in `errors` with its index in the batch and the reason.
 */
export interface WriteResult {
  accepted: number;
  rejected: number;
  errors?: RejectedSample[];
  /** accepted samples that replaced a value stored for the same (tag, ts), or one earlier in the batch (last write wins) */
  overwrites?: number;
}

export function rejectMessage(reason: RejectReason, s: Sample | null, now: number, latest: number, oldest: number): string {
  const at = (t: number) => new Date(t).toISOString();
  switch (reason) {
    case 'bad_value': return `value: must be a finite number (got ${s && typeof s === 'object' ? String(s.value) : String(s)})`;
    case 'bad_time': return `ts: must be epoch milliseconds (got ${String(s?.ts)})`;
    case 'bad_tag': return `tag: ${tagError(s?.tag) ?? 'invalid'}`;
    case 'tag_limit': return 'tag: over a cardinality limit';
    case 'too_far_in_future': return `ts: ${at(s!.ts)} is ${((s!.ts - now) / 1000).toFixed(1)} s ahead of the server clock; at most ${((latest - now) / 1000).toFixed(1)} s allowed (clock-skew limit)`;
    case 'too_old': return `ts: ${at(s!.ts)} is older than the store keeps (oldest accepted ${at(oldest)}: late-data limit or retention)`;
  }
}
