// The paging and grouping rules shared by ListObjects and ListObjectsV2.

export interface ListingRequest {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** List only keys after this one (StartAfter, Marker or a decoded continuation token). */
  after: string;
}

export interface ListingPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last: string | undefined;
}

const utf8Greater = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0;

/** One page of `sortedKeys` the way S3 pages it; keys and common prefixes both count against maxKeys. */
export function listPage(sortedKeys: string[], request: ListingRequest): ListingPage {
  const { prefix, delimiter, maxKeys, after } = request;
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let isTruncated = false;
  for (const key of sortedKeys) {
    if (!key.startsWith(prefix)) continue;
    if (after && !utf8Greater(key, after)) continue;
    // a page that ended on a common prefix resumes after every key under it
    if (after && delimiter && after.endsWith(delimiter) && key.startsWith(after)) continue;
    let entry = key;
    let isPrefix = false;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        entry = key.slice(0, at + delimiter.length);
        isPrefix = true;
      }
    }
    if (isPrefix && entry === commonPrefixes[commonPrefixes.length - 1]) continue;
    if (keys.length + commonPrefixes.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    if (isPrefix) commonPrefixes.push(entry);
    else keys.push(entry);
    last = entry;
  }
  return { keys, commonPrefixes, isTruncated, last };
}
