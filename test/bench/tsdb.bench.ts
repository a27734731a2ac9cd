// Storage engine benchmark (issues 3, 19): ingest, bytes per sample (demo plant, SKAB, NAB,
// slow 5-minute and hourly tags, side by side with plain Gorilla), 1000-point view latency
// over 1 h .. 10 y for a fast (10 s), a 1-minute and a slow (5 min) tag, raw decode speed,
// head memory per active series, and RSS with 10,000 tags at 1 Hz (paced by the wall clock)
// and 10,000 / 100,000 tags replayed as fast as the engine takes them (each in a child
// process that loads only the engine, lib/rss-child.ts).
// TSDB_BENCH_PARTS=ingest,plant,skab,nab,slow,views,rss runs only the parts named (default:
// all); the JSON then holds only their metrics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodeModule from 'node:module';
import type { Sample } from '../../runtime/model';
import { TsdbStore } from '../../runtime/tsdb/store';
import { BlockReader } from '../../runtime/tsdb/block';
import { LocalBlockSource } from '../../runtime/tsdb/block-source';
import { measureSkabCompression, measureSeriesCompression } from './lib/compression';
import { measureSkabFloor } from './lib/skab-floor';
import { hourlyTags, nab, slowTags, type DataSet } from './lib/datasets';
import { dirBytes as treeBytes, writeDataSet } from './lib/store-load';
import { metric, writeReport, type Metric } from './lib/report';

