// frame-capture: passes a set of tags on (to historian-write) only while a trigger is
// active — a condition over tags, or an event frame reported open by an event-frame node —
// together with the history of the `pre` seconds before the trigger from a ring buffer.
import { samplesFromMessage, toWireSample, type Sample } from '../../runtime/model';
import { TriggeredCapture } from '../../runtime/frames';
import { parseAliases } from '../lib/calc-config';
import { numberField, type NodeDef, type RED, type RedNode } from '../lib/red';

interface FrameMessage { event?: unknown; payload?: { template?: unknown; start?: unknown; end?: unknown } }

export default function register(RED: RED): void {
  RED.nodes.registerType('frame-capture', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let capture: TriggeredCapture;
    let stored = 0;
    const template = typeof config.template === 'string' ? config.template.trim() : '';
    try {
      const tags = String(config.tags ?? '').split(/[,\s]+/).filter(Boolean);
      const condition = typeof config.condition === 'string' && config.condition.trim() ? config.condition : undefined;
      capture = new TriggeredCapture({
        tags, condition, aliases: parseAliases(config.aliases),
        preMs: numberField(config, 'preS', 60) * 1000, postMs: numberField(config, 'postS', 0) * 1000,
      });
    } catch (e) {
      const text = (e as Error).message;
      node.status({ fill: 'red', shape: 'ring', text: text.slice(0, 160) });
      node.error(text);
      node.on('input', (_m, _s, done) => done(new Error(`frame-capture not configured: ${text}`)));
      return;
    }
    const status = () => node.status({ fill: capture.active ? 'blue' : 'grey', shape: capture.active ? 'dot' : 'ring', text: `${capture.active ? 'capturing' : 'armed'} · ${stored} stored` });
    const emit = (out: Sample[], send: (m: object) => void) => {
      if (!out.length) return;
      stored += out.length;
      out.sort((a, b) => a.ts - b.ts);
      send({ topic: 'frame-capture', payload: out.map(toWireSample) });
    };
    status();
    const timer = setInterval(() => { try { emit(capture.tick(Date.now()), (m) => node.send(m as never)); status(); } catch (e) { node.error(e); } }, 1000);

    node.on('input', (msg, send, done) => {
      try {
        const fm = msg as FrameMessage;
        // an event-frame node's open/close message switches the capture
        if ((fm.event === 'open' || fm.event === 'close') && fm.payload && typeof fm.payload === 'object' && 'template' in fm.payload) {
          if (!template || fm.payload.template === template) {
            if (fm.event === 'open') emit(capture.start(Number(fm.payload.start)), send as never);
            else capture.stop(Number(fm.payload.end));
          }
          status();
          return done();
        }
        const { samples, errors } = samplesFromMessage(msg);
        emit(capture.ingest(samples), send as never);
        status();
        if (errors.length) return done(new Error(`${errors[0].message}; ${samples.length} valid sample(s) applied`));
        done();
      } catch (e) {
        done(e as Error);
      }
    });
    node.on('close', (_r, done) => { clearInterval(timer); node.status({}); done(); });
  });
}
