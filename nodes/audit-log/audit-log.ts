// audit-log: appends a flow's own critical event to the Part 11 audit trail. The trail is
// process-level (it exists whatever the flows are); the node only adapts messages.
import { auditTrailOf } from '../lib/services';
import { flowEventEntry } from '../../runtime/audit';
import type { NodeDef, RED, RedNode } from '../lib/red';

export default function register(RED: RED): void {
  RED.nodes.registerType('audit-log', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const str = (k: string) => (typeof config[k] === 'string' && config[k] !== '' ? (config[k] as string) : undefined);
    const defaults = { action: str('action'), target: str('target'), reason: str('reason') };
    const source = { nodeId: config.id, nodeName: config.name, flowId: typeof config.z === 'string' ? config.z : undefined };
    let count = 0;
    node.status(auditTrailOf(RED) ? { fill: 'grey', shape: 'ring', text: 'ready' } : { fill: 'red', shape: 'ring', text: 'no audit trail' });
    node.on('input', (msg, send, done) => {
      const trail = auditTrailOf(RED);
      if (!trail) {
        node.status({ fill: 'red', shape: 'ring', text: 'no audit trail' });
        return done(new Error('the audit trail is not available (the server has not opened it)'));
      }
      try {
        const entry = trail.append(flowEventEntry(msg.payload, source, defaults));
        count++;
        node.status({ fill: 'green', shape: 'dot', text: `${count} recorded · #${entry.seq}` });
        msg.audit = { seq: entry.seq, hash: entry.hash, time: entry.time, action: entry.action };
        send(msg);
        done();
      } catch (e) {
        node.status({ fill: 'red', shape: 'dot', text: 'refused' });
        done(e instanceof Error ? e : new Error(String(e)));
      }
    });
    node.on('close', (_removed, done) => done());
  });
}
