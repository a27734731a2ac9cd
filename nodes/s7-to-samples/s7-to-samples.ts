// s7-to-samples: converts node-red-contrib-s7 "s7 in" messages and the status of that
// node (through a status node) into samples (runtime/devices/s7/mapping.ts).
import { S7Mapper, variablesFromVartable, type S7Variable } from '../../runtime/devices/s7';
import { toWireSample } from '../../runtime/model';
import type { NodeDef, RED, RedNode } from '../lib/red';

export default function register(RED: RED): void {
  RED.nodes.registerType('s7-to-samples', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let mapper: S7Mapper | null = null;
    let count = 0;
    try {
      const vars: S7Variable[] = variablesFromVartable(config.variables);
      mapper = new S7Mapper(typeof config.prefix === 'string' ? config.prefix.trim() : '', vars);
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }
    node.on('input', (msg, send, done) => {
      if (!mapper) return done(new Error('s7-to-samples is not configured (see the node status)'));
      let res;
      try {
        const st = msg.status as { fill?: unknown; text?: unknown } | undefined;
        res = st && typeof st === 'object' && msg.payload === undefined ? mapper.fromStatus(st) : mapper.fromData(msg);
        if (st && typeof st === 'object' && msg.payload === undefined) node.status({ fill: res.samples.length ? 'red' : 'green', shape: 'dot', text: String(st.text ?? '') });
      } catch (e) {
        return done(e as Error);
      }
      if (res.skipped.length) node.warn(`not numeric, skipped: ${res.skipped.join(', ')}`);
      if (res.samples.length) {
        count += res.samples.length;
        if (!msg.status) node.status({ fill: 'green', shape: 'dot', text: `${count} samples` });
        send({ topic: 's7', payload: res.samples.map(toWireSample) });
      }
      done();
    });
    node.on('close', (_r, done) => { node.status({}); done(); });
  });
}
