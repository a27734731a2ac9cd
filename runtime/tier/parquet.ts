// The open archive: a block's samples as Parquet files, one per UTC day the block covers,
// in a Hive-style layout (parquet/store=<store>/date=<day>/<block>.parquet; columns tag,
// ts, value, quality with statistics; FORMAT-objects.md) so DuckDB, Trino, Spark or Athena
// read the archive without us and prune by day.
import type { BlockReader } from '../tsdb';

export const PARQUET_COLUMNS = ['tag', 'ts', 'value', 'quality'] as const;

const DAY_MS = 86_400_000;

/** The UTC day of a timestamp, YYYY-MM-DD. */
export function utcDay(ts: number): string { return new Date(Math.floor(ts / DAY_MS) * DAY_MS).toISOString().slice(0, 10); }

/** The UTC days from minT to maxT, in order. */
export function utcDays(minT: number, maxT: number): string[] {
  const out: string[] = [];
  for (let d = Math.floor(minT / DAY_MS); d <= Math.floor(maxT / DAY_MS); d++) out.push(utcDay(d * DAY_MS));
  return out;
}

/** The block's samples split by UTC day: one Parquet file per day, rows by tag then time. */
export async function blockToParquetByDay(reader: BlockReader): Promise<Array<{ day: string; rows: number; file: Uint8Array }>> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const days = new Map<number, { tags: string[]; ts: number[]; values: number[]; quality: number[] }>();
  const tags = [...reader.series.keys()].sort();
  for (const tag of tags) {
    const s = reader.series.get(tag)!;
    for (const c of s.chunks) {
      const cols = await reader.loadChunk(c);
      for (let k = 0; k < cols.ts.length; k++) {
        const d = Math.floor(cols.ts[k] / DAY_MS);
        let g = days.get(d);
        if (!g) { g = { tags: [], ts: [], values: [], quality: [] }; days.set(d, g); }
        g.tags.push(tag); g.ts.push(cols.ts[k]); g.values.push(cols.values[k]); g.quality.push(cols.quality[k]);
      }
    }
  }
  return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([d, g]) => ({
    day: utcDay(d * DAY_MS), rows: g.ts.length,
    file: new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'tag', data: g.tags, type: 'STRING', nullable: false, columnIndex: true },
        { name: 'ts', data: g.ts, type: 'TIMESTAMP', nullable: false, columnIndex: true },
        { name: 'value', data: g.values, type: 'DOUBLE', nullable: false },
        { name: 'quality', data: g.quality, type: 'INT32', nullable: false },
      ],
      // whole tag paths in the min/max statistics, so engines can skip row groups by tag
      statisticsTruncateLength: 255,
      kvMetadata: [{ key: 'historian.block', value: reader.id }, { key: 'historian.quality', value: 'OPC UA-style status code (runtime/model quality.ts)' }],
      createdBy: 'historian tier mover',
    })),
  }));
}

/** Every sample of the block, series by series in time order, as a Parquet file. */
export async function blockToParquet(reader: BlockReader): Promise<Uint8Array> {
  // hyparquet-writer is an ES module: load it the way CommonJS can
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  let n = 0;
  for (const s of reader.series.values()) for (const c of s.chunks) n += c.summary.count;
  const tags: string[] = new Array(n);
  const ts: number[] = new Array(n);
  const values = new Float64Array(n);
  const quality = new Int32Array(n);
  let i = 0;
  for (const [tag, s] of reader.series) {
    for (const c of s.chunks) {
      const cols = await reader.loadChunk(c);
      for (let k = 0; k < cols.ts.length; k++, i++) { tags[i] = tag; ts[i] = cols.ts[k]; values[i] = cols.values[k]; quality[i] = cols.quality[k]; }
    }
  }
  if (i !== n) throw new Error(`block ${reader.id}: chunk summaries count ${n} samples, chunks hold ${i}`);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'tag', data: tags, type: 'STRING', nullable: false },
      { name: 'ts', data: ts, type: 'TIMESTAMP', nullable: false },
      { name: 'value', data: values, type: 'DOUBLE', nullable: false },
      { name: 'quality', data: quality, type: 'INT32', nullable: false },
    ],
    kvMetadata: [{ key: 'historian.block', value: reader.id }, { key: 'historian.quality', value: 'OPC UA-style status code (runtime/model quality.ts)' }],
    createdBy: 'historian tier mover',
  });
  return new Uint8Array(buf);
}
