// One central Historian ingest process of the fleet benchmark: its own store and event-id
// memory, pulling the partitions (subject filters) it owns. Prints "stored N" every 100 ms
// and, when asked for latency, the gateway→central delay of every stored sample (its value
// is the gateway's send time in ms) as percentiles on SIGTERM.
import path from 'node:path';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { NatsIngest } from '../../../runtime/uplink/nats-ingest';

const a = JSON.parse(process.argv[2]) as { dir: string; servers: string[]; stream: string; partitions: string[]; latency: boolean };

async function main(): Promise<void> {
  const store = await TsdbStore.open({ dir: path.join(a.dir, 'store'), fsync: 'interval', maintenanceIntervalMs: 0 });
  const ids = new EventIdSet({ file: path.join(a.dir, 'event-ids.db') });
  let stored = 0;
  const delays: number[] = [];
  const sink = {
    write: async (s: readonly Sample[]) => {
      await store.write(s);
      stored += s.length;
      if (a.latency) { const now = Date.now(); for (const x of s) delays.push(now - (x.value as number)); }
    },
  };
  const ing = new NatsIngest({
    servers: a.servers, stream: a.stream, batch: 2000, maxAckPending: 20_000,
    partitions: a.partitions.map((filterSubject) => ({ filterSubject })),
  }, new EnvelopeIngestor({ sink, ids }));
  await ing.start();
  console.log('ready');
  const t = setInterval(() => console.log(`stored ${stored}`), 100);
  process.on('SIGTERM', () => {
    void (async () => {
      clearInterval(t);
      console.log(`stored ${stored}`);
      await ing.stop();
      ids.close();
      await store.close();
      if (a.latency && delays.length) {
        delays.sort((x, y) => x - y);
        const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
        console.log(`latency ${JSON.stringify({ n: delays.length, p50: q(0.5), p99: q(0.99), max: delays[delays.length - 1] })}`);
      }
      process.exit(0);
    })();
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
