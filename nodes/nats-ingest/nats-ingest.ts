// nats-ingest: the central side of store-and-forward over NATS. A JetStream durable pull
// consumer (several instances with the same durable name share the work) that writes
// each batch into a historian store, acknowledges only once it is durable, and drops
// redelivered envelopes by event id. Stored batches go out on the output.
import path from 'node:path';
import { toWireSample } from '../../runtime/model';
import { EnvelopeIngestor } from '../../runtime/uplink';
import { EventIdSet } from '../../runtime/uplink';
import { NatsIngest } from '../../runtime/uplink';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';
import { sinkFor } from '../../runtime/ingest';
import { storeHandleOf } from '../lib/store-ref';
import { streamPlacement, uplinkConfig } from '../lib/uplink-config';

export default function register(RED: RED): void {
  RED.nodes.registerType('nats-ingest', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let ingest: NatsIngest | null = null;
    let ids: EventIdSet | null = null;
    let ingestor: EnvelopeIngestor | null = null;
    let closed = false;
    const emit = config.output !== false;

    const starting = (async () => {
      const handle = storeHandleOf(RED, config);
      const store = await handle.ready;
      if (closed) return;
      const nats = uplinkConfig({ ...config, uplink: 'nats' }, node.credentials ?? {}, String(config.durable || 'ingest'));
      if (nats.type !== 'nats') throw new Error('uplink: nats expected');
      const stream = String(config.stream || 'HISTORIAN');
      ids = new EventIdSet({ file: path.join(store.dir, 'ingest-event-ids.db'), windowMs: numberField(config, 'dedupWindowH', 24) * 3_600_000 });
      ingestor = new EnvelopeIngestor({
        // every sample as sent: the decision for this path is in runtime/ingest/write-policy.ts
        sink: sinkFor('nats-ingest', store), ids,
        onError: (m) => node.warn(m),
        onStored: (samples, envelopes) => {
          meter.add(samples.length);
          if (emit) node.send({ topic: stream, payload: samples.map(toWireSample), eventIds: envelopes.map((e) => e.id), sources: [...new Set(envelopes.map((e) => e.source))] });
        },
      });
      ingest = new NatsIngest({
        ...nats, stream,
        createStream: config.createStream === false ? undefined : { subjects: String(config.streamSubjects || 'hist.>').split(',').map((s) => s.trim()), duplicateWindowMs: numberField(config, 'duplicateWindowS', 120) * 1000, ...streamPlacement(config) },
        durable: String(config.durable || 'historian-ingest'),
        filterSubject: typeof config.filterSubject === 'string' && config.filterSubject && !config.partitions ? config.filterSubject : undefined,
        // partitions this process owns (FLEET.md): comma-separated subject filters, one durable consumer each
        partitions: typeof config.partitions === 'string' && config.partitions.trim() ? config.partitions.split(',').map((f) => ({ filterSubject: f.trim() })).filter((p) => p.filterSubject) : undefined,
        // a flow saved before leases has no leaseTtlS: the default (MIGRATIONS.md)
        leaseTtlMs: numberField(config, 'leaseTtlS', 12) * 1000,
        leaseReplicas: streamPlacement(config).replicas,
        // the connection name is written into the partition leases: a refused process names this one
        name: `historian nats-ingest ${String(config.name || node.id)}`,
        ackWaitMs: numberField(config, 'ackWaitS', 30) * 1000,
        batch: numberField(config, 'batch', 1000),
        onError: (m) => node.warn(m),
      }, ingestor);
      await ingest.start();
    })();
    starting.catch((e) => { node.status({ fill: 'red', shape: 'ring', text: (e as Error).message }); node.error(e); });

    const statusTimer = setInterval(() => {
      if (!ingest || !ingestor) return;
      const s = ingest.stats;
      const dup = ingestor.stats.duplicates;
      const refused = ingestor.stats.rejectedSamples + ingestor.stats.invalidSamples;
      const fill = !s.connected || refused ? 'yellow' : 'green';
      node.status({ fill, shape: s.connected ? 'dot' : 'ring', text: `${s.connected ? 'connected' : 'reconnecting'} · ${formatRate(meter.perSecond())}${dup ? ` · ${dup} duplicates dropped` : ''}${refused ? ` · ${refused} rejected` : ''}` });
    }, 1000);

    node.on('close', (_removed, done) => {
      closed = true;
      clearInterval(statusTimer);
      starting.catch(() => undefined).then(async () => {
        await ingest?.stop();
        ids?.close();
      }).catch((e) => node.error(`closing nats-ingest: ${(e as Error).message}`)).finally(() => { node.status({}); done(); });
    });
  }, {
    credentials: { user: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' }, nkeySeed: { type: 'password' }, credsFile: { type: 'text' } },
  });
}
