// Peer benchmark (issue 19): the same samples into Historian (the built distribution,
// POST /api/v1/metrics) and VictoriaMetrics (Debian `victoria-metrics`, /api/v1/import,
// rollup result cache disabled), one server at a time, same client, batch size and
// concurrency, and the same body: JSON lines, one columnar line per series of a batch
// (PEER_FORMAT=rows sends Historian one object per sample instead). PEER_DATASETS=plant,skab
// runs only the named data sets. Per data set, side by side: disk bytes/sample after compaction (Historian:
// store flushed on shutdown and compacted; VictoriaMetrics: force_flush + force_merge, then
// stopped; whole data directories), HTTP ingest samples/s (timed after the first tenth of
// the data set went in untimed, PEER_WARMUP), 1000-point view latency p50/p99
// for 1 h … 10 y over HTTP (ours: kind=downsample minmax; VM: rollup() = min/max/avg per
// step; timed by a client process of its own, lib/peer-views.ts), latest value of every
// tag, and server RSS. Ratios (ours / VM) go into the JSON.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TsdbStore } from '../../runtime/tsdb/store';
import { encodeGorillaChunk } from '../../runtime/tsdb/codec';
import { startDistribution, type Distribution } from '../helpers/distribution';
import { createUser } from '../helpers/signing';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics';
import { waitFor } from '../helpers/wait';
import { DAY } from './lib/datasets';
import { dataSetByName, PEER_DATASETS } from './lib/peer-datasets';
import { getJson, RANGES, type SlowView } from './lib/peer-views';
import { metric, writeReport, type Metric } from './lib/report';
import { dirBytes } from './lib/store-load';

const BATCH = 10_000;
/** Historian's body: `columnar` (the lines VictoriaMetrics gets, with `tag`) or `rows` */
const FORMAT = process.env.PEER_FORMAT === 'rows' ? 'rows' : 'columnar';
const CONCURRENCY = 4;
/** samples whose ingest is timed per data set (serialized before the clock starts) */
const TIMED = 2_000_000;
/**
 * Share of each data set sent untimed before the timed samples, to both servers alike
 * (PEER_WARMUP, 0 to time a fresh server): a fresh Node process compiles its code as the
 * first requests come, which on the small sets (SKAB and NAB are 17–26 requests in all)
 * was much of what was timed; a plant's server has long been running.
 */
const WARMUP = Number(process.env.PEER_WARMUP ?? 0.1);
if (!(WARMUP >= 0 && WARMUP <= 0.5)) throw new Error(`PEER_WARMUP: a share of each data set from 0 to 0.5 (got ${process.env.PEER_WARMUP})`);
const END = Math.floor(Date.now() / DAY) * DAY - DAY;
const execFileP = promisify(execFile);

interface Info { tags: string[]; spans: Map<string, [number, number]>; minT: number; maxT: number; samples: number; gorillaBytes: number }
/** CPU during the timed ingest: the server process (all threads) and the load client, in cores (CPU s per s) */
interface IngestCpu { serverCores: number | null; clientCores: number }

interface Side { ingest: number; cpu: IngestCpu; bytes: number; views: Record<string, { p50: number; p99: number; empty: number }>; latestMs: number; latestCount: number; rssMb: number; peakRssMb: number }

function info(name: string): Info {
  const ds = dataSetByName(name, END);
  const tags: string[] = [];
  const spans = new Map<string, [number, number]>();
  let minT = Infinity, maxT = -Infinity, samples = 0, gorillaBytes = 0;
  for (const s of ds.series()) {
    const c = s.cols, n = c.ts.length;
    tags.push(s.tag);
    samples += n;
    if (n) { minT = Math.min(minT, c.ts[0]); maxT = Math.max(maxT, c.ts[n - 1]); spans.set(s.tag, [c.ts[0], c.ts[n - 1]]); }
    for (let i = 0; i < n; i += 2048) {
      const e = Math.min(n, i + 2048);
      gorillaBytes += encodeGorillaChunk(c.ts.subarray(i, e), c.values.subarray(i, e), c.quality.subarray(i, e)).length;
    }
  }
  return { tags, spans, minT, maxT, samples, gorillaBytes };
}

function load(target: 'ours' | 'vm', url: string, token: string, name: string, inf: Info, serverPid: number | undefined): { rate: number; total: number; cpu: IngestCpu } {
  const args = JSON.stringify({ target, url, token, dataset: name, end: END, batch: BATCH, concurrency: CONCURRENCY, timedSamples: TIMED, warmupSamples: Math.round(inf.samples * WARMUP), format: FORMAT, serverPid });
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib', 'peer-load.ts'), args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`load client (${target}, ${name}) failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { timedSamples: number; seconds: number; total: number; errors: number; serverCpuS: number | null; clientCpuS: number };
  if (out.errors) throw new Error(`load client (${target}, ${name}): ${out.errors} failed requests: ${r.stderr.slice(0, 2000)}`);
  const cpu = { serverCores: out.serverCpuS === null ? null : out.serverCpuS / out.seconds, clientCores: out.clientCpuS / out.seconds };
  return { rate: out.timedSamples / out.seconds, total: out.total, cpu };
}

