// modbus-poll: polls a tag table from a modbus-device in poll groups and emits samples
// (runtime/devices/modbus/poller.ts does the work; the node is the shared poll node of
// nodes/lib/device-poll-node.ts).
import { ModbusPoller, parseTagTable, tagTableFromCsv, tagTableToCsv, type ModbusConnection, type ModbusTag } from '../../runtime/devices/modbus';
import { registerPollNode } from '../lib/device-poll-node';
import { numberField, type RED } from '../lib/red';

export default function register(RED: RED): void {
  registerPollNode<ModbusTag, ModbusConnection, ModbusPoller>(RED, {
    type: 'modbus-poll', deviceType: 'modbus-device', topic: 'modbus',
    fromCsv: tagTableFromCsv, parseTable: parseTagTable, toCsv: tagTableToCsv,
    poller: (o, config) => new ModbusPoller({ ...o, maxGap: numberField(config, 'maxGap', 0) }),
    stats: (poller) => ({
      stats: poller?.stats().map((s) => ({ ...s, lateness: undefined })),
      plans: poller?.plans().map((p) => ({ group: p.group, reads: p.reads.map((r) => ({ register: r.register, address: r.address, count: r.count, tags: r.items.length })) })),
    }),
  });
}
