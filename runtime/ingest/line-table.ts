// The scan of a JSON-lines ingest body as plain arrays, so it can run on another thread and
// come back without a structured-clone object per line (runtime/ingest/scan-thread.ts):
//   lines  Float64Array, STRIDE numbers per line: start and end byte of the line; the index
//          of its tag in `tags`, or -1 when the scan left the line to JSON.parse; the offsets
//          of its timestamps, values and qualities in `nums` (qualities -1: none); its
//          sample count
//   nums   Float64Array, every scanned line's columns one after another
//   tags   the distinct tags of the scanned lines
// itemsFromTable turns it back into what splitItems gives for the same bytes: the same
// items, holes and refusals, in the same order.
import type { IngestItemError } from './metric-item';
import { parseLine, ScannedItem } from './ingest-body';
import type { ParsedSeriesItem } from './series-item';
import { SeriesLineScanner } from './series-line';

export const STRIDE = 7;

export interface LineTable { lines: Float64Array; count: number; nums: Float64Array; tags: string[] }

/** Scans every line of a JSON-lines body (the part of splitItems that may run on another thread). */
export function scanLines(bytes: Buffer): LineTable {
  const scanner = new SeriesLineScanner(bytes.length);
  const items: Array<ParsedSeriesItem | null> = [];
  const bounds: number[] = [];
  let total = 0;
  for (let p = 0; p < bytes.length;) {
    let nl = bytes.indexOf(10, p);
    if (nl < 0) nl = bytes.length;
    const it = scanner.scan(bytes, p, nl, items.length);
    items.push(it);
    bounds.push(p, nl);
    if (it) total += it.length * (it.quality ? 3 : 2);
    p = nl + 1;
  }
  const lines = new Float64Array(items.length * STRIDE);
  const nums = new Float64Array(total);
  const tags: string[] = [];
  const tagIndex = new Map<string, number>();
  let k = 0;
  for (let i = 0; i < items.length; i++) {
    const o = i * STRIDE, it = items[i];
    lines[o] = bounds[2 * i]; lines[o + 1] = bounds[2 * i + 1];
    if (!it) { lines[o + 2] = -1; continue; }
    let t = tagIndex.get(it.tag);
    if (t === undefined) { t = tags.length; tags.push(it.tag); tagIndex.set(it.tag, t); }
    lines[o + 2] = t;
    lines[o + 3] = k; nums.set(it.ts, k); k += it.length;
    lines[o + 4] = k; nums.set(it.values, k); k += it.length;
    if (it.quality) { lines[o + 5] = k; nums.set(it.quality, k); k += it.length; } else lines[o + 5] = -1;
    lines[o + 6] = it.length;
  }
  return { lines, count: items.length, nums, tags };
}

/** The items of the body `bytes` from its table, exactly as splitItems(bytes, 'lines', errors) gives them. */
export function itemsFromTable(bytes: Buffer, t: LineTable, errors: IngestItemError[]): unknown[] {
  const out: unknown[] = [];
  const { lines, nums } = t;
  for (let i = 0; i < t.count; i++) {
    const o = i * STRIDE;
    const start = lines[o], end = lines[o + 1], tag = lines[o + 2];
    if (tag < 0) parseLine(bytes, start, end, i, out, errors);
    else {
      const n = lines[o + 6], q = lines[o + 5];
      out[i] = new ScannedItem({
        index: i, tag: t.tags[tag], length: n, ts: nums.subarray(lines[o + 3], lines[o + 3] + n), values: nums.subarray(lines[o + 4], lines[o + 4] + n),
        quality: q < 0 ? null : nums.subarray(q, q + n), at: null, dedupeId: null,
      });
    }
    if (end + 1 === bytes.length) out.length = i + 1;
  }
  return out;
}
