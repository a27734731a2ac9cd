// eip-device: config node holding one EtherNet/IP connection to a Logix controller, shared
// by the eip-poll and eip-write nodes that point at it (runtime/devices/eip/connection.ts).
import { EipConnection, validateEipTarget } from '../../runtime/devices/eip';
import { services } from '../../runtime/registry';
import { numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import type { EipDeviceNode } from '../lib/eip-device-node';


export default function register(RED: RED): void {
  RED.nodes.registerType('eip-device', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this as EipDeviceNode;
    let conn: EipConnection | null = null;
    let unregister: (() => void) | null = null;
    node.connection = () => {
      if (conn) return conn;
      const target = validateEipTarget({
        host: String(config.host ?? ''),
        port: numberField(config, 'port', 44818),
        slot: numberField(config, 'slot', 0),
        timeoutMs: numberField(config, 'timeout', 2000),
        maxPacket: numberField(config, 'maxPacket', 504),
      });
      conn = new EipConnection({
        ...target,
        backoff: { initialMs: numberField(config, 'backoffInitial', 500), maxMs: numberField(config, 'backoffMax', 30_000) },
      });
      conn.setMaxListeners(0);
      // The system health page and the device-down system alarm find it here.
      const devices = services().components.devices;
      const name = typeof config.name === 'string' && config.name.trim() && !devices.get(config.name.trim()) ? config.name.trim() : `eip-${node.id}`;
      unregister = devices.register(name, conn);
      return conn;
    };
    node.on('close', (_removed, done) => {
      const c = conn;
      conn = null;
      unregister?.();
      unregister = null;
      if (!c) return done();
      c.close().then(() => done(), () => done());
    });
  });
}
