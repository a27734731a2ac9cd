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

/** A comma-separated list of subject filters (node field), or undefined when empty. */
function filterList(v: unknown): Array<{ filterSubject: string }> | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  return v.split(',').map((f) => ({ filterSubject: f.trim() })).filter((p) => p.filterSubject);
}

export default function register(RED: RED): void {
  RED.nodes.registerType('nats-ingest', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let ingest: NatsIngest | null = null;
    let ids: EventIdSet | null = null;
    let ingestor: EnvelopeIngestor | null = null;
    let closed = false;
    // partitions pulled now, by durable: "owned", or "took over" for a standby partition
    const owned = new Map<string, string>();
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
        filterSubject: typeof config.filterSubject === 'string' && config.filterSubject && !config.partitions && !config.standby ? config.filterSubject : undefined,
        // partitions this process owns (FLEET.md): comma-separated subject filters, one durable consumer each
        partitions: filterList(config.partitions),
        // other centrals' partitions this one takes over when their lease expires (README "Scaling out")
        standby: filterList(config.standby),
        onOwnership: (e) => {
          if (e.owned) owned.set(e.durable, e.standby ? 'took over' : 'owned');
          else owned.delete(e.durable);
          if (e.standby && e.reason) node.log(`partition ${e.filter}: ${e.reason}`);
          else if (e.owned) node.log(`partition ${e.filter}: owned`);
        },
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
      const parts = config.partitions || config.standby ? ingest.consumers() : [];
      const own = parts.filter((c) => !c.standby);
      const held = own.filter((c) => owned.has(c.durable)).length;
      const taken = parts.filter((c) => c.standby && owned.has(c.durable)).length;
      // a partition of ours that another process holds is a warning: nobody may be storing it here
      const partText = parts.length ? ` · ${held}/${own.length} partitions${taken ? ` + ${taken} taken over` : ''}` : '';
      const fill = !s.connected || refused || held < own.length ? 'yellow' : 'green';
      node.status({ fill, shape: s.connected ? 'dot' : 'ring', text: `${s.connected ? 'connected' : 'reconnecting'} · ${formatRate(meter.perSecond())}${partText}${dup ? ` · ${dup} duplicates dropped` : ''}${refused ? ` · ${refused} rejected` : ''}` });
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