const H = 3_600_000;
const D = 24 * H;
const Y = 365 * D;
const T0 = Date.UTC(2015, 0, 1);

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tsdb-bench-${name}-`));
}

function dirBytes(dir: string): number {
  let b = 0;
  for (const f of fs.readdirSync(dir)) b += fs.statSync(path.join(dir, f)).size;
  return b;
}

function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function percentile(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

// ---------------------------------------------------------------- ingest

async function ingest(fsync: 'interval' | 'always', total: number, tags: number, batch: number, writers: number): Promise<number> {
  const dir = tmp(`ingest-${fsync}`);
  const store = await TsdbStore.open({ dir, fsync, maxHeadSamples: 50_000_000 });
  const names = Array.from({ length: tags }, (_, i) => `plant.area${i % 10}.unit${i}.pv`);
  // batches are built once and their timestamps advanced in place, as a collector would refill buffers
  const pool: Sample[][] = Array.from({ length: writers }, () => Array.from({ length: batch }, (_, i) => ({ tag: names[i % tags], ts: 0, value: 0, quality: 0 })));
  let ts = Date.now() - H;
  let written = 0;
  const t0 = performance.now();
  await Promise.all(pool.map(async (b) => {
    while (written < total) {
      for (let i = 0; i < b.length; i++) { const s = b[i]; if (i % tags === 0) ts++; s.ts = ts; s.value = Math.round(i * 7.3 + ts) % 1000 / 10; }
      written += b.length;
      await store.write(b);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const tc = performance.now();
  await store.flush();
  const cut = (performance.now() - tc) / 1000;
  console.log(`  ingest ${fsync}: ${written.toLocaleString()} samples in ${secs.toFixed(2)} s (${tags} tags, batches of ${batch}, ${writers} writers); cutting the head into blocks then took ${cut.toFixed(2)} s`);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return written / secs;
}

// ---------------------------------------------------------------- demo plant day

function plantDay(): Array<{ tag: string; ts: Float64Array; values: Float64Array; quality: Uint16Array }> {
  const r = rand(42);
  const n = 86_400;
  const start = Date.UTC(2024, 4, 1);
  const out = [];
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) ts[i] = start + i * 1000;
  for (let k = 0; k < 20; k++) {
    // mean-reverting random walk (Ornstein-Uhlenbeck), quantized like a transmitter
    const step = [0.1, 0.01, 0.5, 0.05][k % 4];
    const mu = 20 + k * 7, theta = 0.01, sigma = step * (1 + (k % 3));
    const values = new Float64Array(n);
    let x = mu;
    for (let i = 0; i < n; i++) {
      x += theta * (mu - x) + sigma * gauss(r);
      values[i] = Math.round(Math.round(x / step) * step * 1000) / 1000;
    }
    out.push({ tag: `demo.plant.line${1 + (k % 2)}.u${k}.pv`, ts, values, quality: new Uint16Array(n) });
  }
  const pump = new Float64Array(n);
  let on = 1;
  for (let i = 0; i < n; i++) { if (r() < 1 / 1800) on = 1 - on; pump[i] = on; }
  out.push({ tag: 'demo.plant.line1.pump1.running', ts, values: pump, quality: new Uint16Array(n) });
  const total = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) { acc += pump[i] * (0.0115 + 0.0005 * gauss(r)); total[i] = Math.round(acc * 1000) / 1000; }
  out.push({ tag: 'demo.plant.line1.pump1.total', ts, values: total, quality: new Uint16Array(n) });
  return out;
}

async function plantBytes(): Promise<{ ours: number; gorilla: number; raw: number }> {
  const series = plantDay();
  const dir = tmp('plant');
  const now = series[0].ts[0] + 30 * D;
  const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => now });
  const n = series[0].ts.length;
  for (let s = 0; s < n; s += 600) { // ten minutes of every tag per batch, as a collector would send
    const b: Sample[] = [];
    for (const x of series) for (let i = s; i < Math.min(n, s + 600); i++) b.push({ tag: x.tag, ts: x.ts[i], value: x.values[i], quality: 0 });
    await store.write(b);
  }
  await store.flush();
  await store.compact();
  const samples = series.length * n;
  const bytes = dirBytes(path.join(dir, 'blocks'));
  const st = store.stats();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const c = measureSeriesCompression(series);
  console.log(`  plant day: ${samples.toLocaleString()} samples, ${st.blocks} block(s), ${bytes.toLocaleString()} bytes on disk = ${(bytes / samples).toFixed(3)} B/sample ` +
    `(chunks alone ${c.ours.toFixed(3)}, plain Gorilla chunks ${c.gorilla.toFixed(3)}; the rest is rollups, index and summaries)`);
  return { ours: bytes / samples, gorilla: c.gorilla, raw: c.ours };
}

// ---------------------------------------------------------------- slow tags and NAB, all-in

/**
 * A data set through the write path (WAL, head, cuts), flushed and compacted: the whole
 * store directory per sample, and how much of it is not chunk data (index, summaries,
 * rollups, manifest, tag registry).
 */
async function allIn(ds: DataSet): Promise<{ perSample: number; overhead: number; gorilla: number; chunks: number }> {
  const dir = tmp(ds.name);
  const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => Date.now() + 2 * D });
  const n = await writeDataSet(store, ds);
  const blocks = [...store.blocks()];
  await store.close();
  const bytes = treeBytes(dir);
  let chunkBytes = 0;
  const src = new LocalBlockSource(path.join(dir, 'blocks'));
  for (const b of blocks) for (const sx of (await BlockReader.open(b.id, src)).series.values()) for (const c of sx.chunks) chunkBytes += c.len;
  await src.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const c = measureSeriesCompression([...ds.series()].map((x) => x.cols), 2048);
  console.log(`  ${ds.description}: ${n.toLocaleString()} samples, ${blocks.length} block(s), ${(bytes / n).toFixed(3)} B/sample all-in ` +
    `(chunk data ${(chunkBytes / n).toFixed(3)}, index + summaries + rollups + metadata ${((bytes - chunkBytes) / n).toFixed(3)}; plain Gorilla chunks ${c.gorilla.toFixed(3)}, ratio ${(bytes / n / c.gorilla).toFixed(3)})`);
  return { perSample: bytes / n, overhead: (bytes - chunkBytes) / n, gorilla: c.gorilla, chunks: chunkBytes / n };
}

// ---------------------------------------------------------------- 10 years, one tag

async function tenYears(tag: string, stepMs: number): Promise<{ store: TsdbStore; dir: string; end: number }> {
  const dir = tmp('10y');
  const end = T0 + 10 * Y;
  const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock: () => end + D });
  const r = rand(7);
  const week = 7 * D;
  let x = 50;
  const t0 = performance.now();
  let samples = 0;
  // 7-day blocks aligned like the top compaction level, imported directly as compacted blocks
  for (let ws = Math.floor(T0 / week) * week; ws < end; ws += week) {
    const from = Math.max(ws, T0), to = Math.min(ws + week, end);
    const n = Math.ceil((to - from) / stepMs);
    const ts = new Float64Array(n), values = new Float64Array(n), quality = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = from + i * stepMs;
      x += 0.001 * (50 - x) + 0.2 * gauss(r);
      values[i] = Math.round(x * 100) / 100;
    }
    await store.importBlock([{ tag, cols: { ts, values, quality } }], 3);
    samples += n;
  }
  console.log(`  10 y history of ${tag} (one sample per ${stepMs / 1000} s): ${samples.toLocaleString()} samples in ${store.blocks().length} blocks, written in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
    `${(store.stats().blockBytes / samples).toFixed(3)} B/sample`);
  return { store, dir, end };
}

