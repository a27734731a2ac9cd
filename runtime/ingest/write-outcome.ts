// What the store said about each sample, in the words of the caller's own input: the
// store lists refused samples by their index in the batch it got; ingest paths map that
// back to their item numbers and field names, so "accepted" only ever counts what was
// stored (README "Ingest: acknowledged means stored").
import type { RejectedSample, RejectReason } from '../tsdb';

export interface ItemRejection { index: number; field: string; reason: RejectReason; message: string }

/** The field of the caller's input a store refusal is about. */
export function rejectionField(reason: RejectReason, names: { ts: string; value: string; tag: string }): string {
  switch (reason) {
    case 'bad_value': return names.value;
    case 'bad_tag':
    case 'tag_limit': return names.tag;
    default: return names.ts;
  }
}

/**
 * Maps store refusals to caller items. `itemOf[i]` is the caller's index of the i-th
 * sample written; `names` are the caller's field names.
 */
export function mapRejections(errors: readonly RejectedSample[] | undefined, itemOf: readonly number[] | null, names: { ts: string; value: string; tag: string }): ItemRejection[] {
  if (!errors?.length) return [];
  return errors.map((e) => ({
    index: itemOf ? itemOf[e.index] : e.index,
    field: rejectionField(e.reason, names),
    reason: e.reason,
    message: e.message.replace(/^[^:]*: /, ''),
  }));
}

/** One line for logs and node status: the first refusal and how many more. */
export function describeRejections(list: readonly { field: string; message: string }[]): string {
  if (!list.length) return '';
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  return `${list[0].field}: ${list[0].message}${more}`;
}
