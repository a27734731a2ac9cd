// calc-tag: calculated tags on a runtime/calc CalcGraph. Samples in update the latest
// inputs; the calc tags they trigger (and those reading them, in dependency order) leave
// as one batch of wire samples, ready for historian-write. Units and descriptions go to
// the tag registry of the optional store, whose latest values also seed the inputs.
import { CalcConfigError, CalcGraph } from '../../runtime/calc';
import { samplesFromMessage, toWireSample, type Sample } from '../../runtime/model';
import type { TsdbStore } from '../../runtime/tsdb';
import { z } from 'zod';
import { defineRoute, HttpError } from '../../runtime/http';
import { mountAdminRoute } from '../lib/admin-route';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { findStore } from '../lib/store-ref';
import { RateMeter } from '../lib/rate-meter';
import { parseCalcRows } from '../lib/calc-config';
import { previewExpression } from './preview';

const previewQuery = z.object({
  expression: z.string().optional(),
  aliases: z.string().optional(),
  staleAfterMs: z.string().optional(),
  /** a historian-store config node id or a registered store name; default: the only store */
  store: z.string().optional(),
});

function previewRoute(RED: RED) {
  return defineRoute({
    method: 'get', path: '/calc-tag/preview', group: 'editor', permission: 'calc-tag.read', query: previewQuery,
    summary: 'Evaluates a calc expression once against the latest stored inputs (the edit dialog\'s live preview)',
    handler: async ({ query }) => {
      const handle = findStore(RED, query.store, { orDefault: true });
      const store = handle ? await handle.ready : null;
      try {
        return await previewExpression(store, handle?.name ?? null, { expression: query.expression, aliases: query.aliases, staleAfterMs: query.staleAfterMs });
      } catch (e) {
        const message = String((e as Error)?.message ?? e);
        throw new HttpError(500, 'internal', message, { ok: false, reason: 'internal', pos: null });
      }
    },
  });
}

export default function register(RED: RED): void {
  // Node-RED's own permission check (editor roles: `read` covers calc-tag.read); the
  // distribution maps its roles onto the editor's through adminAuth.
  mountAdminRoute(RED, previewRoute(RED));
  RED.nodes.registerType('calc-tag', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let graph: CalcGraph;
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    let invalid = 0;

    try {
      const { defs, meta } = parseCalcRows(config.calcs);
      const staleS = numberField(config, 'staleAfterS', 0);
      graph = new CalcGraph(defs, { staleAfterMs: staleS > 0 ? staleS * 1000 : undefined });
      const handle = config.store ? findStore(RED, config.store) : null;
      if (config.store && !handle) throw new Error('store: the historian store is not deployed; deploy it or clear the field');
      if (handle) {
        handle.ready.then(async (store: TsdbStore) => {
          if (closed) return;
          for (const m of meta) {
            const patch: Record<string, string> = {};
            if (m.unit !== undefined) patch.unit = m.unit;
            if (m.description !== undefined) patch.description = m.description;
            if (Object.keys(patch).length) store.tags.update(m.output, patch);
          }
          // last stored values stand in until live samples arrive (nothing is emitted)
          const latest = await store.latest(graph.inputs);
          graph.seed(latest.map((l) => ({ tag: l.tag, ts: l.ts, value: l.value, quality: l.quality })));
        }).catch((e) => node.error(`store: ${(e as Error).message}`));
      }
    } catch (e) {
      const text = e instanceof CalcConfigError || e instanceof Error ? e.message : String(e);
      node.status({ fill: 'red', shape: 'ring', text: text.slice(0, 160) });
      node.error(text);
      node.on('input', (_m, _s, done) => done(new Error(`calc-tag not configured: ${text}`)));
      return;
    }

    const emit = (out: Sample[]) => {
      if (!out.length) return;
      meter.add(out.length);
      node.send({ topic: 'calc-tag', payload: out.map(toWireSample) });
    };

    const schedule = () => {
      const due = graph.nextDue();
      if (due === null || closed) return;
      timer = setTimeout(() => {
        timer = null;
        // evaluate at the due time so periodic values fall on the period grid; after a
        // long stall (suspend) skip the missed periods instead of replaying them
        const now = Date.now();
        try {
          emit(graph.tick(now - due < 1000 ? due : now));
        } catch (e) {
          node.error(e);
        }
        schedule();
      }, Math.max(0, due - Date.now()));
    };
    schedule();

    const statusTimer = setInterval(() => {
      const n = graph.outputs.length;
      node.status({ fill: invalid ? 'yellow' : 'green', shape: 'dot', text: `${n} calc tag${n === 1 ? '' : 's'} · ${formatRate(meter.perSecond())}${invalid ? ` · ${invalid} invalid` : ''}` });
    }, 1000);
    node.status({ fill: 'green', shape: 'ring', text: `${graph.outputs.length} calc tag${graph.outputs.length === 1 ? '' : 's'}` });

    node.on('input', (msg, send, done) => {
      const { samples, errors } = samplesFromMessage(msg);
      try {
        const out = samples.length === 1 ? graph.ingest(samples[0]) : graph.ingestBatch(samples);
        if (out.length) {
          meter.add(out.length);
          send({ topic: 'calc-tag', payload: out.map(toWireSample) });
        }
      } catch (e) {
        return done(e as Error);
      }
      if (errors.length) {
        invalid += errors.length;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        return done(new Error(`${errors[0].message}${more}; ${samples.length} valid sample(s) applied`));
      }
      done();
    });

    node.on('close', (_removed, done) => {
      closed = true;
      if (timer) clearTimeout(timer);
      clearInterval(statusTimer);
      node.status({});
      done();
    });
  });
}