async function viewP99(store: TsdbStore, tag: string, end: number, range: number, iterations: number): Promise<{ agg: number; minmax: number; cold: number }> {
  const r = rand(range % 1000);
  const agg: number[] = [], mm: number[] = [];
  let cold = 0;
  for (let i = 0; i < iterations + 3; i++) {
    const to = end - Math.floor(r() * Math.min(range, Y)) ;
    const from = to - range;
    let t = performance.now();
    let rows = 0;
    for await (const b of store.aggregate({ tag, from, to, points: 1000 })) rows += b.length;
    const a = performance.now() - t;
    t = performance.now();
    const p = await store.downsample({ tag, from, to, points: 1000, mode: 'minmax' });
    const m = performance.now() - t;
    if (rows === 0 || p.ts.length === 0) throw new Error('empty view');
    if (i === 0) cold = a;
    if (i >= 3) { agg.push(a); mm.push(m); } // the first ones load block indexes and fill the rollup cache
  }
  return { agg: percentile(agg, 0.99), minmax: percentile(mm, 0.99), cold };
}

async function decodeSpeed(store: TsdbStore, end: number): Promise<number> {
  let n = 0;
  const t = performance.now();
  for await (const b of store.raw({ tag: 'hist.plant.tank1.level', from: end - Y, to: end })) n += b.ts.length;
  const s = (performance.now() - t) / 1000;
  console.log(`  raw read of 1 y: ${n.toLocaleString()} samples in ${s.toFixed(2)} s`);
  return n / s;
}

// ---------------------------------------------------------------- RSS, N tags (child)

interface RssPeak { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; arrayBuffersMb: number; headMb: number }
interface RssResult {
  rss: number; idle: number; maxHeadSamples: number; headSamples: number; blocks: number; cuts: number; samples: number; headPerSeries: number;
  fast: (RssPeak & { seconds: number }) | null;
  paced: (RssPeak & { seconds: number; samples: number; cuts: number; rssAtStartMb: number }) | null;
  afterGc: { rssMb: number; heapUsedMb: number; externalMb: number };
}

/**
 * The Node flags the distribution's launcher starts the server with (scripts/start.js,
 * package.json "start", docker/Dockerfile): the runs "as the distribution runs it" use them.
 */
const LAUNCHER_NODE_FLAGS = ['--max-semi-space-size=2'];

/** lib/rss-child.ts as plain JavaScript in a temp dir, so the child loads no TypeScript tooling. */
function rssChildScript(): string {
  const engine = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'tsdb', 'store.js');
  if (!fs.existsSync(engine)) throw new Error(`${engine} is missing: build first (node scripts/build.js)`);
  const source = fs.readFileSync(path.join(__dirname, 'lib', 'rss-child.ts'), 'utf8');
  const js = (nodeModule as unknown as { stripTypeScriptTypes(code: string): string }).stripTypeScriptTypes(source);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsdb-bench-rss-child-')), 'rss-child.mjs');
  fs.writeFileSync(file, js);
  return file;
}

