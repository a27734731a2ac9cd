// Fleet benchmark: gateways → 3-node JetStream cluster (R3 stream, real nats-server
// processes on loopback) → 1, 2 or 3 central ingest processes sharing the stream by site
// partitions (README "Scaling out"), each with its own store.
//   consumersN.samples_per_s   a backlog of 600,000 samples over 6 sites drained end to end
//                              (first to last sample durable at the centrals) by N processes
//   latency.p99_ms             gateway send → durable at a central, at 10,000 samples/s
//                              offered for 15 s through the cluster, 3 centrals
// Baseline: the same drain with 1 central process (the scaling peer of 2 and 3).
// Run under nice on a shared machine; every figure depends on the cores available.
import path from 'node:path';
import type { Sample } from '../../runtime/model';
import { StoreForward } from '../../runtime/uplink/store-forward';
import { startNatsCluster } from '../helpers/nats-cluster';
import { spawnManaged, type ManagedProcess } from '../helpers/process';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { metric, writeReport, type Metric } from './lib/report';

const SITES = Array.from({ length: 6 }, (_, i) => `site${i}`);
const TAGS = SITES.flatMap((s) => Array.from({ length: 10 }, (_, k) => `acme.${s}.line1.m${k}.v`));
const BACKLOG = 600_000;
const BASE = 1_700_000_000_000;

const lastStored = (p: ManagedProcess) => { const m = [...p.logs().matchAll(/stored (\d+)/g)]; return m.length ? Number(m[m.length - 1][1]) : 0; };

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
    const rates: number[] = [];
    for (const n of [1, 2, 3]) {
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
      const procs = centrals(dir, cluster.urls, stream, prefix, n, false);
      await Promise.all(procs.map((p) => p.waitForOutput(/ready/, { timeoutMs: 30_000 })));
      let first = 0;
      await waitFor(() => { const s = procs.reduce((a, p) => a + lastStored(p), 0); if (s > 0 && !first) first = Date.now(); return s >= BACKLOG; },
        { timeoutMs: 600_000, intervalMs: 20, what: `${BACKLOG} samples at ${n} central(s)` });
      const secs = (Date.now() - first) / 1000;
      await Promise.all(procs.map((p) => p.stop(10_000)));
      const rate = BACKLOG / secs;
      rates.push(rate);
      console.log(`${n} central(s): ${Math.round(rate)} samples/s (${procs.map(lastStored).join(' + ')})`);
    }
    metrics.push(metric('consumers1.samples_per_s', rates[0], 'samples/s', 'higher'));
    metrics.push(metric('consumers2.samples_per_s', rates[1], 'samples/s', 'higher', null, { name: '1 central', value: rates[0] }));
    metrics.push(metric('consumers3.samples_per_s', rates[2], 'samples/s', 'higher', null, { name: '1 central', value: rates[0] }));

    // latency at a steady, paced rate through the cluster
    const stream = 'FLEETLAT', prefix = 'fl';
    const procs = centrals(dir, cluster.urls, stream, prefix, 3, true);
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw-lat'), source: 'benchlat', template: `${prefix}.{tag:3}`, batchSize: 1000, lingerMs: 5,
      uplink: { type: 'nats', servers: cluster.urls, stream: { name: stream, subjects: [`${prefix}.>`] }, ackTimeoutMs: 10_000 },
      dispatcher: { maxInFlight: 32 },
    });
    await Promise.all(procs.map((p) => p.waitForOutput(/ready/, { timeoutMs: 30_000 })));
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 30_000, what: 'latency gateway connected' });
    const RATE = 10_000, TICK = 10, SECONDS = 15;
    const perTick = (RATE * TICK) / 1000 / TAGS.length; // per tag
    let step = 0;
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const due = Math.floor((Date.now() - started) / TICK);
        while (step < due) {
          const b: Sample[] = [];
          const now = Date.now();
          for (let k = 0; k < perTick; k++) for (const tag of TAGS) b.push({ tag, ts: BASE + step * perTick + k, value: now, quality: 0 });
          void sf.write(b);
          step++;
        }
        if (Date.now() - started >= SECONDS * 1000) { clearInterval(t); resolve(); }
      }, TICK);
    });
    const sent = step * perTick * TAGS.length;
    await waitFor(() => procs.reduce((a, p) => a + lastStored(p), 0) >= sent, { timeoutMs: 120_000, intervalMs: 50, what: 'latency run stored' });
    await sf.close();
    await Promise.all(procs.map((p) => p.stop(10_000)));
    const lat = procs.map((p) => JSON.parse(/latency (\{.*\})/.exec(p.logs())![1]) as { n: number; p50: number; p99: number });
    // p99 over all samples: the largest per-process p99 bounds it from above, the sample-weighted mean from below; report the bound
    const p99 = Math.max(...lat.map((l) => l.p99));
    const p50 = Math.max(...lat.map((l) => l.p50));
    console.log(`latency at ${RATE} samples/s, 3 centrals: ${JSON.stringify(lat)}`);
    metrics.push(metric('latency.p50_ms', p50, 'ms', 'lower'));
    metrics.push(metric('latency.p99_ms', p99, 'ms', 'lower', 50));
  } finally {
    await cluster.dispose();
    await removeTempDir(dir);
  }
  writeReport('fleet', metrics);
}

main().catch((e) => { console.error(e); process.exit(1); });
