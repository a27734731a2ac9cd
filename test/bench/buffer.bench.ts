// Store-and-forward benchmark: gateway buffer → NATS JetStream (real nats-server on
// loopback) → central ingest → TsdbStore, all measured end to end at the central store.
//   uplink.samples_per_s   1,000,000 samples written as fast as the gateway takes them
//   drain.samples_per_s    a 1,000,000-sample backlog (buffered while paused) drained
//   latency.p99_ms         produce → durable at the central store (fsync always) at 10,000 samples/s
//   rss_mb.backlog_1m      process RSS while the 1,000,000-sample backlog is held
// Baseline: the same drain with a single envelope in flight (no pipelining).
import path from 'node:path';
import type { Sample } from '../../runtime/model';
import { TsdbStore } from '../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../runtime/uplink/event-id-set';
import { NatsIngest } from '../../runtime/uplink/nats-ingest';
import { StoreForward } from '../../runtime/uplink/store-forward';
import { startNats, type NatsServer } from '../helpers/nats';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { metric, writeReport } from './lib/report';

const BASE = 1_700_000_000_000;
const TAGS = Array.from({ length: 100 }, (_, i) => `acme.bench.line${i % 4}.m${i}.v`);

interface Central { written: () => number; onSample?: (s: Sample, now: number) => void; close(): Promise<void> }

async function central(dir: string, url: string, durable: string, fsync: 'always' | 'interval', onBatch?: (s: Sample[]) => void, stream = 'BENCH', prefix = 'hist'): Promise<Central> {
  const store = await TsdbStore.open({ dir: path.join(dir, 'store'), fsync, maintenanceIntervalMs: 0 });
  const ids = new EventIdSet({ file: path.join(dir, 'ids.db') });
  let written = 0;
  const sink = { write: async (s: readonly Sample[]) => { await store.write(s); written += s.length; onBatch?.(s as Sample[]); } };
  const ing = new NatsIngest({ servers: url, stream, createStream: { subjects: [`${prefix}.>`] }, durable, batch: 2000, maxAckPending: 20_000 }, new EnvelopeIngestor({ sink, ids }));
  await ing.start();
  return { written: () => written, async close() { await ing.stop(); ids.close(); await store.close(); } };
}

function gateway(dir: string, url: string, o: { paused?: boolean; maxInFlight?: number; lingerMs?: number; batchSize?: number; stream?: string; prefix?: string } = {}): StoreForward {
  const prefix = o.prefix ?? 'hist';
  return StoreForward.open({
    dir, source: 'bench', template: `${prefix}.{tag:3}`, batchSize: o.batchSize ?? 5000, lingerMs: o.lingerMs ?? 20, paused: o.paused,
    uplink: { type: 'nats', servers: url, stream: { name: o.stream ?? 'BENCH', subjects: [`${prefix}.>`] }, ackTimeoutMs: 10_000 },
    queue: { journal: 'always', ramLimitBytes: 256 << 20, diskLimitBytes: 4 * 2 ** 30 }, dispatcher: { maxInFlight: o.maxInFlight ?? 32 },
  });
}

function batch(from: number, steps: number): Sample[] {
  const out: Sample[] = [];
  for (let k = from; k < from + steps; k++) for (const tag of TAGS) out.push({ tag, ts: BASE + k, value: (k % 1000) / 10, quality: 0 });
  return out;
}

async function fill(sf: StoreForward, total: number): Promise<void> {
  const steps = total / TAGS.length;
  for (let k = 0; k < steps; k += 50) await sf.write(batch(k, 50));
  await sf.flush();
}

async function throughput(nats: NatsServer, dir: string): Promise<number> {
  const c = await central(path.join(dir, 'c1'), nats.url, 'tput', 'interval');
  const sf = gateway(path.join(dir, 'g1'), nats.url);
  await waitFor(() => sf.status().connected, { what: 'uplink connected' });
  const t0 = performance.now();
  await fill(sf, 1_000_000);
  await waitFor(() => c.written() >= 1_000_000, { timeoutMs: 120_000, intervalMs: 5, what: 'throughput run at the central store' });
  const rate = 1_000_000 / ((performance.now() - t0) / 1000);
  await sf.close();
  await c.close();
  return rate;
}