interface RssRun { count: number; seconds: number; memoryLimitMb: number; nodeFlags?: string[]; pacedSeconds?: number; maxHeadSamples?: number }

/** Runs lib/rss-child.ts (the compiled engine alone in a fresh process; node flags as given). */
async function rssRun(run: RssRun): Promise<RssResult> {
  const { count, seconds, memoryLimitMb, nodeFlags = [], pacedSeconds = 0, maxHeadSamples = 4_000_000 } = run;
  const script = rssChildScript();
  const engine = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'tsdb', 'store.js');
  const args = [...nodeFlags, '--expose-gc', script, String(count), String(seconds), String(memoryLimitMb), engine, String(pacedSeconds), String(maxHeadSamples)];
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  fs.rmSync(path.dirname(script), { recursive: true, force: true });
  if (out.code !== 0) throw new Error(`rss child failed: ${out.stderr}`);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as RssResult;
  const flags = nodeFlags.length ? nodeFlags.join(' ') : 'no node flags';
  const phase = (p: RssPeak) => `peak RSS ${p.rssMb.toFixed(0)} MB; at the peak: V8 heap ${p.heapUsedMb.toFixed(0)} MB used of ${p.heapTotalMb.toFixed(0)} MB reserved, array buffers ${p.arrayBuffersMb.toFixed(0)} MB, head ${p.headMb.toFixed(0)} MB`;
  const head = `  ${(count / 1000).toFixed(0)}k tags (${flags}, memory limit ${memoryLimitMb} MB, maxHeadSamples ${maxHeadSamples.toLocaleString()}), idle process ${r.idle.toFixed(0)} MB:`;
  if (r.fast) console.log(`${head} as fast as the engine takes them, ${r.fast.seconds} s of data in ${r.fast.seconds} batches: ${phase(r.fast)}`);
  if (r.paced) console.log(`${head} paced at 1 Hz (one batch per wall-clock second), ${r.paced.seconds} s, ${r.paced.cuts} head cuts, RSS ${r.paced.rssAtStartMb.toFixed(0)} MB at its start: ${phase(r.paced)}`);
  console.log(`    at most ${r.headPerSeries.toFixed(0)} head bytes per active series; after a full GC at the end: RSS ${r.afterGc.rssMb.toFixed(0)} MB, heap ${r.afterGc.heapUsedMb.toFixed(0)} MB, external ${r.afterGc.externalMb.toFixed(0)} MB`);
  return r;
}

