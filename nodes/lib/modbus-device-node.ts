// What the modbus-device config node offers the poll and write nodes that point at it.
import type { ModbusConnection } from '../../runtime/devices/modbus';
import type { RedNode } from './red';

export interface ModbusDeviceNode extends RedNode {
  /** the shared connection, created on first use; throws naming the bad field */
  connection(): ModbusConnection;
}
