// opcua-to-samples: converts node-red-contrib-opcua OpcUa-Client output (data and client
// status messages) into samples (runtime/devices/opcua/converter.ts).
import { OpcuaMessageConverter, type NodeMapping } from '../../runtime/devices/opcua';
import { toWireSample } from '../../runtime/model';
import type { NodeDef, RED, RedNode } from '../lib/red';

export default function register(RED: RED): void {
  RED.nodes.registerType('opcua-to-samples', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let conv: OpcuaMessageConverter | null = null;
    let count = 0;
    try {
      conv = new OpcuaMessageConverter(typeof config.prefix === 'string' ? config.prefix.trim() : '', (Array.isArray(config.mappings) ? config.mappings : []) as NodeMapping[]);
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }
    node.on('input', (msg, send, done) => {
      if (!conv) return done(new Error('opcua-to-samples is not configured (see the node status)'));
      let res;
      try {
        res = conv.convert(msg as never);
      } catch (e) {
        return done(e as Error);
      }
      if (res.status) node.status({ fill: res.samples.length || /disconn|error|closed|terminated/.test(res.status) ? 'red' : 'green', shape: 'dot', text: res.status });
      if (res.samples.length) {
        count += res.samples.length;
        if (!res.status) node.status({ fill: 'green', shape: 'dot', text: `${count} samples` });
        if (res.samples.length === 1 && !res.status) {
          const w = toWireSample(res.samples[0]);
          send({ topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality });
        } else send({ topic: 'opcua', payload: res.samples.map(toWireSample) });
      }
      done();
    });
    node.on('close', (_r, done) => { node.status({}); done(); });
  });
}
