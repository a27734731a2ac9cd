// A central Historian ingest process for the shared-ingest test: its own store and event-id
// memory, consuming the partitions (subject filters) it owns from the cluster's stream.
// Prints "stored N" as it goes, "owns <filter>" / "lost <filter>" / "standby <filter>" as
// partition leases come and go; SIGTERM closes cleanly (releasing its leases).
import path from 'node:path';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { NatsIngest } from '../../../runtime/uplink/nats-ingest';
import type { Sample } from '../../../runtime/model';

const a = JSON.parse(process.argv[2]) as { dir: string; servers: string[]; partitions: string[]; standby?: string[]; batch: number; name?: string; leaseTtlMs?: number; stream?: string; user?: string; pass?: string };

async function main(): Promise<void> {
  const store = await TsdbStore.open({ dir: path.join(a.dir, 'store'), fsync: 'interval', maintenanceIntervalMs: 0 });
  const ids = new EventIdSet({ file: path.join(a.dir, 'event-ids.db') });
  let stored = 0;
  const sink = { write: async (s: readonly Sample[]) => { await store.write(s); stored += s.length; console.log(`stored ${stored}`); } };
  const ingestor = new EnvelopeIngestor({ sink, ids });
  const ing = new NatsIngest({
    servers: a.servers, user: a.user, pass: a.pass, stream: a.stream ?? 'HIST', createStream: { subjects: ['hist.>'] }, ackWaitMs: 1000, batch: a.batch,
    partitions: a.partitions.length ? a.partitions.map((filterSubject) => ({ filterSubject })) : undefined,
    standby: a.standby?.map((filterSubject) => ({ filterSubject })), onError: (m) => console.error(m),
    name: a.name, leaseTtlMs: a.leaseTtlMs,
    // "owns" when it starts pulling a partition, "lost" when it stops; "standby" for a partition it
    // stands by for (waiting, or handed back to its owner)
    onOwnership: (e) => console.log(`${e.owned ? 'owns' : e.standby ? 'standby' : 'lost'} ${e.filter}${e.reason ? `: ${e.reason}` : ''}`),
  }, ingestor);
  await ing.start();
  console.log('ready');
  process.on('SIGTERM', () => {
    void (async () => {
      await ing.stop();
      ids.close();
      await store.close();
      console.log(`closed duplicates=${ingestor.stats.duplicates} redelivered=${ing.stats.redelivered}`);
      process.exit(0);
    })();
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
