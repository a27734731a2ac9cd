// plant-sim: paces the runtime/sim PlantSimulator in real time and emits its samples,
// one message per sample or as batches (ARCHITECTURE.md §2). With a store configured it
// also continues its counters across redeploys and restarts, and fills an empty store
// with history first. Output 1: samples (the first message carries msg.tagMeta, the
// tags' units, spans, interpolation and state names, for historian-write). Output 2:
// operator events of the story (setpoint changes, trips, resets) for the audit trail.
import { join } from 'node:path';
import { backfill, counterFile, maxCounters, PlantSimulator, readCounters, writeCounters, type PlantCounters, type TagInfo } from '../../runtime/sim';
import { toWireSample } from '../../runtime/model';
import { servicesOf } from '../lib/services';
import type { TsdbStore } from '../../runtime/tsdb';
import { applyMessageMeta } from '../../runtime/tsdb';
import type { StoreHandle } from '../../runtime/tsdb';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

/** One-message-per-sample mode above this rate would flood the flow; use batches. */
export const MAX_SINGLE_RATE = 20_000;
/** Samples per batch message at most. */
export const MAX_BATCH = 50_000;

/** The registry metadata of the simulator's tags, as historian-write takes it (msg.tagMeta). */
export function tagMetaOf(tags: readonly TagInfo[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const t of tags) {
    out[t.tag] = {
      unit: t.unit, description: t.description, spanLow: t.low, spanHigh: t.high, valueType: t.type,
      interpolation: t.interpolation, ...(t.states ? { states: t.states } : {}),
    };
  }
  return out;
}

const flag = (v: unknown, fallback: boolean) => (v === undefined || v === '' ? fallback : v === true || v === 'true');

