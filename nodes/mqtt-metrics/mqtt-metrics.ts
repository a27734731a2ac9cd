// mqtt-metrics: converts messages from the built-in MQTT-in node to samples. Topics
// `metrics/{tenant}/{agent}/{metric}` become tags `{tenant}.{agent}.{metric}`; envelopes
// from our MQTT uplink pass through as their samples (with msg.eventId).
import { toWireSample } from '../../runtime/model';
import { convertMqttMessage } from '../../runtime/uplink';
import { formatRate, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

export default function register(RED: RED): void {
  RED.nodes.registerType('mqtt-metrics', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const prefix = typeof config.prefix === 'string' ? config.prefix.replace(/\/+$/, '') : 'metrics';
    const meter = new RateMeter();
    let rejected = 0;
    const statusTimer = setInterval(() => {
      node.status({ fill: rejected ? 'yellow' : 'green', shape: 'dot', text: `${formatRate(meter.perSecond())}${rejected ? ` · ${rejected} rejected` : ''}` });
    }, 1000);
    node.on('input', (msg, send, done) => {
      let out;
      try { out = convertMqttMessage(String(msg.topic ?? ''), msg.payload, Date.now(), prefix); } catch (e) { rejected++; return done(e as Error); }
      if (out.samples.length) {
        meter.add(out.samples.length);
        send({ topic: String(msg.topic ?? ''), payload: out.samples.map(toWireSample), ...(out.eventId ? { eventId: out.eventId, source: out.source } : {}) });
      }
      if (out.errors.length) {
        rejected += out.errors.length;
        const more = out.errors.length > 1 ? ` (and ${out.errors.length - 1} more)` : '';
        return done(new Error(`${out.errors[0].message}${more}`));
      }
      done();
    });
    node.on('close', (_removed, done) => { clearInterval(statusTimer); done(); });
  });
}
