// modbus-write: writes msg.payload to a holding register range or a coil of a
// modbus-device (runtime/devices/modbus/writer.ts).
import { parseWriteTarget, writeRoleError, writeValue, type WriteTarget } from '../../runtime/devices/modbus';
import type { NodeDef, RED, RedNode } from '../lib/red';
import type { ModbusDeviceNode } from '../lib/modbus-device-node';

// `type` in a node's config is the node type, so the data type is stored as `dataType`.
function targetConfig(config: NodeDef): Record<string, unknown> {
  return { register: config.register, address: config.address, type: config.dataType, byteOrder: config.byteOrder, wordOrder: config.wordOrder, scale: config.scale, offset: config.offset };
}

export default function register(RED: RED): void {
  RED.nodes.registerType('modbus-write', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let target: WriteTarget | null = null;
    let device: ModbusDeviceNode | null = null;
    const requireRole = config.requireRole === true;
    let writes = 0;
    try {
      device = RED.nodes.getNode(String(config.device ?? '')) as ModbusDeviceNode | null;
      if (!device) throw new Error('device: no modbus-device configured');
      target = parseWriteTarget(targetConfig(config));
      device.connection().start();
      node.status({});
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }

    node.on('input', (msg, send, done) => {
      if (!target || !device) return done(new Error('modbus-write is not configured (see the node status)'));
      const denied = writeRoleError(msg.user, requireRole);
      if (denied) return done(new Error(denied));
      let t = target;
      try {
        // msg.address overrides the configured address (e.g. one node for a block of setpoints).
        if (msg.address !== undefined) t = parseWriteTarget({ ...targetConfig(config), address: msg.address });
      } catch (e) {
        return done(new Error(`msg.address: ${(e as Error).message.replace(/^[^:]*: /, '')}`));
      }
      writeValue(device.connection(), t, msg.payload).then(
        (r) => {
          writes++;
          node.status({ fill: 'green', shape: 'dot', text: `${writes} written · last ${String(msg.payload)} → ${t.register} ${r.address}` });
          send({ ...msg, modbus: r });
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
