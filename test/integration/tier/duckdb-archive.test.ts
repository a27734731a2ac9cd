// DuckDB reads the tier mover's Parquet archive (Hive layout store=…/date=…) directly:
// a month of the demo plant (its simulator's tags, 5-minute steps) moved to the S3-API server, the
// archive mirrored to a directory as the bucket holds it, and DuckDB's read_parquet with
// hive_partitioning answers the same rows (tag, ts, value, quality) as the store, with the
// column types and statistics engines use for pruning.
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../../helpers/s3';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { TierMover } from '../../../runtime/tier';
import { PlantSimulator } from '../../../runtime/sim/plant';
import { TsdbStore } from '../../../runtime/tsdb/store';
import type { Columns } from '../../../runtime/tsdb/types';

const BUCKET = 'archive';
const DAY = 86_400_000;
const STEP = 5 * 60_000;
// a month ending on a week boundary, so weekly blocks span several UTC days each
const FROM = Date.UTC(2026, 2, 2); // Monday 2 March 2026
const DAYS = 28;
const NOW = FROM + DAYS * DAY + 40 * DAY;

let s3: S3Server;
let client: S3Client;
let tmp: string;
let store: TsdbStore;
let duck: DuckDBConnection;
let instance: DuckDBInstance;
const simTags = new Set<string>();

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  client = s3.client();
  tmp = await makeTempDir('duckdb-archive-');
  store = await TsdbStore.open({ dir: path.join(tmp, 'store'), blockRangeMs: 2 * 3_600_000, maintenanceIntervalMs: 0, clock: () => NOW });
  // the demo plant's simulator, one week per imported block (as the bulk import writes them)
  const sim = new PlantSimulator({ start: FROM, seed: 7 });
  for (let w = 0; w < DAYS / 7; w++) {
    const cols = new Map<string, { ts: number[]; values: number[]; quality: number[] }>();
    for (let ts = FROM + w * 7 * DAY; ts < FROM + (w + 1) * 7 * DAY; ts += STEP) {
      for (const s of sim.stepAt(ts, STEP / 1000)) {
        let c = cols.get(s.tag);
        if (!c) { c = { ts: [], values: [], quality: [] }; cols.set(s.tag, c); }
        simTags.add(s.tag);
        c.ts.push(s.ts); c.values.push(typeof s.value === 'boolean' ? Number(s.value) : s.value); c.quality.push(s.quality ?? 0);
      }
      sim.takeEvents();
    }
    await store.importBlock([...cols].map(([tag, c]): { tag: string; cols: Columns } => ({
      tag, cols: { ts: Float64Array.from(c.ts), values: Float64Array.from(c.values), quality: Uint16Array.from(c.quality) },
    })), 3);
  }
  const mover = new TierMover({
    store, storeName: 'plant', policyAgeMs: 30 * DAY, parquet: true, clock: () => NOW, retry: { attempts: 3, baseDelayMs: 5 },
    s3: { endpoint: s3.endpoint, region: s3.region, bucket: BUCKET, prefix: 'hist', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const r = await mover.runOnce();
  expect(r.errors).toEqual([]);
  expect(r.moved.length).toBe(DAYS / 7);
  // the bucket's parquet/ tree, byte for byte, as a directory DuckDB can read
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'hist/parquet/', ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }))).Body!.transformToByteArray();
      const file = path.join(tmp, 'mirror', o.Key!);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
}, 180_000);

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await store?.close();
  client?.destroy();
  await s3?.dispose();
  if (tmp) await removeTempDir(tmp);
});

const archive = () => `read_parquet('${path.join(tmp, 'mirror', 'hist', 'parquet')}/**/*.parquet', hive_partitioning = true)`;
const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJS();

describe('DuckDB reads the Parquet archive', () => {
  it('finds one directory per store and UTC day, typed columns and statistics', async () => {
    const days = await rows(`SELECT DISTINCT store, date::VARCHAR AS date FROM ${archive()} ORDER BY date`);
    expect(days).toHaveLength(DAYS);
    expect(days[0]).toEqual({ store: 'plant', date: '2026-03-02' });
    expect(days.at(-1)).toEqual({ store: 'plant', date: '2026-03-29' });
    // every row sits in the directory of its own UTC day
    const misplaced = await rows(`SELECT count(*) AS n FROM ${archive()} WHERE CAST(ts AS DATE) <> date`);
    expect(Number(misplaced[0].n)).toBe(0);
    const types = Object.fromEntries((await rows(`DESCRIBE SELECT tag, ts, value, quality FROM ${archive()}`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toEqual({ tag: 'VARCHAR', ts: expect.stringMatching(/^TIMESTAMP/), value: 'DOUBLE', quality: 'INTEGER' });
    const stats = await rows(`SELECT path_in_schema AS col, count(*) AS groups, count(coalesce(stats_min_value, stats_min)) AS with_stats FROM parquet_metadata('${path.join(tmp, 'mirror', 'hist', 'parquet')}/**/*.parquet') GROUP BY 1 ORDER BY 1`);
    for (const s of stats) expect(Number(s.with_stats), String(s.col)).toBe(Number(s.groups));
  });

  it('holds the same rows as the store for the month', async () => {
    const tags = [...simTags].sort();
    expect((await rows(`SELECT DISTINCT tag FROM ${archive()} ORDER BY tag`)).map((r) => r.tag)).toEqual(tags);
    expect(tags.length).toBeGreaterThan(10);
    const counts = new Map((await rows(`SELECT tag, count(*) AS n FROM ${archive()} GROUP BY tag`)).map((r) => [r.tag as string, Number(r.n)]));
    let total = 0;
    for (const tag of tags) {
      const ts: number[] = [], values: number[] = [], quality: number[] = [];
      for await (const b of store.raw({ tag, from: FROM, to: FROM + DAYS * DAY })) { ts.push(...b.ts); values.push(...b.values); quality.push(...b.quality); }
      expect(counts.get(tag), tag).toBe(ts.length);
      total += ts.length;
      const got = await rows(`SELECT epoch_ms(ts) AS ts, value, quality FROM ${archive()} WHERE tag = '${tag}' ORDER BY ts`);
      expect(got.map((r) => Number(r.ts)), tag).toEqual(ts);
      expect(got.map((r) => r.value), tag).toEqual(values);
      expect(got.map((r) => r.quality), tag).toEqual(quality);
    }
    expect(total).toBe(tags.length * DAYS * (DAY / STEP));
    expect(Number((await rows(`SELECT count(*) AS n FROM ${archive()}`))[0].n)).toBe(total);
  });
});
