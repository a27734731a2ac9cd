// One central Historian ingest process of the fleet benchmark: its own store and event-id
// memory, pulling the partitions (subject filters) it owns. Prints "stored N cpu U" every
// 100 ms (U: this process's CPU time so far, µs, user + system) and, when asked for latency,
// on SIGTERM the gateway→central delay of every stored sample (its value is the gateway's
// write time in ms) as percentiles, and the same per message split into stages:
//   gateway   envelope cut on the gateway → stored in the stream (disk buffer, publish, R3 ack)
//   delivery  stored in the stream → received by this process (pull)
//   central   received → durable in the store and acknowledged (queue, decode, store write)
import path from 'node:path';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { NatsIngest } from '../../../runtime/uplink/nats-ingest';

const a = JSON.parse(process.argv[2]) as { dir: string; servers: string[]; stream: string; partitions: string[]; latency: boolean; batch?: number };

function percentiles(v: number[]): { n: number; p50: number; p99: number; max: number } {
  v.sort((x, y) => x - y);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { n: v.length, p50: q(0.5), p99: q(0.99), max: v[v.length - 1] };
}

async function main(): Promise<void> {
  const store = await TsdbStore.open({ dir: path.join(a.dir, 'store'), fsync: 'interval', maintenanceIntervalMs: 0 });
  const ids = new EventIdSet({ file: path.join(a.dir, 'event-ids.db') });
  let stored = 0;
  const delays: number[] = [];
  const stages = { gateway: [] as number[], delivery: [] as number[], central: [] as number[] };
  const sink = {
    write: async (s: readonly Sample[]) => {
      await store.write(s);
      stored += s.length;
      if (a.latency) { const now = Date.now(); for (const x of s) delays.push(now - (x.value as number)); }
    },
  };
  const ing = new NatsIngest({
    servers: a.servers, stream: a.stream, batch: a.batch ?? 2000, maxAckPending: 20_000,
    partitions: a.partitions.map((filterSubject) => ({ filterSubject })),
    onOwnership: (e) => console.log(`${e.owned ? 'owns' : 'lost'} ${e.filter}`),
    onStoredBatch: a.latency ? (b) => {
      for (const m of b.messages) {
        // the envelope's "created" (gateway cut time) without decoding the whole envelope
        const created = Number(/"created":(\d+)/.exec(Buffer.from(m.data.subarray(0, 200)).toString('latin1'))?.[1]);
        if (created) stages.gateway.push(m.streamMs - created);
        stages.delivery.push(m.pulledMs - m.streamMs);
        if (process.env.FLEET_BENCH_DEBUG && m.pulledMs - m.streamMs > 500) console.log(`slow delivery ${Math.round(m.pulledMs - m.streamMs)} ms, stored in stream at ${new Date(m.streamMs).toISOString()}`);
        stages.central.push(b.durableMs - m.pulledMs);
      }
    } : undefined,
  }, new EnvelopeIngestor({ sink, ids }));
  await ing.start();
  console.log('ready');
  const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
  console.log(`stored ${stored} cpu ${cpu()}`);
  const t = setInterval(() => console.log(`stored ${stored} cpu ${cpu()}`), 100);
  process.on('SIGTERM', () => {
    void (async () => {
      clearInterval(t);
      console.log(`stored ${stored} cpu ${cpu()}`);
      await ing.stop();
      ids.close();
      await store.close();
      if (a.latency && delays.length) {
        console.log(`latency ${JSON.stringify(percentiles(delays))}`);
        console.log(`stages ${JSON.stringify({ gateway: percentiles(stages.gateway), delivery: percentiles(stages.delivery), central: percentiles(stages.central) })}`);
      }
      process.exit(0);
    })();
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
