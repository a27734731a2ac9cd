// Tag paths are dotted ISA-95 paths (enterprise.site.area.line.cell.equipment.point):
// at most 255 bytes, segments of [A-Za-z0-9_-]. Patterns use NATS wildcards:
// `*` matches one segment, `>` (last only) matches one or more remaining segments.

export const MAX_TAG_BYTES = 255;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** A whole valid path: ASCII only, so its length in bytes is its length in characters. */
const VALID_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Returns an error message, or null when the tag is valid. */
export function tagError(tag: unknown): string | null {
  if (typeof tag !== 'string' || tag.length === 0) return 'tag must be a non-empty string';
  // every sample of every ingest path comes through here: one pattern test for a good tag,
  // the segment-by-segment check below only to name what is wrong with a bad one
  if (tag.length <= MAX_TAG_BYTES && VALID_PATH.test(tag)) return null;
  if (Buffer.byteLength(tag) > MAX_TAG_BYTES) return `tag is longer than ${MAX_TAG_BYTES} bytes`;
  const segs = tag.split('.');
  for (let i = 0; i < segs.length; i++) {
    if (!SEGMENT.test(segs[i])) return `tag segment ${i + 1} ("${segs[i]}") must match [A-Za-z0-9_-]+`;
  }
  return null;
}

export function isValidTag(tag: unknown): tag is string {
  return tagError(tag) === null;
}

/** Returns an error message, or null when the pattern is valid. */
export function patternError(pattern: unknown): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'pattern must be a non-empty string';
  const segs = pattern.split('.');
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s === '>' && i === segs.length - 1) continue;
    if (s === '*') continue;
    if (!SEGMENT.test(s)) return `pattern segment ${i + 1} ("${s}") must be [A-Za-z0-9_-]+, "*" or a final ">"`;
  }
  return null;
}

/** Compiles a NATS-style pattern into a fast matcher. */
export function compilePattern(pattern: string): (tag: string) => boolean {
  const err = patternError(pattern);
  if (err) throw new Error(err);
  if (!pattern.includes('*') && !pattern.includes('>')) return (tag) => tag === pattern;
  const pats = pattern.split('.');
  const tail = pats[pats.length - 1] === '>';
  const fixed = tail ? pats.length - 1 : pats.length;
  return (tag: string) => {
    const segs = tag.split('.');
    if (tail ? segs.length <= fixed : segs.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) {
      if (pats[i] !== '*' && pats[i] !== segs[i]) return false;
    }
    return true;
  };
}

export function matchesPattern(pattern: string, tag: string): boolean {
  return compilePattern(pattern)(tag);
}