function rss(pid: number | undefined): { rssMb: number; peakRssMb: number } {
  if (!pid) throw new Error('server is not running');
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)![1]);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * View latencies from a client process of their own (lib/peer-views.ts says why), run
 * asynchronously: a blocked event loop here would leave pooled keep-alive sockets that the
 * server closes meanwhile unnoticed, and the next request on one fails ("other side closed").
 */
async function views(target: 'ours' | 'vm', url: string, token: string, inf: Info, strict: boolean): Promise<Side['views']> {
  const spans = inf.tags.map((t) => inf.spans.get(t)!);
  const args = JSON.stringify({ target, url, token, tags: inf.tags, spans, strict, slowest: !!process.env.PEER_SLOWEST });
  const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib', 'peer-views.ts'), args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .catch((e: Error & { stderr?: string }) => { throw new Error(`view client (${target}) failed: ${e.stderr ?? e.message}`); });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { views: Side['views']; slowest: SlowView[] };
  // PEER_SLOWEST=1 prints the slowest views of each side, to find what a p99 is made of
  for (const v of out.slowest) console.log(`    slow view ${v.range} #${v.i} ${v.dt.toFixed(1)} ms ${v.tag} ${new Date(v.from).toISOString()}..${new Date(v.to).toISOString()} (${v.points} points)`);
  return out.views;
}

// ------------------------------------------------------------------ VictoriaMetrics

async function runVm(name: string, inf: Info): Promise<Side> {
  const vm: VictoriaMetricsServer = await startVictoriaMetrics();
  try {
    const { rate, total, cpu } = load('vm', vm.url, '', name, inf, vm.pid());
    if (total !== inf.samples) throw new Error(`vm ${name}: sent ${total} of ${inf.samples}`);
    await vm.forceFlush();
    await vm.forceMerge();
    // force_merge runs in the background: wait until the directory stops changing
    let last = -1, stable = 0;
    await waitFor(async () => {
      const b = dirBytes(vm.dataDir);
      stable = b === last ? stable + 1 : 0;
      last = b;
      await new Promise((res) => setTimeout(res, 1000));
      return stable >= 3;
    }, { timeoutMs: 600_000, intervalMs: 0, what: 'VictoriaMetrics merge to settle' });
    await vm.stop();
    const bytes = dirBytes(vm.dataDir);
    await vm.restart();
    const v = await views('vm', vm.url, '', inf, false);
    const prefix = inf.tags[0].split('.')[0];
    const t = performance.now();
    const span = Math.ceil((inf.maxT - inf.minT) / 1000) + 1;
    const sel = encodeURIComponent(`last_over_time({__name__=~"${prefix}\\\\..*"}[${span}s])`);
    const latest = await getJson(`${vm.url}/api/v1/query?query=${sel}&time=${Math.floor(inf.maxT / 1000) + 1}`);
    const latestMs = performance.now() - t;
    return { ingest: rate, cpu, bytes, views: v, latestMs, latestCount: latest.data.result.length, ...rss(vm.pid()) };
  } finally {
    await vm.dispose();
  }
}

// ------------------------------------------------------------------ Historian

async function startOurs(dataDir: string, flowFile: string): Promise<Distribution> {
  return startDistribution({ dataDir, env: { HISTORIAN_INGEST_RATE: '100000000', HISTORIAN_DEMO_FLOW: flowFile, HISTORIAN_LOG_LEVEL: 'warn' } });
}

