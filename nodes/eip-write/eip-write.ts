// eip-write: writes msg.payload to one Logix tag of an eip-device with Write Tag
// (runtime/devices/eip/writer.ts; the node is the shared write node of
// nodes/lib/device-write-node.ts).
import { parseEipWriteTarget, writeEipValue, type EipConnection, type EipWriteTarget } from '../../runtime/devices/eip';
import { registerWriteNode } from '../lib/device-write-node';
import type { RED } from '../lib/red';

export default function register(RED: RED): void {
  registerWriteNode<EipWriteTarget, EipConnection, Awaited<ReturnType<typeof writeEipValue>>>(RED, {
    type: 'eip-write', deviceType: 'eip-device', resultKey: 'eip',
    // `type` in a node's config is the node type, so the data type is stored as `dataType`.
    target: (config, address = config.address) => parseEipWriteTarget({ address, type: config.dataType, scale: config.scale, offset: config.offset }),
    addressErrorPrefix: /^tags\[0\]\.address: /,
    write: writeEipValue,
    where: (_t, r) => r.address,
  });
}
