// eip-poll: polls a Logix tag table from an eip-device in poll groups and emits samples
// (runtime/devices/eip/poller.ts does the work; the node is the shared poll node of
// nodes/lib/device-poll-node.ts).
import { EipPoller, eipTagTableFromCsv, eipTagTableToCsv, parseEipTagTable, type EipConnection, type EipTag } from '../../runtime/devices/eip';
import { registerPollNode } from '../lib/device-poll-node';
import type { RED } from '../lib/red';

export default function register(RED: RED): void {
  registerPollNode<EipTag, EipConnection, EipPoller>(RED, {
    type: 'eip-poll', deviceType: 'eip-device', topic: 'eip',
    fromCsv: eipTagTableFromCsv, parseTable: parseEipTagTable, toCsv: eipTagTableToCsv,
    poller: (o, config) => new EipPoller({ ...o, coalesce: config.coalesce !== false }),
    stats: (poller) => ({ stats: poller?.stats(), plans: poller?.plans() }),
  });
}