async function runOurs(name: string, inf: Info): Promise<Side> {
  const dataDir = await makeTempDir('historian-peer-');
  const flowFile = path.join(dataDir, '..', `peer-flow-${process.pid}.json`);
  // only a store: no simulator writing next to the benchmark
  fs.writeFileSync(flowFile, JSON.stringify([
    { id: 'bench-tab', type: 'tab', label: 'Bench' },
    { id: 'bench-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 200, outOfOrderMinutes: 60 },
  ]));
  let dist = await startOurs(dataDir, flowFile);
  try {
    const admin = await dist.login();
    const post = (p: string, body: unknown) => dist.request(p, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await createUser(dist, admin, { username: 'bench', name: 'Bench client', role: 'SERVICE' });
    const token = ((await (await post('/api/v1/tokens', { user: 'bench', scopes: ['ingest'] })).json()) as { token: string }).token;
    await waitFor(async () => (await dist.request('/api/v1/tags', { token: admin })).status === 200, { what: 'the store to be deployed' });
    const { rate, total, cpu } = load('ours', dist.url, token, name, inf, dist.proc.pid);
    if (total !== inf.samples) throw new Error(`ours ${name}: sent ${total} of ${inf.samples}`);
    // shutdown cuts the head into blocks; compaction then runs as the engine's maintenance would
    await dist.stop();
    const storeDir = path.join(dataDir, 'tsdb', 'default');
    const store = await TsdbStore.open({ dir: storeDir, maintenanceIntervalMs: 0 });
    await store.compact();
    const stored = store.stats().blockSamples + store.stats().headSamples;
    await store.close();
    // every acknowledged sample must be there (a 202 is a promise)
    if (stored !== inf.samples) throw new Error(`ours ${name}: ${stored} samples stored of ${inf.samples} acknowledged`);
    const bytes = dirBytes(storeDir);
    dist = await startOurs(dataDir, flowFile);
    const jwt = await dist.login();
    const v = await views('ours', dist.url, jwt, inf, true);
    const t = performance.now();
    let latestCount = 0;
    // the tag list travels in the URL: groups keep it under common header limits
    for (let i = 0; i < inf.tags.length; i += 100) {
      const j = await getJson(`${dist.url}/api/v1/query?kind=latest&tags=${inf.tags.slice(i, i + 100).map(encodeURIComponent).join(',')}`, jwt);
      latestCount += (j as { samples: unknown[] }).samples.length;
    }
    const latestMs = performance.now() - t;
    return { ingest: rate, cpu, bytes, views: v, latestMs, latestCount, ...rss(dist.proc.pid) };
  } finally {
    await dist.stop();
    fs.rmSync(flowFile, { force: true });
    await removeTempDir(dataDir);
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  // unset or empty: every data set; a name that is not one of them is an error, not a silent skip
  const only = process.env.PEER_DATASETS?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of only ?? []) if (!(PEER_DATASETS as readonly string[]).includes(n)) throw new Error(`PEER_DATASETS: unknown data set "${n}"; known: ${PEER_DATASETS.join(', ')}`);
  const sets = PEER_DATASETS.filter((s) => !only?.length || only.includes(s));
  const metrics: Metric[] = [metric('load_average_1m.start', os.loadavg()[0], 'load', 'lower'), metric('ingest_warmup_share', WARMUP, 'ratio', 'lower')];
  const table: string[] = ['| data set | samples | Historian B/sample | VictoriaMetrics B/sample | ratio | vs plain Gorilla | ingest ours / VM (samples/s) | view p99 1h / 1d / 30d / 1y / 10y ms, ours | same, VM | latest of all tags ms, ours / VM | RSS MB ours / VM |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  console.log(`peer bench: Historian vs VictoriaMetrics, batches of ${BATCH}, ${CONCURRENCY} requests in flight, ingest timed over up to ${TIMED.toLocaleString()} samples after an untimed warm-up of the first ${Math.round(WARMUP * 100)} % of each data set; Historian gets ${FORMAT === 'rows' ? 'one JSON object per sample' : 'the same columnar JSON lines as VictoriaMetrics'}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const name of sets) {
    const inf = info(name);
    console.log(`  ${name}: ${inf.samples.toLocaleString()} samples, ${inf.tags.length} tags, ${new Date(inf.minT).toISOString().slice(0, 10)} .. ${new Date(inf.maxT).toISOString().slice(0, 10)}`);
    const vm = await runVm(name, inf);
    const ours = await runOurs(name, inf);
    if (ours.latestCount !== inf.tags.length) throw new Error(`${name}: latest gave ${ours.latestCount} of ${inf.tags.length} tags`);
    const ob = ours.bytes / inf.samples, vb = vm.bytes / inf.samples, gb = inf.gorillaBytes / inf.samples;
    console.log(`    disk B/sample: ours ${ob.toFixed(3)}, VM ${vb.toFixed(3)} (ratio ${(ob / vb).toFixed(2)}; plain Gorilla chunks ${gb.toFixed(3)}, ours all-in ${(ob / gb).toFixed(2)}x)`);
    console.log(`    HTTP ingest samples/s: ours ${Math.round(ours.ingest).toLocaleString()} (${FORMAT}), VM ${Math.round(vm.ingest).toLocaleString()}; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const cpuLine = (s: Side) => s.cpu.serverCores === null ? 'n/a' : `${s.cpu.serverCores.toFixed(2)} cores, ${usPerSample(s).toFixed(2)} µs/sample`;
    console.log(`    CPU in the timed ingest, server: ours ${cpuLine(ours)}, VM ${cpuLine(vm)}; load client ${ours.cpu.clientCores.toFixed(2)} / ${vm.cpu.clientCores.toFixed(2)} cores`);
    for (const [r] of RANGES) {
      const e = vm.views[r].empty ? ` (${vm.views[r].empty} empty answers)` : '';
      console.log(`    view ${r.padEnd(3)} p50/p99 ms: ours ${ours.views[r].p50.toFixed(1)}/${ours.views[r].p99.toFixed(1)}, VM ${vm.views[r].p50.toFixed(1)}/${vm.views[r].p99.toFixed(1)}${e}`);
    }
    console.log(`    latest of ${inf.tags.length} tags: ours ${ours.latestMs.toFixed(1)} ms, VM ${vm.latestMs.toFixed(1)} ms (${vm.latestCount} series); RSS MB ours ${ours.rssMb.toFixed(0)} (peak ${ours.peakRssMb.toFixed(0)}), VM ${vm.rssMb.toFixed(0)} (peak ${vm.peakRssMb.toFixed(0)})`);
    metrics.push(metric(`${name}.bytes_per_sample`, ob, 'bytes', 'lower', vb, { name: 'VictoriaMetrics', value: vb }));
    metrics.push(metric(`${name}.bytes_ratio_to_vm`, ob / vb, 'ratio', 'lower', 1));
    metrics.push(metric(`${name}.bytes_ratio_to_gorilla`, ob / gb, 'ratio', 'lower', name === 'nab' ? 0.6 : null, { name: 'plain Gorilla chunks', value: 1 }));
    metrics.push(metric(`${name}.ingest_http.samples_per_s`, ours.ingest, 'samples/s', 'higher', vm.ingest, { name: 'VictoriaMetrics /api/v1/import', value: vm.ingest }));
    metrics.push(metric(`${name}.ingest_ratio_to_vm`, ours.ingest / vm.ingest, 'ratio', 'higher', 1));
    if (ours.cpu.serverCores !== null && vm.cpu.serverCores !== null) {
      metrics.push(metric(`${name}.ingest_server_cpu_us_per_sample`, usPerSample(ours), 'µs', 'lower', null, { name: 'VictoriaMetrics', value: usPerSample(vm) }));
      metrics.push(metric(`${name}.ingest_server_cores`, ours.cpu.serverCores, 'cores', 'lower', null, { name: 'VictoriaMetrics', value: vm.cpu.serverCores }));
    }
    for (const [r] of RANGES) {
      metrics.push(metric(`${name}.view_p99_ms.${r}`, ours.views[r].p99, 'ms', 'lower', Math.min(50, vm.views[r].p99), { name: 'VictoriaMetrics p99', value: vm.views[r].p99 }));
      metrics.push(metric(`${name}.view_p50_ms.${r}`, ours.views[r].p50, 'ms', 'lower', null, { name: 'VictoriaMetrics p50', value: vm.views[r].p50 }));
      metrics.push(metric(`${name}.view_p99_ratio_to_vm.${r}`, ours.views[r].p99 / vm.views[r].p99, 'ratio', 'lower', 1));
    }
    metrics.push(metric(`${name}.latest_all_ms`, ours.latestMs, 'ms', 'lower', null, { name: 'VictoriaMetrics last_over_time', value: vm.latestMs }));
    metrics.push(metric(`${name}.rss_mb`, ours.rssMb, 'MB', 'lower', null, { name: 'VictoriaMetrics', value: vm.rssMb }));
    metrics.push(metric(`${name}.peak_rss_mb`, ours.peakRssMb, 'MB', 'lower', null, { name: 'VictoriaMetrics', value: vm.peakRssMb }));
    const p99 = (s: Side) => RANGES.map(([r]) => s.views[r].p99.toFixed(1)).join(' / ');
    table.push(`| ${name} | ${inf.samples.toLocaleString('en-US')} | ${ob.toFixed(2)} | ${vb.toFixed(2)} | ${(ob / vb).toFixed(2)} | ${(ob / gb).toFixed(2)} | ${fmtK(ours.ingest)} / ${fmtK(vm.ingest)} | ${p99(ours)} | ${p99(vm)} | ${ours.latestMs.toFixed(0)} / ${vm.latestMs.toFixed(0)} | ${ours.peakRssMb.toFixed(0)} / ${vm.peakRssMb.toFixed(0)} |`);
  }
  metrics.push(metric('load_average_1m.end', os.loadavg()[0], 'load', 'lower'));
  console.log('\n' + table.join('\n'));
  writeReport('peer', metrics);
}

/** Server CPU per sample in the timed ingest: cores × seconds ÷ samples = cores ÷ rate. */
function usPerSample(s: Side): number {
  return (s.cpu.serverCores ?? NaN) / s.ingest * 1e6;
}

function fmtK(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${Math.round(v / 1000)}k`;
}

main().catch((e) => { console.error(e); process.exit(1); });
