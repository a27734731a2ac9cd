// historian-write: stores single samples and batches through a logging filter; passes
// the message on once what was kept is durable. Invalid samples and samples the store
// refuses (too old, too far in the future) are reported by field and counted; the rest of
// the batch is stored.
import { mapRejections } from '../../runtime/ingest';
import { DiskLowError } from '../../runtime/disk';
import { samplesFromMessage } from '../../runtime/model';
import type { LoggingSetting } from '../../runtime/tsdb';
import { sinkFor, type SampleSink } from '../../runtime/ingest';
import { applyMessageMeta } from '../../runtime/tsdb';
import type { TsdbStore } from '../../runtime/tsdb';
import type { LoggingMode } from '../../runtime/tsdb/filter';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';
import { storeHandleOf } from '../lib/store-ref';

function loggingSetting(config: NodeDef): LoggingSetting {
  const mode = String(config.logging ?? 'tag');
  if (mode === 'tag') return 'tag';
  return {
    mode: mode as LoggingMode,
    deviation: numberField(config, 'deviation', 0),
    deviationUnit: config.deviationUnit === 'percent' ? 'percent' : 'absolute',
    span: config.deviationUnit === 'percent' ? { low: numberField(config, 'spanLow', 0), high: numberField(config, 'spanHigh', 100) } : undefined,
    compMax: numberField(config, 'compMaxS', 0) * 1000 || undefined,
  };
}

export default function register(RED: RED): void {
  RED.nodes.registerType('historian-write', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let rejected = 0;
    let writer: SampleSink | null = null;
    let store: TsdbStore | null = null;
    let pending: Promise<unknown> = Promise.resolve();
    let handleName = '';
    /** the last write refused because the disk is below the watermark (cleared by the next stored write) */
    let diskLow = false;
    const ready = (async () => {
      const handle = storeHandleOf(RED, config);
      handleName = handle.name;
      store = await handle.ready;
      // the tag's write policy (or this node's setting) applies here: runtime/ingest/write-policy.ts
      writer = sinkFor('historian-write', store, loggingSetting(config));
      return writer;
    })();
    ready.catch((e) => node.status({ fill: 'red', shape: 'ring', text: (e as Error).message }));
    const statusTimer = setInterval(() => {
      if (!writer) return;
      if (diskLow) { node.status({ fill: 'red', shape: 'ring', text: 'disk low: writes refused' }); return; }
      node.status({ fill: rejected ? 'yellow' : 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} → ${handleName}${rejected ? ` · ${rejected} rejected` : ''}` });
    }, 1000);

    node.on('input', (msg, send, done) => {
      const { samples, errors } = samplesFromMessage(msg);
      // Writes are chained so samples of consecutive messages reach the store in order.
      pending = pending.then(async () => {
        try {
          const w = await ready;
          // metadata first: the tag's logging mode and interpolation apply to these samples
          const meta = applyMessageMeta(store!.tags, msg);
          // what the store refuses (too old, too far in the future) is an error, not "stored"
          const r = samples.length ? await w.write(samples) : { accepted: 0, errors: [] };
          const refused = r.errors ?? [];
          const stored = samples.length - refused.length;
          const problems = [
            ...meta.errors,
            ...errors.map((e) => e.message),
            ...mapRejections(refused, null, { ts: 'ts', value: 'value', tag: 'tag' }).map((e) => `${samples[e.index].tag} ${e.field}: ${e.message}`),
          ];
          meter.add(stored);
          diskLow = false;
          if (stored > 0) send(msg);
          if (problems.length) {
            rejected += problems.length - meta.errors.length;
            const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
            done(new Error(`${problems[0]}${more}; ${stored} sample(s) stored`));
          } else done();
        } catch (e) {
          if (e instanceof DiskLowError) {
            diskLow = true;
            node.status({ fill: 'red', shape: 'ring', text: 'disk low: writes refused' });
          }
          done(e as Error);
        }
      });
    });
    node.on('close', (_removed, done) => {
      clearInterval(statusTimer);
      pending.then(() => writer?.flush()).catch((e) => node.error(e)).finally(() => done());
    });
  });
}