async function drain(nats: NatsServer, dir: string, durable: string, maxInFlight: number): Promise<{ rate: number; rssMb: number }> {
  const c = await central(path.join(dir, `c-${durable}`), nats.url, durable, 'interval');
  const sf = gateway(path.join(dir, `g-${durable}`), nats.url, { paused: true, maxInFlight });
  await fill(sf, 1_000_000);
  (globalThis as { gc?: () => void }).gc?.();
  const rssMb = process.memoryUsage().rss / (1 << 20);
  const before = c.written();
  const t0 = performance.now();
  sf.resume();
  await waitFor(() => c.written() - before >= 1_000_000, { timeoutMs: 180_000, intervalMs: 5, what: `drain (${durable})` });
  const rate = 1_000_000 / ((performance.now() - t0) / 1000);
  await sf.close();
  await c.close();
  return { rate, rssMb };
}

async function latency(nats: NatsServer, dir: string): Promise<number> {
  const produced = new Map<number, number>();
  const lat: number[] = [];
  const c = await central(path.join(dir, 'c-lat'), nats.url, 'lat', 'always', (samples) => {
    const now = performance.now();
    for (const s of samples) { const t = produced.get(s.ts); if (t !== undefined) lat.push(now - t); }
  }, 'LAT', 'lat');
  // its own stream: the earlier phases' messages must not be measured
  const sf = gateway(path.join(dir, 'g-lat'), nats.url, { lingerMs: 5, batchSize: 1000, stream: 'LAT', prefix: 'lat' });
  await waitFor(() => sf.status().connected, { what: 'uplink connected' });
  // warm-up: the consumer is created and pulling before the clock starts
  await sf.write(TAGS.map((tag) => ({ tag, ts: BASE - 1000, value: 0, quality: 0 })));
  await waitFor(() => c.written() >= TAGS.length, { timeoutMs: 10_000, what: 'warm-up at the central store' });
  // 100 tags × 100 ticks/s = 10,000 samples/s for 10 s, one write per 10 ms tick
  let step = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - started) / 10);
      while (step <= due && step < 1000) {
        produced.set(BASE + step, performance.now());
        void sf.write(batch(step, 1));
        step++;
      }
      if (step >= 1000) { clearInterval(timer); resolve(); }
    }, 2);
  });
  await waitFor(() => c.written() >= 100_000 + TAGS.length, { timeoutMs: 30_000, what: 'latency run at the central store' });
  await sf.close();
  await c.close();
  lat.sort((a, b) => a - b);
  console.log(`latency p50 ${lat[Math.floor(lat.length * 0.5)].toFixed(1)} ms, p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms over ${lat.length} samples`);
  return lat[Math.floor(lat.length * 0.99)];
}

async function main(): Promise<void> {
  const dir = await makeTempDir('historian-bench-buffer-');
  const nats = await startNats();
  try {
    // latency first: measured before the 1M-sample phases leave garbage and a full stream behind
    const p99 = await latency(nats, dir);
    const tput = await throughput(nats, dir);
    console.log(`uplink ${Math.round(tput)} samples/s`);
    const d = await drain(nats, dir, 'drain', 32);
    console.log(`drain ${Math.round(d.rate)} samples/s, rss ${d.rssMb.toFixed(0)} MB`);
    const base = await drain(nats, dir, 'drain1', 1);
    console.log(`drain, one in flight ${Math.round(base.rate)} samples/s`);
    writeReport('buffer', [
      metric('uplink.samples_per_s', tput, 'samples/s', 'higher', 100_000),
      metric('drain.samples_per_s', d.rate, 'samples/s', 'higher', 100_000, { name: 'one envelope in flight', value: base.rate }),
      metric('latency.p99_ms', p99, 'ms', 'lower', 50),
      metric('rss_mb.backlog_1m', d.rssMb, 'MB', 'lower', null),
    ]);
  } finally {
    await nats.dispose();
    await removeTempDir(dir);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
