// plant-sim: paces the runtime/sim PlantSimulator in real time and emits its samples,
// one message per sample or as batches (ARCHITECTURE.md §2).
import { PlantSimulator } from '../../runtime/sim';
import { toWireSample } from '../../runtime/model';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

/** One-message-per-sample mode above this rate would flood the flow; use batches. */
export const MAX_SINGLE_RATE = 20_000;
/** Samples per batch message at most. */
export const MAX_BATCH = 50_000;

export default function register(RED: RED): void {
  RED.nodes.registerType('plant-sim', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let sim: PlantSimulator | null = null;
    let timer: NodeJS.Timeout | null = null;
    const meter = new RateMeter();
    let statusTimer: NodeJS.Timeout | null = null;

    const mode = config.mode === 'single' ? 'single' : 'batch';
    const build = (): PlantSimulator => {
      const rate = numberField(config, 'rate', 10);
      if (mode === 'single' && rate > MAX_SINGLE_RATE) throw new Error(`rate: one message per sample is limited to ${MAX_SINGLE_RATE}/s; use batch mode for higher rates`);
      return new PlantSimulator({
        seed: numberField(config, 'seed', 1),
        prefix: typeof config.prefix === 'string' && config.prefix ? config.prefix : undefined,
        lines: numberField(config, 'lines', 2),
        pumpsPerLine: numberField(config, 'pumps', 3),
        rate,
        faultRate: numberField(config, 'faultRate', 0.0005),
      });
    };

    const emit = () => {
      if (!sim) return;
      // Cap the catch-up after a stall at two seconds of samples so a blocked event loop
      // does not turn into one huge message.
      const samples = sim.until(Date.now(), Math.max(1, Math.ceil(sim.rate * 2)));
      if (samples.length === 0) return;
      meter.add(samples.length);
      if (mode === 'single') {
        for (const s of samples) node.send({ topic: s.tag, payload: s.value, timestamp: s.ts, quality: toWireSample(s).quality });
      } else {
        for (let i = 0; i < samples.length; i += MAX_BATCH) {
          node.send({ topic: 'plant-sim', payload: samples.slice(i, i + MAX_BATCH).map(toWireSample) });
        }
      }
    };

    const start = () => {
      if (timer) return;
      try {
        sim = sim ?? build();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
        node.error(e);
        return;
      }
      const period = Math.min(1000, Math.max(20, sim.tickMs));
      timer = setInterval(emit, period);
      statusTimer = setInterval(() => {
        node.status({ fill: 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} · ${sim?.tags.length} tags` });
      }, 1000);
      node.status({ fill: 'green', shape: 'dot', text: `running · ${sim.tags.length} tags` });
    };
    const stop = () => {
      if (timer) clearInterval(timer);
      if (statusTimer) clearInterval(statusTimer);
      timer = statusTimer = null;
      node.status({ fill: 'grey', shape: 'ring', text: 'stopped' });
    };

    node.on('input', (msg, _send, done) => {
      const cmd = typeof msg.payload === 'string' ? msg.payload.toLowerCase() : '';
      if (cmd === 'start') start();
      else if (cmd === 'stop') stop();
      else if (cmd === 'reset') { stop(); sim = null; start(); }
      else return done(new Error(`msg.payload: expected "start", "stop" or "reset" (got ${JSON.stringify(msg.payload)})`));
      done();
    });
    node.on('close', (_removed, done) => {
      stop();
      node.status({});
      done();
    });
    if (config.autostart !== false) start();
  });
}

