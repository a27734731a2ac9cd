// Tier benchmark (issue 11) against the S3-API test server on loopback: upload throughput
// of the mover (hash, pin, upload, verify, mark), latency of a 1000-point view over a
// remote year (first read after a restart with an empty cache, then cached), raw reads
// that must fetch chunks from the bucket, and the page cache hit ratio of a dashboard-like
// workload. A year of 10 tags at 1 sample/min is imported as weekly top-level blocks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TierMover } from '../../runtime/tier';
import { TsdbStore } from '../../runtime/tsdb/store';
import { startS3 } from '../helpers/s3';
import { metric, writeReport } from './lib/report';

const MIN = 60_000, H = 60 * MIN, D = 24 * H, W = 7 * D;
const T0 = 2800 * W;
const WEEKS = 52;
const NOW = T0 + (WEEKS + 8) * W;
const TAGS = Array.from({ length: 10 }, (_, i) => `plant.area${i % 3}.unit${i}.pv`);

function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

function week(tagIndex: number, w: number) {
  const r = rand(tagIndex * 1000 + w);
  const n = W / MIN;
  const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
  let v = 20 + tagIndex;
  for (let i = 0; i < n; i++) { ts[i] = T0 + w * W + i * MIN; v += (r() - 0.5) * 0.2; values[i] = Math.round(v * 1000) / 1000; }
  return { ts, values, quality };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tier-bench-'));
  const s3 = await startS3();
  try {
    await s3.createBucket('bench');
    const dir = path.join(tmp, 'store');
    const open = () => TsdbStore.open({ dir, blockRangeMs: 2 * H, maintenanceIntervalMs: 0, clock: () => NOW });
    const settings = { endpoint: s3.endpoint, region: s3.region, bucket: 'bench', prefix: 'b', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    let store = await open();
    for (let w = 0; w < WEEKS; w++) await store.importBlock(TAGS.map((tag, k) => ({ tag, cols: week(k, w) })), 3);
    const bytes = store.stats().blockBytes;
    const samples = store.stats().blockSamples;

    let mover = new TierMover({ store, storeName: 'bench', s3: settings, policyAgeMs: 30 * D });
    const t0 = performance.now();
    const pass = await mover.runOnce();
    const uploadS = (performance.now() - t0) / 1000;
    if (pass.errors.length || pass.moved.length !== WEEKS) throw new Error(`move failed: ${JSON.stringify(pass.errors)}`);
    const uploadMbps = bytes / (1 << 20) / uploadS;
    const pinDir = path.join(dir, 'tier', 'pins');
    const pinBytes = fs.readdirSync(pinDir).reduce((a, f) => a + fs.statSync(path.join(pinDir, f)).size, 0);
    console.log(`moved ${WEEKS} blocks, ${(bytes / (1 << 20)).toFixed(1)} MiB, ${samples} samples in ${uploadS.toFixed(2)} s`);

    // restart with an empty page cache: the first view opens every remote block
    const view = { tag: TAGS[0], from: T0, to: T0 + WEEKS * W, points: 1000 };
    await store.close();
    fs.rmSync(path.join(dir, 'tier', 'cache'), { recursive: true, force: true });
    store = await open();
    mover = new TierMover({ store, storeName: 'bench', s3: settings, policyAgeMs: 30 * D });
    let t = performance.now();
    const first = await store.downsample(view);
    const firstMs = performance.now() - t;
    if (first.ts.length < 500) throw new Error(`view returned ${first.ts.length} points`);
    const cached: number[] = [];
    for (let i = 0; i < 20; i++) { t = performance.now(); await store.downsample(view); cached.push(performance.now() - t); }

    // the same view when the local pins were lost too: index and rollups come by ranged GETs
    await store.close();
    fs.rmSync(path.join(dir, 'tier'), { recursive: true, force: true });
    store = await open();
    mover = new TierMover({ store, storeName: 'bench', s3: settings, policyAgeMs: 30 * D });
    t = performance.now();
    await store.downsample(view);
    const noPinMs = performance.now() - t;

    // raw day reads must fetch chunks: first from the bucket, then from the page cache
    const rawDay = async (day: number) => {
      let n = 0;
      for await (const b of store.raw({ tag: TAGS[3], from: T0 + day * D, to: T0 + (day + 1) * D })) n += b.ts.length;
      return n;
    };
    t = performance.now();
    const n = await rawDay(100);
    const rawFirstMs = performance.now() - t;
    if (n !== D / MIN) throw new Error(`raw day returned ${n} samples`);
    t = performance.now();
    await rawDay(100);
    const rawCachedMs = performance.now() - t;

    // dashboard-like workload: 200 one-day raw reads, 80 % of them on the last 30 days
    const before = mover.summary().cache;
    const r = rand(7);
    for (let i = 0; i < 200; i++) {
      const day = r() < 0.8 ? WEEKS * 7 - 1 - Math.floor(r() * 30) : Math.floor(r() * WEEKS * 7);
      await rawDay(day);
    }
    const after = mover.summary().cache;
    const hits = after.hits - before.hits, misses = after.misses - before.misses;
    const hitRatio = hits / (hits + misses);
    await store.close();

    writeReport('tier', [
      metric('upload.mb_per_s', uploadMbps, 'MiB/s', 'higher'),
      metric('cold_query.first_ms', firstMs, 'ms', 'lower', 50),
      metric('cold_query.cached_ms', median(cached), 'ms', 'lower', 50),
      metric('cold_query.first_ms_without_pins', noPinMs, 'ms', 'lower'),
      metric('cold_query.raw_day_first_ms', rawFirstMs, 'ms', 'lower'),
      metric('cold_query.raw_day_cached_ms', rawCachedMs, 'ms', 'lower'),
      metric('cache.hit_ratio', hitRatio, 'ratio', 'higher'),
      metric('data.remote_mib', bytes / (1 << 20), 'MiB', 'lower'),
      // index + rollups kept local per remote byte (1-minute rollups of 1/min data are as many rows as samples)
      metric('pin.local_fraction', pinBytes / bytes, 'ratio', 'lower'),
      metric('data.samples', samples, 'samples', 'higher'),
    ]);
  } finally {
    await s3.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
