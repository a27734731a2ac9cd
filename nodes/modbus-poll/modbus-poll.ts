// modbus-poll: polls a tag table from a modbus-device in poll groups and emits samples
// (runtime/devices/modbus/poller.ts does the work).
import { ModbusPoller, parseGroups, parseTagTable, tagTableFromCsv, tagTableToCsv, type ModbusTag } from '../../runtime/devices/modbus';
import { toWireSample, type Sample } from '../../runtime/model';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';
import type { ModbusDeviceNode } from '../lib/modbus-device-node';

function rows(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
}

export default function register(RED: RED): void {
  RED.nodes.registerType('modbus-poll', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let poller: ModbusPoller | null = null;
    let tags: ModbusTag[] = [];
    let statusTimer: NodeJS.Timeout | null = null;
    const single = config.output === 'single';
    const topic = typeof config.topic === 'string' && config.topic ? config.topic : 'modbus';

    const emit = (samples: Sample[]) => {
      meter.add(samples.length);
      if (single) for (const s of samples) { const w = toWireSample(s); node.send({ topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality }); }
      else node.send({ topic, payload: samples.map(toWireSample) });
    };

    try {
      const device = RED.nodes.getNode(String(config.device ?? '')) as ModbusDeviceNode | null;
      if (!device) throw new Error('device: no modbus-device configured');
      const groups = parseGroups(rows(config.groups, 'groups'));
      const rawTags = typeof config.csv === 'string' && config.csv.trim() ? tagTableFromCsv(config.csv) : rows(config.tags, 'tags');
      tags = parseTagTable(rawTags, groups);
      const conn = device.connection();
      poller = new ModbusPoller({ connection: conn, groups, tags, emit, maxGap: numberField(config, 'maxGap', 0), warn: (m) => node.warn(m) });
      poller.start();
      const show = () => {
        const st = conn.state;
        const text = st === 'connected' ? `${formatRate(meter.perSecond())} · ${tags.length} tags` : `${st}${conn.lastError ? `: ${conn.lastError.message}` : ''}`;
        node.status({ fill: st === 'connected' ? 'green' : st === 'connecting' ? 'yellow' : 'red', shape: st === 'connected' ? 'dot' : 'ring', text });
      };
      show();
      statusTimer = setInterval(show, 1000);
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }

    node.on('input', (msg, send, done) => {
      const cmd = typeof msg.payload === 'string' ? msg.payload.toLowerCase() : '';
      if (cmd === 'csv') send({ ...msg, payload: tagTableToCsv(tags) });
      else if (cmd === 'stats') send({ ...msg, payload: { stats: poller?.stats().map((s) => ({ ...s, lateness: undefined })), plans: poller?.plans().map((p) => ({ group: p.group, reads: p.reads.map((r) => ({ register: r.register, address: r.address, count: r.count, tags: r.items.length })) })) } });
      else return done(new Error(`msg.payload: expected "csv" or "stats" (got ${JSON.stringify(msg.payload)})`));
      done();
    });
    node.on('close', (_removed, done) => {
      poller?.stop();
      poller = null;
      if (statusTimer) clearInterval(statusTimer);
      node.status({});
      done();
    });
  });
}
