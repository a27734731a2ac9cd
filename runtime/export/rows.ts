// Export rows in time order, in batches of columns. Each tag's samples arrive as an
// ascending stream; a k-way merge interleaves them so that both layouts come out sorted
// by time without ever holding more than one batch per tag.
import type { Columns } from '../tsdb';

/** A source of one tag's samples in [from, to), ascending, in batches. */
export type SeriesSource = (tag: string, from: number, to: number) => AsyncIterable<Columns>;

/** Long layout: one row per sample. `tag` indexes the export's tag list. */
export interface LongBatch { n: number; ts: Float64Array; tag: Uint32Array; value: Float64Array; quality: Uint16Array }

/** Wide layout: one row per distinct timestamp, one value column per tag (`has` 0 = empty cell). */
export interface WideBatch { n: number; ts: Float64Array; values: Float64Array[]; quality: Uint16Array[]; has: Uint8Array[] }

export const BATCH_ROWS = 8192;

class Cursor {
  private it: AsyncIterator<Columns>;
  cols: Columns | null = null;
  i = 0;
  constructor(src: AsyncIterable<Columns>) { this.it = src[Symbol.asyncIterator](); }
  /** Makes the current sample available; false at the end. */
  async fill(): Promise<boolean> {
    while (!this.cols || this.i >= this.cols.ts.length) {
      const r = await this.it.next();
      if (r.done) { this.cols = null; return false; }
      this.cols = r.value;
      this.i = 0;
    }
    return true;
  }
  async close(): Promise<void> { await this.it.return?.(); }
}

async function openCursors(source: SeriesSource, tags: readonly string[], from: number, to: number): Promise<(Cursor | null)[]> {
  const cs = tags.map((t) => new Cursor(source(t, from, to)));
  const live: (Cursor | null)[] = [];
  for (const c of cs) live.push((await c.fill()) ? c : null);
  return live;
}

/** Samples of all tags, merged by time (ties in tag-list order). */
export async function* longRows(source: SeriesSource, tags: readonly string[], from: number, to: number): AsyncGenerator<LongBatch> {
  const cur = await openCursors(source, tags, from, to);
  try {
    const single = cur.length === 1;
    for (;;) {
      const b: LongBatch = { n: 0, ts: new Float64Array(BATCH_ROWS), tag: new Uint32Array(BATCH_ROWS), value: new Float64Array(BATCH_ROWS), quality: new Uint16Array(BATCH_ROWS) };
      while (b.n < BATCH_ROWS) {
        let k = -1;
        let best = Infinity;
        if (single) { if (cur[0]) k = 0; } else {
          for (let j = 0; j < cur.length; j++) {
            const c = cur[j];
            if (c && c.cols!.ts[c.i] < best) { best = c.cols!.ts[c.i]; k = j; }
          }
        }
        if (k < 0) break;
        const c = cur[k]!;
        const cols = c.cols!;
        // Copy the run of this tag's samples that precede every other tag's next sample.
        let limit = Infinity;
        if (!single) for (let j = 0; j < cur.length; j++) if (j !== k && cur[j]) limit = Math.min(limit, cur[j]!.cols!.ts[cur[j]!.i] + (j < k ? 0 : 1));
        while (b.n < BATCH_ROWS && c.i < cols.ts.length && cols.ts[c.i] < limit) {
          b.ts[b.n] = cols.ts[c.i]; b.tag[b.n] = k; b.value[b.n] = cols.values[c.i]; b.quality[b.n] = cols.quality[c.i];
          b.n++; c.i++;
        }
        if (c.i >= cols.ts.length && !(await c.fill())) cur[k] = null;
      }
      if (b.n === 0) return;
      yield b;
      if (b.n < BATCH_ROWS) return;
    }
  } finally {
    await Promise.all(cur.map((c) => c?.close()));
  }
}

/** One row per distinct timestamp; a tag without a sample at that time leaves its cell empty. */
export async function* wideRows(source: SeriesSource, tags: readonly string[], from: number, to: number): AsyncGenerator<WideBatch> {
  const cur = await openCursors(source, tags, from, to);
  const k = tags.length;
  try {
    for (;;) {
      const b: WideBatch = {
        n: 0, ts: new Float64Array(BATCH_ROWS),
        values: tags.map(() => new Float64Array(BATCH_ROWS)),
        quality: tags.map(() => new Uint16Array(BATCH_ROWS)),
        has: tags.map(() => new Uint8Array(BATCH_ROWS)),
      };
      while (b.n < BATCH_ROWS) {
        let t = Infinity;
        for (let j = 0; j < k; j++) { const c = cur[j]; if (c && c.cols!.ts[c.i] < t) t = c.cols!.ts[c.i]; }
        if (t === Infinity) break;
        b.ts[b.n] = t;
        for (let j = 0; j < k; j++) {
          const c = cur[j];
          if (c && c.cols!.ts[c.i] === t) {
            b.values[j][b.n] = c.cols!.values[c.i]; b.quality[j][b.n] = c.cols!.quality[c.i]; b.has[j][b.n] = 1;
            c.i++;
            if (c.i >= c.cols!.ts.length && !(await c.fill())) cur[j] = null;
          }
        }
        b.n++;
      }
      if (b.n === 0) return;
      yield b;
      if (b.n < BATCH_ROWS) return;
    }
  } finally {
    await Promise.all(cur.map((c) => c?.close()));
  }
}
