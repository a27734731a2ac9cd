// modbus-write: writes msg.payload to a holding register range or a coil of a
// modbus-device (runtime/devices/modbus/writer.ts; the node is the shared write node of
// nodes/lib/device-write-node.ts).
import { parseWriteTarget, writeValue, type ModbusConnection, type WriteTarget } from '../../runtime/devices/modbus';
import { registerWriteNode } from '../lib/device-write-node';
import type { RED } from '../lib/red';

export default function register(RED: RED): void {
  registerWriteNode<WriteTarget, ModbusConnection, Awaited<ReturnType<typeof writeValue>>>(RED, {
    type: 'modbus-write', deviceType: 'modbus-device', resultKey: 'modbus',
    // `type` in a node's config is the node type, so the data type is stored as `dataType`.
    target: (config, address = config.address) => parseWriteTarget({
      register: config.register, address, type: config.dataType, byteOrder: config.byteOrder, wordOrder: config.wordOrder, scale: config.scale, offset: config.offset,
    }),
    addressErrorPrefix: /^[^:]*: /,
    write: writeValue,
    where: (t, r) => `${t.register} ${r.address}`,
  });
}
