// event-frame: opens and closes event frames (batches, phases, coils, trips) from
// expressions over tags, from a tag's value change, or from messages, through a
// runtime/frames FrameEngine over the process's frame store (<dataDir>/frames.db). Every
// open or close leaves as a message, so a flow can react (capture, notify, audit).
import { samplesFromMessage } from '../../runtime/model';
import { services } from '../../runtime/registry';
import type { StoreHandle } from '../../runtime/tsdb';
import {
  checkReplayRange, FrameEngine, FrameError, frameStoreFor, replayFrames, type FrameCommand, type FrameDefinition, type FrameEvent, type FrameStore, type ReplayResult,
} from '../../runtime/frames';
import type { NodeDef, RED, RedNode, SendFn } from '../lib/red';
import { parseFrameRows } from './config';

export default function register(RED: RED): void {
  RED.nodes.registerType('event-frame', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let engine: FrameEngine;
    let defs: FrameDefinition[];
    let frames: FrameStore;
    let storeHandle: StoreHandle | null = null;
    let replaying: { from: number; to: number } | null = null;
    let replayed: ReplayResult | null = null;
    /** set when the node closes: a replay still running stops at its next turn, writing nothing */
    let stopped = false;
    let opened = 0;
    let closed = 0;
    /** inputs seeded from the store's latest values (null: no store) */
    let seeded: number | null = null;
    /** a tag's unit from the node's store, or else from any deployed store that knows the tag */
    const unitOf = (tag: string): string | undefined => {
      const handles = storeHandle ? [storeHandle] : services().components.stores.entries().map(([, h]) => h);
      for (const h of handles) {
        const unit = h.store?.tags.get(tag)?.unit;
        if (unit) return unit;
      }
      return undefined;
    };
    try {
      const dataDir = services().dataDir ?? (RED.settings.userDir as string | undefined);
      if (!dataDir) throw new Error('no data directory: run inside the Historian distribution');
      defs = parseFrameRows(config.frames);
      frames = frameStoreFor(dataDir);
      engine = new FrameEngine(defs, frames, node.id, unitOf);
      engine.resume();
      // the store's latest values stand in for the inputs until live samples arrive, so an
      // attribute captured right after a deploy or restart has its value
      if (config.store) {
        const handle = (RED.nodes.getNode(String(config.store)) as { handle?: StoreHandle } | null)?.handle;
        if (!handle) throw new Error('store: the historian store is not deployed; deploy it or clear the field');
        storeHandle = handle;
        const inputs = engine.inputs;
        handle.ready.then(async (store) => {
          const latest = await store.latest(inputs);
          engine.seed(latest);
          seeded = latest.length;
          status();
        })
          .catch((e: Error) => node.error(`store: ${e.message}`));
      }
    } catch (e) {
      const text = (e as Error).message;
      node.status({ fill: 'red', shape: 'ring', text: text.slice(0, 160) });
      node.error(text);
      node.on('input', (_m, _s, done) => done(new Error(`event-frame not configured: ${text}`)));
      return;
    }

    const status = () => {
      const open = engine.openCount;
      const history = replaying ? ' · replaying history…' : replayed ? ` · ${replayed.added} from history` : '';
      node.status({ fill: open ? 'blue' : 'green', shape: open ? 'dot' : 'ring', text: `${open} open · ${opened} opened · ${closed} closed${seeded !== null && opened + closed === 0 ? ` · ${seeded} value(s) from the store` : ''}${history}` });
    };
    const report = (events: FrameEvent[], send: SendFn) => {
      for (const ev of events) {
        if (ev.type === 'open') opened++;
        else if (ev.type === 'close') closed++;
        send({ topic: `frame/${ev.type}`, event: ev.type, definition: ev.key, payload: ev.frame as unknown });
      }
      if (events.length) status();
    };
    status();

    // held conditions (`for 30s`) become due without new samples
    const timer = setInterval(() => {
      try { report(engine.tick(Date.now()), (m) => node.send(m)); } catch (e) { node.error(e); }
    }, 1000);

    /** `msg.frame = {action: "replay", from, to}`: the definitions over the store's history (runtime/frames/frame-replay.ts). */
    const replay = async (cmd: Record<string, unknown>, send: SendFn): Promise<void> => {
      if (!storeHandle) throw new FrameError('msg.frame.action', 'replay reads the store\'s history: set the node\'s Store');
      if (replaying) throw new FrameError('msg.frame.action', `a replay of ${new Date(replaying.from).toISOString()} .. ${new Date(replaying.to).toISOString()} is still running`);
      const range = checkReplayRange(cmd.from, cmd.to, Date.now());
      replaying = range;
      status();
      try {
        const store = await storeHandle.ready;
        const t0 = Date.now();
        const r = await replayFrames(defs, node.id, frames, (tag, from, to) => store.raw({ tag, from, to }), range, async () => {
          await new Promise((res) => setImmediate(res));
          if (stopped) throw new ReplayStopped();
        }, unitOf);
        replayed = r;
        node.log(`replayed ${r.samples} stored samples of ${new Date(r.from).toISOString()} .. ${new Date(r.to).toISOString()}: ${r.added} frame(s) added, ${r.existing} already stored, ${r.open} still open at the end (left to the live frames), in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        send({ topic: 'frame/replay', event: 'replay', payload: r });
      } finally {
        replaying = null;
        status();
      }
    };

    node.on('input', (msg, send, done) => {
      const cmd = msg.frame as Record<string, unknown> | undefined;
      if (cmd !== null && typeof cmd === 'object' && cmd.action === 'replay') {
        replay(cmd, send).then(() => done(), (e: Error) => done(e instanceof ReplayStopped ? undefined : e));
        return;
      }
      try {
        if (msg.frame !== undefined) {
          report(engine.command(msg.frame as FrameCommand, msg, Date.now()), send);
          return done();
        }
        const { samples, errors } = samplesFromMessage(msg);
        report(engine.ingest(samples, msg), send);
        if (errors.length) return done(new Error(`${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}; ${samples.length} valid sample(s) applied`));
        done();
      } catch (e) {
        done(e instanceof FrameError ? e : (e as Error));
      }
    });

    node.on('close', (_removed, done) => {
      // open frames stay open in the store: the next deploy or start resumes them
      stopped = true;
      clearInterval(timer);
      node.status({});
      done();
    });
  });
}

/** A replay given up because its node closed (redeploy, shutdown): not an error. */
class ReplayStopped extends Error {}