/** RSS of the engine alone (lib/rss-child.ts); the whole server's is in bench:peer. */
async function rssMetrics(metrics: Metric[]): Promise<void> {
  const limit = 64;
  // 10,000 tags at 1 Hz as a gateway delivers them: one batch per wall-clock second from a
  // fresh process, with a head cut every 50 s (maxHeadSamples 500,000; the default
  // 4,000,000 cuts every 400 s, longer than a bench should take) so the run covers the
  // steady state of cutting blocks. With the launcher's flags and without, at the same time
  // (they are paced, nearly idle) and beside the fast runs below, which only shortens the bench.
  const pacedRun = (nodeFlags: string[]) => rssRun({ count: 10_000, seconds: 0, memoryLimitMb: limit, nodeFlags, pacedSeconds: 150, maxHeadSamples: 500_000 });
  const paced = Promise.all([pacedRun(LAUNCHER_NODE_FLAGS), pacedRun([])]);
  // as fast as the engine takes them: 1,800 s of data in a few seconds, so V8 sizes its
  // young generation for that allocation rate (a bulk import or a replay, not 1 Hz)
  const r10 = await rssRun({ count: 10_000, seconds: 1800, memoryLimitMb: limit });
  metrics.push(metric('rss_mb.10k_tags.fast_replay', r10.rss, 'MB', 'lower', null));
  metrics.push(metric('rss_mb.10k_tags.fast_replay.above_idle_process', r10.rss - r10.idle, 'MB', 'lower', null));
  metrics.push(metric('rss_mb.10k_tags.fast_replay.v8_heap_reserved_at_peak', r10.fast!.heapTotalMb, 'MB', 'lower', null));
  metrics.push(metric('head_bytes_per_active_series.10k_tags', r10.headPerSeries, 'bytes', 'lower', null));
  const r10s = await rssRun({ count: 10_000, seconds: 1800, memoryLimitMb: limit, nodeFlags: LAUNCHER_NODE_FLAGS });
  metrics.push(metric('rss_mb.10k_tags.fast_replay.launcher_flags', r10s.rss, 'MB', 'lower', null));
  const r100 = await rssRun({ count: 100_000, seconds: 300, memoryLimitMb: 4 * limit, nodeFlags: LAUNCHER_NODE_FLAGS });
  metrics.push(metric('rss_mb.100k_tags', r100.rss, 'MB', 'lower', 1024));
  metrics.push(metric('head_bytes_per_active_series.100k_tags', r100.headPerSeries, 'bytes', 'lower', null));
  const [p10, p10bare] = await paced;
  for (const p of [p10, p10bare]) if (!p.paced || p.paced.cuts < 1) throw new Error('paced RSS run: no head cut inside the paced phase');
  // the issue's target: 10,000 tags at 1 Hz, as the distribution runs the engine
  metrics.push(metric('rss_mb.10k_tags', p10.paced!.rssMb, 'MB', 'lower', 150));
  metrics.push(metric('rss_mb.10k_tags.v8_heap_reserved_at_peak', p10.paced!.heapTotalMb, 'MB', 'lower', null));
  metrics.push(metric('rss_mb.10k_tags.no_node_flags', p10bare.paced!.rssMb, 'MB', 'lower', null));
}

async function main(): Promise<void> {
  const metrics: Metric[] = [];
  const wanted = process.env.TSDB_BENCH_PARTS?.split(',').filter(Boolean);
  const known = ['ingest', 'plant', 'skab', 'nab', 'slow', 'views', 'rss'];
  for (const w of wanted ?? []) if (!known.includes(w)) throw new Error(`TSDB_BENCH_PARTS: unknown part ${w}; known: ${known.join(', ')}`);
  const part = (name: string) => !wanted || wanted.includes(name);
  console.log(`tsdb bench${wanted ? ` (parts: ${wanted.join(', ')})` : ''}`);

  if (part('ingest')) {
    const interval = await ingest('interval', 4_000_000, 1000, 10_000, 1);
    metrics.push(metric('ingest.interval.samples_per_s', interval, 'samples/s', 'higher', 2_000_000));
    const always = await ingest('always', 1_000_000, 1000, 5_000, 8);
    metrics.push(metric('ingest.always.samples_per_s', always, 'samples/s', 'higher', null));
  }

  if (part('plant')) {
    const plant = await plantBytes();
    metrics.push(metric('bytes_per_sample.plant', plant.ours, 'bytes', 'lower', 0.8, { name: 'plain Gorilla', value: plant.gorilla }));
    metrics.push(metric('bytes_per_sample.plant.gorilla', plant.gorilla, 'bytes', 'lower', null));
  }

  if (part('skab')) await skabPart(metrics);
  await restParts(metrics, part);
  writeReport('tsdb', metrics);
}

