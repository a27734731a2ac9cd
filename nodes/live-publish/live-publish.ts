// live-publish: puts samples on the live bus (dashboard and WebSocket clients) without
// storing them. Stores publish what they made durable themselves; this node is for
// values that are only watched.
import { servicesOf } from '../lib/services';
import { samplesFromMessage } from '../../runtime/model';
import { formatRate, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

export default function register(RED: RED): void {
  RED.nodes.registerType('live-publish', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let rejected = 0;
    const statusTimer = setInterval(() => {
      node.status({ fill: rejected ? 'yellow' : 'green', shape: 'dot', text: `${formatRate(meter.perSecond())}${rejected ? ` · ${rejected} rejected` : ''}` });
    }, 1000);
    node.on('input', (msg, _send, done) => {
      const { samples, errors } = samplesFromMessage(msg);
      if (samples.length) {
        servicesOf(RED).live.publish(samples);
        meter.add(samples.length);
      }
      if (errors.length) {
        rejected += errors.length;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        return done(new Error(`${errors[0].message}${more}`));
      }
      done();
    });
    node.on('close', (_removed, done) => {
      clearInterval(statusTimer);
      done();
    });
  });
}
