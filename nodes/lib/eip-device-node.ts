// What the eip-device config node offers the eip-poll and eip-write nodes that point at it.
import type { EipConnection } from '../../runtime/devices/eip';
import type { RedNode } from './red';

export interface EipDeviceNode extends RedNode {
  /** the shared connection, created on first use; throws naming the bad field */
  connection(): EipConnection;
}
