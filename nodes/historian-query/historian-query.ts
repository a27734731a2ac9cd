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
    node.on('input', (msg, send, done) => {
      (async () => {
        const given = msg.payload !== null && typeof msg.payload === 'object' && !Array.isArray(msg.payload) ? msg.payload as Record<string, unknown> : {};
        const request = parseQueryRequest({ ...defaults, ...(typeof msg.topic === 'string' && msg.topic ? { tag: msg.topic } : {}), ...given });
        const store = await storeHandleOf(RED, config).ready;
        msg.payload = await runQuery(store, request);
        send(msg);
        done();
      })().catch((e) => done(e as Error));
    });
  });
}
