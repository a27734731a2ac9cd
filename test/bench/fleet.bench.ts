// Fleet benchmark: gateways → 3-node JetStream cluster (R3 stream, real nats-server
// processes on loopback) → 1, 2 or 3 central ingest processes sharing the stream by site
// partitions (README "Scaling out"), each with its own store.
//   consumersN.samples_per_s     a backlog of 600,000 samples over 6 sites, loaded into the
//                                stream first, drained end to end (first to last sample
//                                durable at the centrals) by N processes: wall-clock rate
//   consumersN.central_cpu_s_per_M   CPU seconds (user + system) the N centrals spent per
//                                million samples drained (start-up included); with
//                                capacity_per_core (samples per CPU second of one central once
//                                warm, start-up excluded) the honest scaling figure on a
//                                machine where all processes share the same cores: a
//                                central on its own core adds its capacity as long as this
//                                cost stays flat with N
//   consumersN.cluster_cpu_s_per_M   the same for the three nats-server processes
//   latency.*                    gateway write → durable at a central at 10,000 samples/s
//                                offered for 15 s through the cluster, 3 centrals; p99 split
//                                into stages (gateway cut → stream, stream → central, central
//                                receive → durable) to show what dominates
// Baseline: the same drain with 1 central process (the scaling peer of 2 and 3).
// Run under nice on a shared machine; the load average at start and end is reported.
// FLEET_BENCH_PARTS=latency runs the latency part alone; FLEET_BENCH_DEBUG=1 lists the
// messages that waited more than 500 ms between the stream and a central.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sample } from '../../runtime/model';
import { StoreForward } from '../../runtime/uplink/store-forward';
import { startNatsCluster, type NatsCluster } from '../helpers/nats-cluster';
import { spawnManaged, type ManagedProcess } from '../helpers/process';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { metric, writeReport, type Metric } from './lib/report';

const SITES = Array.from({ length: 6 }, (_, i) => `site${i}`);
const TAGS = SITES.flatMap((s) => Array.from({ length: 10 }, (_, k) => `acme.${s}.line1.m${k}.v`));
const BACKLOG = 600_000;
const BASE = 1_700_000_000_000;

const lines = (p: ManagedProcess) => [...p.logs().matchAll(/stored (\d+) cpu (\d+)/g)].map((m) => ({ stored: Number(m[1]), cpuUs: Number(m[2]) }));
const lastStored = (p: ManagedProcess) => lines(p).at(-1)?.stored ?? 0;

/** CPU seconds a central spent from just before its first stored sample to its last line. */
function drainCpuS(p: ManagedProcess): number {
  const l = lines(p);
  const before = [...l].reverse().find((x) => x.stored === 0) ?? l[0];
  return ((l.at(-1)?.cpuUs ?? 0) - (before?.cpuUs ?? 0)) / 1e6;
}

/**
 * CPU seconds per sample once warm: from the first line past a quarter of the central's
 * share to its last line. A fresh process spends its first moments compiling the hot
 * paths; with a few hundred thousand samples each, that start-up cost would make more
 * processes look dearer per sample than they are in a long run.
 */
function steadyCpuPerSample(p: ManagedProcess): number {
  const l = lines(p);
  const end = l.at(-1)!;
  const from = l.find((x) => x.stored >= end.stored / 4) ?? l[0];
  return (end.cpuUs - from.cpuUs) / 1e6 / Math.max(1, end.stored - from.stored);
}

/** CPU seconds (user + system) of the cluster's nats-server processes so far. */
function clusterCpuS(cluster: NatsCluster): number {
  const tick = 100; // USER_HZ on Linux
  let s = 0;
  for (const n of cluster.nodes) {
    const pid = n.pid();
    if (!pid) continue;
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    s += (Number(fields[11]) + Number(fields[12])) / tick;
  }
  return s;
}

const load = () => os.loadavg()[0];

function centrals(dir: string, servers: string[], stream: string, prefix: string, n: number, latency: boolean): ManagedProcess[] {
  // sites dealt round-robin: every central owns whole sites
  return Array.from({ length: n }, (_, i) => spawnManaged(`central${i}`, process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib', 'fleet-central.ts'), JSON.stringify({
    dir: path.join(dir, `${stream}-c${i}`), servers, stream, latency,
    partitions: SITES.filter((_, k) => k % n === i).map((s) => `${prefix}.acme.${s}.>`),
  })]));
}

