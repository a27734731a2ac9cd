// modbus-device: config node holding one Modbus TCP connection, shared by the poll and
// write nodes that point at it (runtime/devices/modbus/connection.ts; the node itself is the
// shared device config node of nodes/lib/device-config-node.ts).
import { ModbusConnection, validateTarget } from '../../runtime/devices/modbus';
import { registerDeviceConfigNode } from '../lib/device-config-node';
import { numberField, type RED } from '../lib/red';

export default function register(RED: RED): void {
  registerDeviceConfigNode(RED, {
    type: 'modbus-device', prefix: 'modbus',
    target: (config) => validateTarget({
      host: String(config.host ?? ''),
      port: numberField(config, 'port', 502),
      unitId: numberField(config, 'unitId', 1),
      timeoutMs: numberField(config, 'timeout', 1000),
    }),
    connect: (target, backoff) => new ModbusConnection({ ...target, backoff }),
  });
}
