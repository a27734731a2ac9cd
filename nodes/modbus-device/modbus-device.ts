// modbus-device: config node holding one Modbus TCP connection, shared by the poll and
// write nodes that point at it (runtime/devices/modbus/connection.ts).
import { ModbusConnection, validateTarget } from '../../runtime/devices/modbus';
import { servicesOf } from '../lib/services';
import type { ModbusDeviceNode } from '../lib/modbus-device-node';
import { numberField, type NodeDef, type RED, type RedNode } from '../lib/red';


export default function register(RED: RED): void {
  RED.nodes.registerType('modbus-device', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this as ModbusDeviceNode;
    let conn: ModbusConnection | null = null;
    let unregister: (() => void) | null = null;
    node.connection = () => {
      if (conn) return conn;
      const target = validateTarget({
        host: String(config.host ?? ''),
        port: numberField(config, 'port', 502),
        unitId: numberField(config, 'unitId', 1),
        timeoutMs: numberField(config, 'timeout', 1000),
      });
      conn = new ModbusConnection({
        ...target,
        backoff: { initialMs: numberField(config, 'backoffInitial', 500), maxMs: numberField(config, 'backoffMax', 30_000) },
      });
      conn.setMaxListeners(0);
      // The system health page and the device-down system alarm find it here.
      const devices = servicesOf(RED).components.devices;
      const name = typeof config.name === 'string' && config.name.trim() && !devices.get(config.name.trim()) ? config.name.trim() : `modbus-${node.id}`;
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
