// Samples as parallel columns: the shape of a WAL record and of a head chunk, without an
// object per sample. The HTTP ingest path fills them straight from a request's arrays;
// at a million samples a second, one small object per sample is most of the garbage the
// collector has to chase. Rows of one tag share the same string, so a run of a tag is
// found by comparing references.
import type { Sample } from './sample';

export interface SampleColumns {
  readonly length: number;
  /** tag of each row (the caller's value as given: the store refuses a non-string) */
  readonly tag: readonly string[];
  /** epoch milliseconds */
  readonly ts: Float64Array;
  readonly value: Float64Array;
  readonly quality: Uint16Array;
}

/** Empty columns for `n` rows, to be filled by the caller. */
export function allocColumns(n: number): { length: number; tag: string[]; ts: Float64Array; value: Float64Array; quality: Uint16Array } {
  // one buffer for the three numeric columns (18 bytes a row): one allocation, not three
  const ab = new ArrayBuffer(n * 18);
  return { length: n, tag: new Array<string>(n), ts: new Float64Array(ab, 0, n), value: new Float64Array(ab, 8 * n, n), quality: new Uint16Array(ab, 16 * n, n) };
}

/**
 * The columns of sample objects. A field that is not a number becomes NaN, which the store
 * refuses: its message is made from the original object, which the store keeps for that.
 */
export function columnsOf(samples: readonly Sample[]): SampleColumns {
  const c = allocColumns(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample | null;
    if (s === null || typeof s !== 'object') { c.tag[i] = ''; c.ts[i] = NaN; c.value[i] = NaN; continue; }
    c.tag[i] = s.tag;
    c.ts[i] = typeof s.ts === 'number' ? s.ts : NaN;
    c.value[i] = typeof s.value === 'number' ? s.value : NaN;
    c.quality[i] = s.quality;
  }
  return c;
}

/** Sample objects of the rows whose `keep` is 1 (all rows when keep is null). */
export function samplesOf(c: SampleColumns, keep: Uint8Array | null = null): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < c.length; i++) if (!keep || keep[i]) out.push({ tag: c.tag[i], ts: c.ts[i], value: c.value[i], quality: c.quality[i] });
  return out;
}

/** The rows whose `keep` is 1, as new columns. */
export function keptColumns(c: SampleColumns, keep: Uint8Array, n: number): SampleColumns {
  const out = allocColumns(n);
  let j = 0;
  for (let i = 0; i < c.length; i++) {
    if (!keep[i]) continue;
    out.tag[j] = c.tag[i]; out.ts[j] = c.ts[i]; out.value[j] = c.value[i]; out.quality[j] = c.quality[i]; j++;
  }
  return out;
}
