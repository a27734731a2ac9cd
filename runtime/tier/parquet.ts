// The open archive: a block's samples as one Parquet file (columns tag, ts, value,
// quality; FORMAT-objects.md) so DuckDB, Spark or Athena read the archive without us.
import type { BlockReader } from '../tsdb';

export const PARQUET_COLUMNS = ['tag', 'ts', 'value', 'quality'] as const;

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
