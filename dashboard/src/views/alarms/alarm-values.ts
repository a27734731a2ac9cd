// An alarm's value and limit as the operator reads them, in the tag's unit; shared by the
// console and the journal.
import { formatValue, formatWithUnit, type TagInfo } from '../../lib/format';

/** The unit of an analog tag; a discrete tag's values are states, without one. */
export function unitOf(meta: TagInfo | undefined): string {
  return meta?.unit && !meta.states?.length && meta.valueType !== 'boolean' ? meta.unit : '';
}

/** An alarm's limit as the operator reads it: a rate per second, a discrete alarm's state by its name, else in the tag's unit. */
export function limitText(a: { type: string; limit: number | null }, meta: TagInfo | undefined): string {
  if (a.type === 'ROC' && a.limit !== null) { const u = unitOf(meta); return `${formatValue(a.limit)} ${u ? `${u}/s` : 'per s'}`; }
  return formatWithUnit(a.limit, meta);
}
