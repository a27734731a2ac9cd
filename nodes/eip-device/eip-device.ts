// eip-device: config node holding one EtherNet/IP connection to a Logix controller, shared
// by the eip-poll and eip-write nodes that point at it (runtime/devices/eip/connection.ts;
// the node itself is the shared device config node of nodes/lib/device-config-node.ts).
import { EipConnection, validateEipTarget } from '../../runtime/devices/eip';
import { registerDeviceConfigNode } from '../lib/device-config-node';
import { numberField, type RED } from '../lib/red';

export default function register(RED: RED): void {
  registerDeviceConfigNode(RED, {
    type: 'eip-device', prefix: 'eip',
    target: (config) => validateEipTarget({
      host: String(config.host ?? ''),
      port: numberField(config, 'port', 44818),
      slot: numberField(config, 'slot', 0),
      timeoutMs: numberField(config, 'timeout', 2000),
      maxPacket: numberField(config, 'maxPacket', 504),
    }),
    connect: (target, backoff) => new EipConnection({ ...target, backoff }),
  });
}
