// egd-consume: consumes one EGD exchange over UDP and emits its layout as samples
// (runtime/devices/egd/consumer.ts does the work).
import { EgdConsumer, egdLayoutFromCsv, egdLayoutToCsv, parseEgdLayout, type EgdTag } from '../../runtime/devices/egd';
import { toWireSample, type Sample } from '../../runtime/model';
import { services } from '../../runtime/registry';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

function rows(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error('layout: not valid JSON');
  }
}

export default function register(RED: RED): void {
  RED.nodes.registerType('egd-consume', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    const single = config.output === 'single';
    const topic = typeof config.topic === 'string' && config.topic ? config.topic : 'egd';
    let consumer: EgdConsumer | null = null;
    let tags: EgdTag[] = [];
    let unregister: (() => void) | null = null;
    let statusTimer: NodeJS.Timeout | null = null;
    const emit = (samples: Sample[]) => {
      meter.add(samples.length);
      if (single) for (const s of samples) { const w = toWireSample(s); node.send({ topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality }); }
      else node.send({ topic, payload: samples.map(toWireSample) });
    };
    try {
      tags = parseEgdLayout(typeof config.csv === 'string' && config.csv.trim() ? egdLayoutFromCsv(config.csv) : rows(config.layout ?? []));
      consumer = new EgdConsumer({
        producerId: String(config.producerId ?? ''), exchangeId: numberField(config, 'exchangeId', NaN), periodMs: numberField(config, 'period', NaN),
        timeoutMs: config.timeout === '' || config.timeout === undefined ? undefined : numberField(config, 'timeout', 0),
        configSignature: numberField(config, 'configSignature', 0), port: numberField(config, 'port', 18246),
        bindAddress: typeof config.bindAddress === 'string' && config.bindAddress.trim() ? config.bindAddress.trim() : undefined,
        multicastGroup: typeof config.multicastGroup === 'string' && config.multicastGroup.trim() ? config.multicastGroup.trim() : undefined,
        timestamps: config.timestamps === 'producer' ? 'producer' : 'receive', tags, emit, warn: (m) => node.warn(m),
      });
      const c = consumer;
      const devices = services().components.devices;
      const name = typeof config.name === 'string' && config.name.trim() && !devices.get(config.name.trim()) ? config.name.trim() : `egd-${node.id}`;
      unregister = devices.register(name, c);
      c.start().catch((e: Error) => { node.status({ fill: 'red', shape: 'ring', text: e.message }); node.error(e); });
      const show = () => {
        const st = c.state;
        node.status(st === 'receiving' ? { fill: 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} · ${c.stats.exchanges} productions` }
          : { fill: st === 'waiting' ? 'yellow' : 'red', shape: 'ring', text: st === 'timeout' ? `no production within ${c.exchange.timeoutMs} ms` : 'waiting for the first production' });
      };
      statusTimer = setInterval(show, 1000);
      show();
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }
    node.on('input', (msg, send, done) => {
      const cmd = typeof msg.payload === 'string' ? msg.payload.toLowerCase() : '';
      if (cmd === 'csv') send({ ...msg, payload: egdLayoutToCsv(tags) });
      else if (cmd === 'stats') send({ ...msg, payload: { ...consumer?.stats, health: consumer?.health() } });
      else return done(new Error(`msg.payload: expected "csv" or "stats" (got ${JSON.stringify(msg.payload)})`));
      done();
    });
    node.on('close', (_removed, done) => {
      if (statusTimer) clearInterval(statusTimer);
      unregister?.();
      const c = consumer;
      consumer = null;
      node.status({});
      if (!c) return done();
      c.close().then(() => done(), () => done());
    });
  });
}
