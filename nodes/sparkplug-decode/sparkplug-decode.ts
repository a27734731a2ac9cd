// sparkplug-decode: turns Sparkplug B messages from an mqtt in node into samples
// (runtime/devices/sparkplug/decoder.ts keeps the BIRTH/alias/seq state).
import { SparkplugDecoder } from '../../runtime/devices/sparkplug';
import { toWireSample } from '../../runtime/model';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

export default function register(RED: RED): void {
  RED.nodes.registerType('sparkplug-decode', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    const single = config.output === 'single';
    let decoder: SparkplugDecoder | null = null;
    try {
      decoder = new SparkplugDecoder({
        prefix: typeof config.prefix === 'string' ? config.prefix.trim() : '',
        rebirthIntervalMs: numberField(config, 'rebirthInterval', 5) * 1000,
        includeControl: config.includeControl === true,
      });
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }
    const statusTimer = setInterval(() => {
      if (!decoder) return;
      const s = decoder.stats;
      node.status({ fill: 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} · ${s.messages} msgs · ${s.rebirths} rebirths · ${s.seqErrors} seq errors` });
    }, 1000);

    node.on('input', (msg, send, done) => {
      if (!decoder) return done(new Error('sparkplug-decode is not configured (see the node status)'));
      let res;
      try {
        res = decoder.handle(msg.topic, msg.payload);
      } catch (e) {
        return done(e as Error);
      }
      for (const w of res.warnings) node.warn(w);
      meter.add(res.samples.length);
      const rebirth = res.rebirth ? { topic: res.rebirth.topic, payload: res.rebirth.payload, qos: 0, retain: false, reason: res.rebirth.reason } : null;
      if (res.samples.length === 0) {
        if (rebirth) send([null, rebirth]);
        return done();
      }
      if (single) {
        const msgs = res.samples.map((s) => { const w = toWireSample(s); return { topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality }; });
        send([msgs, rebirth] as never);
      } else {
        send([{ topic: msg.topic, payload: res.samples.map(toWireSample) }, rebirth]);
      }
      done();
    });
    node.on('close', (_removed, done) => {
      clearInterval(statusTimer);
      node.status({});
      done();
    });
  });
}
