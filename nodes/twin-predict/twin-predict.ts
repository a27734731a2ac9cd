// twin-predict: runs a digital-twin model file (runtime/twin) on incoming samples.
// Output 1: `<tag>.predicted`, `.predicted.lo`, `.predicted.hi` and `<tag>.confidence` samples (runtime/twin/companions.ts) for historian-write (the dashboard
// draws the dashed line and its band); output 2: anomaly events (start / end). A message
// `{train: {from, to, ...}}` (or the editor's button) fits the model on the store's
// history, saves it under the node's model name and switches to it.
import { samplesFromMessage, toWireSample, GOOD, type Sample } from '../../runtime/model';
import { createDetector, isGroupModel, twinCompanionTags, type DetectorConfig, type TwinDetector, type TwinModel } from '../../runtime/twin';
import { checkModelName, ModelStoreError, TwinModelStore, trainFromStore } from '../../runtime/twin';
import { z } from 'zod';
import { defineRoute, HttpError } from '../../runtime/http';
import { mountAdminRoute } from '../lib/admin-route';
import { servicesOf } from '../lib/services';
import { findStore } from '../lib/store-ref';
import { numberField, type NodeDef, type NodeMessage, type RED, type RedNode } from '../lib/red';
import { configuredSpec, parseTrainRequest } from './train-request';

/** Anomaly events travel on this subject when a NATS uplink forwards them. */
export const ANOMALY_SUBJECT = 'sys.analytics.anomaly';

type TwinNode = RedNode & { train?: (train: unknown) => Promise<TwinModel> };
function detectorOverrides(config: NodeDef): Partial<DetectorConfig> | undefined {
  const o: Partial<DetectorConfig> = {};
  if (config.method === 'ksigma' || config.method === 'ewma' || config.method === 'cusum' || config.method === 'score') o.method = config.method;
  const th = numberField(config, 'threshold', 0);
  if (th > 0) o.threshold = th;
  const minS = numberField(config, 'minDurationS', -1);
  if (minS >= 0 && config.minDurationS !== '' && config.minDurationS !== undefined) o.minDurationMs = Math.round(minS * 1000);
  return Object.keys(o).length ? o : undefined;
}

/** Samples grouped by timestamp, in time order: one detector update per instant. */
function byInstant(samples: Sample[]): Sample[][] {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const out: Sample[][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last[0].ts === s.ts) last.push(s);
    else out.push([s]);
  }
  return out;
}

/** The editor's "train" button: fits the deployed node's model on the last `hours` of history. */
function trainRoute(RED: RED) {
  return defineRoute({
    method: 'post', path: '/twin-predict/:id/train', group: 'editor', permission: 'flows.write',
    params: z.object({ id: z.string().min(1) }),
    query: z.object({ hours: z.coerce.number().positive().optional() }),
    summary: 'Trains a deployed twin-predict node on its store\'s recent history and switches to the new model',
    handler: async ({ params, query }) => {
      const node = RED.nodes.getNode(params.id) as TwinNode | null;
      if (!node?.train) throw new HttpError(404, 'not_found', 'deploy the node first');
      try {
        const m = await node.train({ from: `-${query.hours ?? 1}h`, to: 'now' });
        return { ok: true, validation: m.validation, ...(m.report ? { report: m.report } : {}) };
      } catch (e) {
        throw new HttpError(400, 'training_failed', (e as Error).message, { ok: false });
      }
    },
  });
}

