// eip-write: writes msg.payload to one Logix tag of an eip-device with Write Tag
// (runtime/devices/eip/writer.ts).
import { parseEipWriteTarget, writeEipValue, writeRoleError, type EipWriteTarget } from '../../runtime/devices/eip';
import type { NodeDef, RED, RedNode } from '../lib/red';
import type { EipDeviceNode } from '../lib/eip-device-node';

// `type` in a node's config is the node type, so the data type is stored as `dataType`.
function targetConfig(config: NodeDef, address: unknown = config.address): Record<string, unknown> {
  return { address, type: config.dataType, scale: config.scale, offset: config.offset };
}

export default function register(RED: RED): void {
  RED.nodes.registerType('eip-write', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let target: EipWriteTarget | null = null;
    let device: EipDeviceNode | null = null;
    const requireRole = config.requireRole === true;
    let writes = 0;
    try {
      device = RED.nodes.getNode(String(config.device ?? '')) as EipDeviceNode | null;
      if (!device) throw new Error('device: no eip-device configured');
      target = parseEipWriteTarget(targetConfig(config));
      device.connection().start();
      node.status({});
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }

    node.on('input', (msg, send, done) => {
      if (!target || !device) return done(new Error('eip-write is not configured (see the node status)'));
      const denied = writeRoleError(msg.user, requireRole);
      if (denied) return done(new Error(denied));
      let t = target;
      try {
        // msg.address overrides the configured tag name (one node for a block of setpoints).
        if (msg.address !== undefined) t = parseEipWriteTarget(targetConfig(config, msg.address));
      } catch (e) {
        return done(new Error(`msg.address: ${(e as Error).message.replace(/^tags\[0\]\.address: /, '')}`));
      }
      writeEipValue(device.connection(), t, msg.payload).then(
        (r) => {
          writes++;
          node.status({ fill: 'green', shape: 'dot', text: `${writes} written · last ${String(msg.payload)} → ${r.address}` });
          send({ ...msg, eip: r });
          done();
        },
        (e: Error) => {
          node.status({ fill: 'red', shape: 'ring', text: e.message });
          done(e);
        },
      );
    });
    node.on('close', (_removed, done) => {
      node.status({});
      done();
    });
  });
}
