// Building tag paths from names that come from devices (Sparkplug metric names, S7
// variable names, OPC UA browse names): segments must match [A-Za-z0-9_-]+ (runtime/model).
import { MAX_TAG_BYTES, tagError } from '../model';

/** Replaces every character outside [A-Za-z0-9_-] by "_"; an empty name becomes "_". */
export function sanitizeSegment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return s.length ? s : '_';
}

/** Splits a device name into segments on `separators`, sanitizing each. */
export function nameToSegments(name: string, separators: RegExp = /[/.]/): string[] {
  return name.split(separators).map(sanitizeSegment);
}

/** Joins already-dotted prefix and segments; throws naming `field` when the result is not a valid tag. */
export function joinTag(prefix: string, segments: string[], field = 'tag'): string {
  const tag = [prefix, ...segments].filter((s) => s.length > 0).join('.');
  const err = tagError(tag);
  if (err) throw new Error(`${field}: ${err} ("${tag.length > 80 ? tag.slice(0, 80) + '…' : tag}")`);
  return tag;
}

export function prefixError(prefix: unknown): string | null {
  if (prefix === undefined || prefix === '') return null;
  const err = tagError(prefix);
  return err ? `prefix: ${err.replace(/^tag /, '')}` : null;
}

export { MAX_TAG_BYTES };