export default function register(RED: RED): void {
  mountAdminRoute(RED, trainRoute(RED));
  RED.nodes.registerType('twin-predict', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this as TwinNode;
    let detector: TwinDetector | null = null;
    let invalid = 0;
    let models: TwinModelStore;
    let name: string;
    const overrides = detectorOverrides(config);
    const interval = { k: numberField(config, 'bandK', 3), method: config.band === 'quantile' ? 'quantile' as const : 'sigma' as const };
    const adapt = config.adapt === 'confirm' || config.adapt === 'auto'
      ? { mode: config.adapt as 'confirm' | 'auto', ...(numberField(config, 'adaptRate', 0) > 0 ? { rate: numberField(config, 'adaptRate', 0) } : {}) }
      : undefined;

    let coverage: number | undefined;
    const showStatus = () => {
      if (!detector) return node.status({ fill: 'yellow', shape: 'ring', text: `no model "${name}" yet: send {train}` });
      const c = Math.round(detector.confidence * 100);
      const cov = coverage !== undefined ? ` · band ${Math.round(coverage * 100)}%` : '';
      // the training report's first warning stays visible in the editor until the model is retrained
      const warn = detector.model.report?.warnings[0];
      node.status(detector.anomaly
        ? { fill: 'red', shape: 'dot', text: `anomaly · confidence ${c}%` }
        : { fill: warn ? 'yellow' : 'green', shape: 'dot', text: `confidence ${c}%${cov}${invalid ? ` · ${invalid} invalid` : ''}${warn ? ` · ⚠ ${warn}` : ''}`.slice(0, 160) });
    };
    const use = (model: TwinModel) => {
      detector = createDetector({ model, detector: overrides, interval, adapt });
      coverage = undefined;
      showStatus();
    };

    try {
      const dataDir = servicesOf(RED).dataDir ?? String(RED.settings.userDir ?? '');
      if (!dataDir) throw new Error('data directory: not set');
      models = TwinModelStore.forDataDir(dataDir);
      name = checkModelName(String(config.model ?? '').trim());
      // a model shipped inside the flow (examples) is installed when the file is missing
      if (typeof config.modelJson === 'string' && config.modelJson.trim() && !models.has(name)) models.save(name, JSON.parse(config.modelJson));
      if (models.has(name)) use(models.load(name));
      else showStatus();
    } catch (e) {
      const text = e instanceof SyntaxError ? `modelJson: not valid JSON (${e.message})` : (e as Error).message;
      node.status({ fill: 'red', shape: 'ring', text: text.slice(0, 160) });
      node.error(text);
      node.on('input', (_m, _s, done) => done(new Error(`twin-predict not configured: ${text}`)));
      return;
    }

    node.train = async (train: unknown) => {
      const req = parseTrainRequest(train, configuredSpec(config), Date.now());
      const handle = findStore(RED, config.store, { orDefault: true });
      if (!handle) throw new Error('store: training needs a historian store; pick one in the node');
      node.status({ fill: 'blue', shape: 'ring', text: 'training...' });
      try {
        const model = await trainFromStore(await handle.ready, models, name, req.spec, req, { overwrite: true });
        use(model);
        return model;
      } catch (e) {
        showStatus();
        throw e;
      }
    };

    node.on('input', (msg, send, done) => {
      if (msg.train !== undefined) {
        node.train!(msg.train).then((model) => {
          send([null, { topic: 'twin/trained', payload: { model: name, kind: model.kind, window: model.window, validation: model.validation, ...(model.report ? { report: model.report } : {}) } }]);
          done();
        }, (e) => done(e instanceof ModelStoreError || e instanceof Error ? e : new Error(String(e))));
        return;
      }
      const d = detector;
      if (!d) return done(new Error(`model "${name}" not found in ${models.dir}; train it first (msg.train) or POST /api/v1/twin/models`));
      if (msg.rebaseline !== undefined) {
        const r = d.confirmNewNormal(Date.now());
        if (!r) return done(new Error('msg.rebaseline: re-baselining is off for this node (set "Re-baseline" to operator-confirmed or automatic), or no sample has been seen yet'));
        if (r.ended) {
          send([null, { topic: ANOMALY_SUBJECT, payload: r.ended }]);
          servicesOf(RED).events?.publish(ANOMALY_SUBJECT, r.ended);
        }
        showStatus();
        return done();
      }
      const { samples, errors } = samplesFromMessage(msg);
      const out: Sample[] = [];
      const events: NodeMessage[] = [];
      const target = isGroupModel(d.model) ? null : d.model.target;
      const tags = target ? twinCompanionTags(target) : null;
      const confTag = tags ? tags.confidence : `twin.${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.confidence`;
      try {
        for (const group of byInstant(samples)) {
          const u = d.update(group);
          if (u.ready && tags && u.predicted !== undefined) {
            out.push({ tag: tags.predicted, ts: u.ts, value: u.predicted, quality: GOOD });
            if (u.lo !== undefined) out.push({ tag: tags.lo, ts: u.ts, value: u.lo, quality: GOOD });
            if (u.hi !== undefined) out.push({ tag: tags.hi, ts: u.ts, value: u.hi, quality: GOOD });
          }
          // the model's rolling accuracy, published next to its prediction (the dashboard shows it in the trend legend)
          if (u.ready) out.push({ tag: confTag, ts: u.ts, value: u.confidence, quality: GOOD });
          if (u.coverage !== undefined) coverage = u.coverage;
          for (const ev of u.events) events.push({ topic: ANOMALY_SUBJECT, payload: ev });
        }
      } catch (e) {
        return done(e as Error);
      }
      if (out.length || events.length) {
        send([out.length ? { topic: 'twin-predict', payload: out.map(toWireSample) } : null, null]);
        for (const ev of events) {
          send([null, ev]);
          servicesOf(RED).events?.publish(ANOMALY_SUBJECT, ev.payload);
        }
      }
      showStatus();
      if (errors.length) {
        invalid += errors.length;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        return done(new Error(`${errors[0].message}${more}; ${samples.length} valid sample(s) used`));
      }
      done();
    });

    const unregister = servicesOf(RED).components.twins.register(node.id, {
      model: name,
      status: () => ({ loaded: detector !== null, confidence: detector ? detector.confidence : null, anomaly: detector?.anomaly ?? false }),
    });

    node.on('close', (_removed, done) => {
      unregister();
      node.train = undefined;
      node.status({});
      done();
    });
  });
}