async function skabPart(metrics: Metric[]): Promise<void> {
  const skab = measureSkabCompression();
  console.log('  SKAB, ours vs plain Gorilla (bytes/sample, ratio):');
  for (const f of skab.files) {
    console.log(`    ${f.file.padEnd(22)} ${f.ours.toFixed(3)} vs ${f.gorilla.toFixed(3)}  ratio ${f.ratio.toFixed(3)}   ` +
      f.channels.map((c) => `${c.channel}:${c.ratio.toFixed(2)}`).join(' '));
  }
  const worst = skab.files.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  metrics.push(metric('bytes_per_sample.skab.max_ratio_to_gorilla', skab.maxRatio, 'ratio', 'lower', 0.22,
    { name: `plain Gorilla (worst file ${worst.file}: ${worst.gorilla.toFixed(2)} B/sample)`, value: 1 }));
  // what per-series coding could reach at best (test/bench/lib/skab-floor.ts): values at an
  // ideal AR + Gaussian coder's size where that is smaller than ours, timestamps free
  const floors = measureSkabFloor();
  const worstFloor = floors.reduce((a, b) => (b.floor / b.gorilla > a.floor / a.gorilla ? b : a));
  console.log(`  SKAB floor estimate (ideal AR(1..8) + Gaussian values, free timestamps): worst file ${worstFloor.file} ` +
    `${worstFloor.floor.toFixed(3)} B/sample against ours ${worstFloor.ours.toFixed(3)}, ${(worstFloor.floor / worstFloor.gorilla).toFixed(4)}× plain Gorilla`);
  metrics.push(metric('bytes_per_sample.skab.floor_max_ratio_to_gorilla', worstFloor.floor / worstFloor.gorilla, 'ratio', 'lower', null,
    { name: 'ours, same file', value: worstFloor.ours / worstFloor.gorilla }));
}

async function restParts(metrics: Metric[], part: (name: string) => boolean): Promise<void> {
  const end = Math.floor(Date.now() / D) * D - D;
  if (part('nab')) {
    const nabAll = await allIn(nab());
    metrics.push(metric('bytes_ratio_to_gorilla.nab_all_in', nabAll.perSample / nabAll.gorilla, 'ratio', 'lower', 0.6, { name: 'plain Gorilla chunks', value: 1 }));
  }
  if (part('slow')) {
    const slow = await allIn(slowTags(end));
    metrics.push(metric('bytes_per_sample.slow_5min_all_in', slow.perSample, 'bytes', 'lower', 1.0, { name: 'plain Gorilla chunks', value: slow.gorilla }));
    metrics.push(metric('bytes_per_sample.slow_5min_overhead', slow.overhead, 'bytes', 'lower', null));
    const hourly = await allIn(hourlyTags(end));
    metrics.push(metric('bytes_per_sample.slow_1h_all_in', hourly.perSample, 'bytes', 'lower', 1.0, { name: 'plain Gorilla chunks', value: hourly.gorilla }));
    metrics.push(metric('bytes_per_sample.slow_1h_overhead', hourly.overhead, 'bytes', 'lower', null));
  }

  // 10 s and 1 min keep 1 h and 1 d rollups, 5 min only 1 d (so its 30 d to 1 y views decode chunks)
  const kinds = [['fast', 'hist.plant.tank1.level', 10_000], ['minute', 'hist.plant.tank1.pressure', 60_000], ['slow', 'hist.plant.tank1.temperature', 300_000]] as const;
  for (const [label, tag, stepMs] of part('views') ? kinds : []) {
    const { store, dir, end: tEnd } = await tenYears(tag, stepMs);
    for (const [name, range] of [['1h', H], ['1d', D], ['30d', 30 * D], ['200d', 200 * D], ['1y', Y], ['10y', 10 * Y - D]] as const) {
      const p = await viewP99(store, tag, tEnd, range, 100);
      console.log(`  view ${name} (${label}): p99 aggregate ${p.agg.toFixed(1)} ms, min-max ${p.minmax.toFixed(1)} ms (random windows; the very first query, cold indexes and rollup cache: ${p.cold.toFixed(1)} ms)`);
      metrics.push(metric(`query.p99_ms.${label}.${name}`, Math.max(p.agg, p.minmax), 'ms', 'lower', 50));
    }
    if (label === 'fast') metrics.push(metric('decode.samples_per_s', await decodeSpeed(store, tEnd), 'samples/s', 'higher', null));
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  if (!part('rss')) return;
  await rssMetrics(metrics);
}

main().catch((e) => { console.error(e); process.exit(1); });
