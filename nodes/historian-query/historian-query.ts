// historian-query: msg-driven queries against a store (raw, aggregate, downsample,
// latest, at, aligned); the answer replaces msg.payload.
import { parseQueryRequest, runQuery } from '../../runtime/tsdb';
import type { NodeDef, RED, RedNode } from '../lib/red';
import { storeHandleOf } from '../lib/store-ref';

export default function register(RED: RED): void {
  RED.nodes.registerType('historian-query', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const defaults: Record<string, unknown> = { kind: config.kind || 'raw' };
    for (const k of ['tag', 'from', 'to', 'points', 'bucketMs', 'limit'] as const) {
      if (config[k] !== undefined && config[k] !== '') defaults[k] = config[k];
    }
    // a store the node cannot reach shows on the node in the editor, not only in the debug sidebar
    const problem = (e: unknown) => node.status({ fill: 'red', shape: 'ring', text: (e as Error).message.slice(0, 100) });
    let failing = false;
    try { storeHandleOf(RED, config); } catch (e) { failing = true; problem(e); }
    node.on('input', (msg, send, done) => {
      (async () => {
        const given = msg.payload !== null && typeof msg.payload === 'object' && !Array.isArray(msg.payload) ? msg.payload as Record<string, unknown> : {};
        const request = parseQueryRequest({ ...defaults, ...(typeof msg.topic === 'string' && msg.topic ? { tag: msg.topic } : {}), ...given });
        const store = await storeHandleOf(RED, config).ready;
        msg.payload = await runQuery(store, request);
        if (failing) { failing = false; node.status({}); }
        send(msg);
        done();
      })().catch((e) => { failing = true; problem(e); done(e as Error); });
    });
  });
}