async function main(): Promise<void> {
  const dir = await makeTempDir('historian-bench-fleet-');
  const cluster = await startNatsCluster();
  const metrics: Metric[] = [];
  try {
    const rounds: Array<{ rate: number; centralCpuPerM: number; steadyPerM: number; clusterCpuPerM: number; loadStart: number; loadEnd: number }> = [];
    // FLEET_BENCH_PARTS=latency skips the drains (to look at latency alone)
    const parts = (process.env.FLEET_BENCH_PARTS ?? 'drain,latency').split(',');
    for (const n of parts.includes('drain') ? [1, 2, 3] : []) {
      const stream = `FLEET${n}`, prefix = `f${n}`;
      // the backlog first, with no central running
      const sf = StoreForward.open({
        dir: path.join(dir, `gw-${n}`), source: `bench${n}`, template: `${prefix}.{tag:3}`, batchSize: 2000, lingerMs: 20,
        uplink: { type: 'nats', servers: cluster.urls, stream: { name: stream, subjects: [`${prefix}.>`] }, ackTimeoutMs: 10_000 },
        dispatcher: { maxInFlight: 32 },
      });
      for (let k = 0; k < BACKLOG / TAGS.length; k += 100) {
        const b: Sample[] = [];
        for (let j = k; j < k + 100; j++) for (const tag of TAGS) b.push({ tag, ts: BASE + j, value: j, quality: 0 });
        await sf.write(b);
      }
      await waitFor(() => sf.status().pending === 0, { timeoutMs: 300_000, intervalMs: 100, what: 'backlog in the stream' });
      await sf.close();
      const loadStart = load();
      const clusterCpu0 = clusterCpuS(cluster);
      const procs = centrals(dir, cluster.urls, stream, prefix, n, false);
      await Promise.all(procs.map((p) => p.waitForOutput(/ready/, { timeoutMs: 30_000 })));
      let first = 0;
      await waitFor(() => { const s = procs.reduce((a, p) => a + lastStored(p), 0); if (s > 0 && !first) first = Date.now(); return s >= BACKLOG; },
        { timeoutMs: 600_000, intervalMs: 20, what: `${BACKLOG} samples at ${n} central(s)` });
      const secs = (Date.now() - first) / 1000;
      const clusterCpu = clusterCpuS(cluster) - clusterCpu0;
      // the last "stored N cpu U" lines after the drain
      await new Promise((r) => setTimeout(r, 250));
      const cpuEach = procs.map(drainCpuS);
      const steady = procs.map(steadyCpuPerSample);
      const steadyPerM = (steady.reduce((x, y) => x + y, 0) / steady.length) * 1e6;
      await Promise.all(procs.map((p) => p.stop(10_000)));
      const rate = BACKLOG / secs;
      const centralCpu = cpuEach.reduce((x, y) => x + y, 0);
      const r = { rate, centralCpuPerM: (centralCpu / BACKLOG) * 1e6, steadyPerM, clusterCpuPerM: (clusterCpu / BACKLOG) * 1e6, loadStart, loadEnd: load() };
      rounds.push(r);
      console.log(`${n} central(s): ${Math.round(rate)} samples/s in ${secs.toFixed(2)} s (${procs.map(lastStored).join(' + ')}); central CPU ${cpuEach.map((c) => c.toFixed(2)).join(' + ')} s (warm: ${steadyPerM.toFixed(2)} s/M each), cluster CPU ${clusterCpu.toFixed(2)} s; load ${r.loadStart.toFixed(1)} → ${r.loadEnd.toFixed(1)}`);
    }
    const peer = (v: number) => ({ name: '1 central', value: v });
    rounds.forEach((r, i) => {
      const n = i + 1;
      metrics.push(metric(`consumers${n}.samples_per_s`, r.rate, 'samples/s', 'higher', null, n > 1 ? peer(rounds[0].rate) : null));
      metrics.push(metric(`consumers${n}.central_cpu_s_per_M`, r.centralCpuPerM, 'CPU s/M samples', 'lower', null, n > 1 ? peer(rounds[0].centralCpuPerM) : null));
      // once warm (see steadyCpuPerSample): what one central drains per second of one core
      metrics.push(metric(`consumers${n}.capacity_per_core`, 1e6 / r.steadyPerM, 'samples/CPU s', 'higher', null, n > 1 ? peer(1e6 / rounds[0].steadyPerM) : null));
      metrics.push(metric(`consumers${n}.cluster_cpu_s_per_M`, r.clusterCpuPerM, 'CPU s/M samples', 'lower'));
      metrics.push(metric(`consumers${n}.loadavg1_end`, r.loadEnd, 'load', 'lower'));
    });

    // latency at a steady, paced rate through the cluster
    const stream = 'FLEETLAT', prefix = 'fl';
    const procs = centrals(dir, cluster.urls, stream, prefix, 3, true);
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw-lat'), source: 'benchlat', template: `${prefix}.{tag:3}`, batchSize: 1000, lingerMs: 5,
      uplink: { type: 'nats', servers: cluster.urls, stream: { name: stream, subjects: [`${prefix}.>`] }, ackTimeoutMs: 10_000 },
      dispatcher: { maxInFlight: 32 },
    });
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 30_000, what: 'latency gateway connected' });
    // every partition pulled before the first sample is sent: the run measures the steady state
    await waitFor(() => procs.every((p, i) => (p.logs().match(/^owns /gm) ?? []).length === SITES.filter((_, k) => k % 3 === i).length), { timeoutMs: 30_000, what: 'latency centrals own their partitions' });
    const RATE = 10_000, TICK = 10, SECONDS = 15;
    // RATE samples per second, dealt round-robin over the tags, each tag's ts counting up
    let sent = 0;
    const started = Date.now();
    const loadStart = load();
    if (process.env.FLEET_BENCH_DEBUG) console.log(`latency run from ${new Date(started).toISOString()}`);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) * RATE) / 1000));
        const b: Sample[] = [];
        const now = Date.now();
        for (; sent < due; sent++) b.push({ tag: TAGS[sent % TAGS.length], ts: BASE + Math.floor(sent / TAGS.length), value: now, quality: 0 });
        if (b.length) void sf.write(b);
        if (sent >= RATE * SECONDS) { clearInterval(t); resolve(); }
      }, TICK);
    });
    await waitFor(() => procs.reduce((a, p) => a + lastStored(p), 0) >= sent, { timeoutMs: 120_000, intervalMs: 50, what: 'latency run stored' });
    await sf.close();
    await Promise.all(procs.map((p) => p.stop(10_000)));
    const lat = procs.map((p) => JSON.parse(/latency (\{.*\})/.exec(p.logs())![1]) as { n: number; p50: number; p99: number });
    type Stage = { n: number; p50: number; p99: number; max: number };
    const stages = procs.map((p) => JSON.parse(/stages (\{.*\})/.exec(p.logs())![1]) as Record<'gateway' | 'delivery' | 'central', Stage>);
    // p99 over all samples: the largest per-process p99 bounds it from above; report the bound
    const p99 = Math.max(...lat.map((l) => l.p99));
    const p50 = Math.max(...lat.map((l) => l.p50));
    console.log(`latency at ${RATE} samples/s, 3 centrals (load ${loadStart.toFixed(1)} → ${load().toFixed(1)}): ${JSON.stringify(lat)}`);
    console.log(`stages per message: ${JSON.stringify(stages)}`);
    if (process.env.FLEET_BENCH_DEBUG) for (const p of procs) console.log(`${p.name}:\n${(p.logs().match(/^(slow delivery|owns|lost).*$/gm) ?? []).slice(0, 40).join('\n')}`);
    metrics.push(metric('latency.p50_ms', p50, 'ms', 'lower'));
    metrics.push(metric('latency.p99_ms', p99, 'ms', 'lower', 50));
    for (const k of ['gateway', 'delivery', 'central'] as const) metrics.push(metric(`latency.stage_${k}.p99_ms`, Math.max(...stages.map((x) => x[k].p99)), 'ms', 'lower'));
    metrics.push(metric('latency.loadavg1_end', load(), 'load', 'lower'));
  } finally {
    await cluster.dispose();
    await removeTempDir(dir);
  }
  writeReport('fleet', metrics);
}

main().catch((e) => { console.error(e); process.exit(1); });