export default function register(RED: RED): void {
  RED.nodes.registerType('plant-sim', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let sim: PlantSimulator | null = null;
    let timer: NodeJS.Timeout | null = null;
    let statusTimer: NodeJS.Timeout | null = null;
    let closed = false;
    let metaSent = false;
    let preparing: Promise<void> | null = null;
    const meter = new RateMeter();
    const dataDir = servicesOf(RED).dataDir ?? String(RED.settings.userDir ?? join(process.cwd(), 'data'));
    const stateFile = counterFile(dataDir, node.id);

    const mode = config.mode === 'single' ? 'single' : 'batch';
    const build = (): PlantSimulator => {
      const rate = numberField(config, 'rate', 10);
      if (mode === 'single' && rate > MAX_SINGLE_RATE) throw new Error(`rate: one message per sample is limited to ${MAX_SINGLE_RATE}/s; use batch mode for higher rates`);
      return new PlantSimulator({
        seed: numberField(config, 'seed', 1),
        prefix: typeof config.prefix === 'string' && config.prefix ? config.prefix : undefined,
        lines: numberField(config, 'lines', 2),
        pumpsPerLine: numberField(config, 'pumps', 3),
        rate,
        faultRate: numberField(config, 'faultRate', 0.0005),
        story: flag(config.story, false),
      });
    };
    const storeHandle = (): StoreHandle | null => {
      if (!config.store) return null;
      const cfg = RED.nodes.getNode(String(config.store)) as { handle?: StoreHandle } | null;
      if (!cfg?.handle) throw new Error('store: the historian store is not deployed; deploy it or clear the field');
      return cfg.handle;
    };

    /** Counters from the last stop and the store; history when the store has none of our tags. */
    const prepare = async (s: PlantSimulator): Promise<void> => {
      const fromStore: PlantCounters = {};
      const handle = storeHandle();
      const store: TsdbStore | null = handle ? await handle.ready : null;
      const upsetS = config.firstUpsetS === '' ? -1 : numberField(config, 'firstUpsetS', -1);
      const scheduleUpset = () => { if (upsetS >= 0) s.scheduleUpset(0, Date.now() + upsetS * 1000); };
      if (!store) { s.restartAt(Date.now()); return scheduleUpset(); }
      // the registry knows units, spans and interpolation before any history is written
      const meta = applyMessageMeta(store.tags, { tagMeta: tagMetaOf(s.tags) });
      for (const e of meta.errors) node.warn(e);
      for (const l of await store.latest(s.counterTags)) fromStore[l.tag] = l.value;
      let saved: PlantCounters = {};
      try {
        saved = readCounters(stateFile);
      } catch (e) {
        // the store's latest values still keep the counters from going backwards
        node.warn(`ignoring the saved counters: ${(e as Error).message}`);
      }
      s.resume(maxCounters(saved, fromStore));
      const fresh = (await store.latest(s.tags.map((t) => t.tag))).length === 0;
      const days = numberField(config, 'backfillDays', 0);
      const detailHours = numberField(config, 'backfillDetailHours', 0);
      if (fresh && (days > 0 || detailHours > 0)) {
        node.status({ fill: 'blue', shape: 'ring', text: `writing ${days} d of history…` });
        const t0 = Date.now();
        const r = await backfill(s, {
          days, stepMs: numberField(config, 'backfillStepS', 60) * 1000,
          detailHours, detailStepMs: numberField(config, 'backfillDetailStepS', 1) * 1000,
        }, async (batch) => { if (!closed) await store.writeColumns(batch); }, Date.now, () => closed);
        node.log(`history: ${r.samples} samples from ${new Date(r.from).toISOString()} written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        // what was written, for flows that derive from history: wired to an event-frame node,
        // msg.frame makes it record the frames of that history
        if (r.samples > 0 && !closed) {
          const range = { from: r.from, to: r.lastTs + 1 };
          node.send([null, null, { topic: 'history', payload: { ...range, samples: r.samples }, frame: { action: 'replay', ...range } }]);
        }
        s.restartAt(r.lastTs + s.tickMs);
      } else {
        s.restartAt(Date.now());
      }
      scheduleUpset();
    };

    const emit = () => {
      if (!sim) return;
      // Cap the catch-up after a stall (two seconds of samples, or up to a minute when that is
      // at most 10,000 samples) so a blocked event loop does not turn into one huge message,
      // while a slow plant is back on time at once.
      const samples = sim.until(Date.now(), Math.max(1, Math.ceil(Math.max(sim.rate * 2, Math.min(sim.rate * 60, 10_000)))));
      for (const e of sim.takeEvents()) {
        // a cooling upset is the hidden cause an operator only sees through its symptoms
        if (e.kind === 'cooling-upset') continue;
        node.send([null, { topic: e.tag, payload: { action: `sim.${e.kind}`, target: e.tag, previousValue: e.previousValue, newValue: e.newValue, reason: 'simulated operator / process event', ts: e.ts } }]);
      }
      if (samples.length === 0) return;
      meter.add(samples.length);
      const tagMeta = metaSent ? undefined : tagMetaOf(sim.tags);
      metaSent = true;
      if (mode === 'single') {
        for (const s of samples) {
          const meta = tagMeta?.[s.tag];
          node.send({ topic: s.tag, payload: s.value, timestamp: s.ts, quality: toWireSample(s).quality, ...(meta ?? {}) });
        }
      } else {
        for (let i = 0; i < samples.length; i += MAX_BATCH) {
          node.send({ topic: 'plant-sim', payload: samples.slice(i, i + MAX_BATCH).map(toWireSample), ...(i === 0 && tagMeta ? { tagMeta } : {}) });
        }
      }
    };

    const start = () => {
      if (timer || preparing) return;
      let s: PlantSimulator;
      try {
        s = sim ?? build();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
        node.error(e);
        return;
      }
      const run = () => {
        preparing = null;
        if (closed) return;
        sim = s;
        metaSent = false;
        // Each tick leaves when it is due, as a device sends a reading when it takes it (a
        // fixed-period timer would send samples up to one period after their timestamp);
        // at most every 20 ms (faster rates go as batches), at least once a second.
        const floor = s.tickMs < 20 ? 20 : 1;
        const loop = () => {
          emit();
          if (timer) timer = setTimeout(loop, Math.min(1000, Math.max(floor, s.nextTs - Date.now())));
        };
        timer = setTimeout(loop, Math.min(1000, Math.max(floor, s.nextTs - Date.now())));
        statusTimer = setInterval(() => {
          node.status({ fill: 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} · ${s.tags.length} tags` });
        }, 1000);
        node.status({ fill: 'green', shape: 'dot', text: `running · ${s.tags.length} tags` });
      };
      if (sim) return run();
      preparing = prepare(s).then(run, (e) => {
        preparing = null;
        node.status({ fill: 'red', shape: 'ring', text: String((e as Error).message).slice(0, 120) });
        node.error(e);
      });
    };
    const stop = () => {
      if (timer) clearTimeout(timer);
      if (statusTimer) clearInterval(statusTimer);
      timer = statusTimer = null;
      // counters persist next to a store only: without one there is no history to keep consistent
      if (sim && config.store) {
        try { writeCounters(stateFile, sim.counters()); } catch (e) { node.warn(`could not save the simulator's counters: ${(e as Error).message}`); }
      }
      node.status({ fill: 'grey', shape: 'ring', text: 'stopped' });
    };

    node.on('input', (msg, _send, done) => {
      const cmd = typeof msg.payload === 'string' ? msg.payload.toLowerCase() : '';
      if (cmd === 'start') start();
      else if (cmd === 'stop') stop();
      else if (cmd === 'reset') {
        // a reset replays the seed's story, but counters carry on: they never run backwards
        const counters = sim?.counters();
        stop(); sim = null;
        try { sim = build(); if (counters) sim.resume(counters); sim.restartAt(Date.now()); } catch { sim = null; }
        start();
      } else return done(new Error(`msg.payload: expected "start", "stop" or "reset" (got ${JSON.stringify(msg.payload)})`));
      done();
    });
    node.on('close', (_removed, done) => {
      closed = true;
      const finish = () => { stop(); node.status({}); done(); };
      if (preparing) preparing.then(finish, finish);
      else finish();
    });
    if (config.autostart !== false) start();
  });
}
