// opcua-subscribe: our own thin OPC UA subscription node on node-opcua
// (runtime/devices/opcua/subscriber.ts): node ids → tag paths, samples with source
// timestamps and StatusCode quality, reconnects, and browse for the editor's tag picker.
import path from 'node:path';
import { browseEndpoint, OpcuaSubscriber, validateItems } from '../../runtime/devices';
import { DeviceHealthTracker } from '../../runtime/devices';
import { toWireSample, type Sample } from '../../runtime/model';
import { services } from '../../runtime/registry';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

type Handler = (req: { query: Record<string, unknown> }, res: { json(v: unknown): void; status(n: number): { json(v: unknown): void } }) => void;

function pkiDir(): string | undefined {
  const d = services().dataDir;
  return d ? path.join(d, 'opcua-pki') : undefined;
}

export default function register(RED: RED): void {
  // Browse for the editor: only users who may read this node type in the editor reach it.
  const auth = (RED as unknown as { auth?: { needsPermission(p: string): unknown } }).auth;
  if (RED.httpAdmin && auth) {
    const browse: Handler = (req, res) => {
      const endpoint = String(req.query.endpoint ?? '');
      browseEndpoint(endpoint, { pkiDir: pkiDir(), root: req.query.root ? String(req.query.root) : undefined }).then(
        (vars) => res.json(vars),
        (e: Error) => res.status(/^endpoint:/.test(e.message) ? 400 : 502).json({ error: e.message }),
      );
    };
    RED.httpAdmin.get('/historian/opcua/browse', auth.needsPermission('opcua-subscribe.read'), browse);
  }

  RED.nodes.registerType('opcua-subscribe', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    const single = config.output === 'single';
    let sub: OpcuaSubscriber | null = null;
    let state = 'connecting';
    // The system health page and the device-down system alarm read it from the registry.
    const endpoint = String(config.endpoint ?? '').trim();
    const health = new DeviceHealthTracker('opcua', endpoint);
    const devices = services().components.devices;
    const devName = typeof config.name === 'string' && config.name.trim() && !devices.get(config.name.trim()) ? config.name.trim() : `opcua-${node.id}`;
    const unregister = devices.register(devName, health);
    const emit = (samples: Sample[]) => {
      health.good(samples.length);
      meter.add(samples.length);
      if (single) for (const s of samples) { const w = toWireSample(s); node.send([{ topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality }, null]); }
      else node.send([{ topic: 'opcua', payload: samples.map(toWireSample) }, null]);
    };
    try {
      const sampling = numberField(config, 'samplingInterval', 1000);
      if (sampling < 10 || sampling > 3_600_000) throw new Error(`samplingInterval: must be 10 … 3,600,000 ms (got ${sampling})`);
      sub = new OpcuaSubscriber({
        endpoint,
        items: validateItems(config.items ?? []),
        samplingInterval: sampling,
        reconnectInitialMs: numberField(config, 'reconnectInitial', 500),
        reconnectMaxMs: numberField(config, 'reconnectMax', 10_000),
        pkiDir: pkiDir(),
        emit,
        onState: (s, detail) => {
          state = s;
          health.state(s, detail);
          node.status({ fill: s === 'connected' ? 'green' : s === 'closed' ? 'grey' : s === 'connecting' ? 'yellow' : 'red', shape: 'dot', text: detail ? `${s}: ${detail}` : s });
        },
      });
      sub.start().catch((e: Error) => {
        health.state('disconnected', e.message);
        node.status({ fill: 'red', shape: 'ring', text: e.message });
        node.error(e);
      });
    } catch (e) {
      health.state('misconfigured', (e as Error).message);
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }
    const statusTimer = setInterval(() => {
      if (state === 'connected') node.status({ fill: 'green', shape: 'dot', text: `${formatRate(meter.perSecond())} · ${Array.isArray(config.items) ? config.items.length : 0} items` });
    }, 1000);

    node.on('input', (msg, send, done) => {
      if (msg.payload !== 'browse') return done(new Error(`msg.payload: expected "browse" (got ${JSON.stringify(msg.payload)})`));
      if (!sub) return done(new Error('opcua-subscribe is not configured (see the node status)'));
      sub.browse(typeof msg.topic === 'string' && msg.topic ? msg.topic : undefined).then(
        (vars) => { send([null, { ...msg, payload: vars }]); done(); },
        (e: Error) => done(e),
      );
    });
    node.on('close', (_r, done) => {
      clearInterval(statusTimer);
      unregister();
      const s = sub;
      sub = null;
      if (!s) return done();
      s.close().then(() => done(), () => done());
    });
  });
}
