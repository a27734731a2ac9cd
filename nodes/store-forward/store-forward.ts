// store-forward: puts incoming samples into a durable buffer (runtime/uplink StoreForward)
// that forwards them over NATS JetStream or MQTT, and registers the buffer by name for
// the HTTP API and /metrics. Credentials are Node-RED credentials, never flow JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerBufferMetrics } from '../../runtime/buffer';
import { isDeviceComponent, type DeviceComponent } from '../../runtime/devices';
import { samplesFromMessage } from '../../runtime/model';
import { servicesOf } from '../lib/services';
import { NOT_CONFIGURED, StoreForward, type UplinkConfig } from '../../runtime/uplink';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { settingsUplink, str, uplinkConfig } from '../lib/uplink-config';

const MB = 1 << 20;

/** The distribution's version, from its package.json (dist/nodes/<node>/ or nodes/<node>/ below it). */
function packageVersion(): string {
  for (const up of [['..', '..', '..'], ['..', '..']]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, ...up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'historian' && pkg.version) return pkg.version;
    } catch { /* not there */ }
  }
  return '';
}

export default function register(RED: RED): void {
  RED.nodes.registerType('store-forward', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const svc = servicesOf(RED);
    const name = str(config, 'name') ?? `buffer-${node.id}`;
    let sf: StoreForward | null = null;
    let unregister: (() => void) | null = null;
    let rejected = 0;
    let refusal: string | null = null;
    const kind = config.uplink === 'mqtt' ? 'mqtt' : 'nats';
    let uplink: UplinkConfig | null = null;
    let configError: Error | null = null;
    try {
      uplink = config.connection === 'settings'
        ? settingsUplink(config, RED.settings.historian as Parameters<typeof settingsUplink>[1], name)
        : uplinkConfig(config, node.credentials ?? {}, name);
    } catch (e) {
      configError = e as Error;
      node.status({ fill: 'red', shape: 'ring', text: configError.message });
      node.error(configError);
    }
    if (!uplink) {
      // Inactive by design (a gateway without a central broker): the status says so and
      // samples pass by unbuffered, without an error per message.
      if (config.connection === 'settings') node.status({ fill: 'grey', shape: 'ring', text: NOT_CONFIGURED[kind] });
      node.on('input', (_msg, _send, done) => done(configError ? new Error(`store-forward is not running: ${configError.message}`) : undefined));
      node.on('close', (_removed, done) => { node.status({}); done(); });
      return;
    }
    try {
      const dataDir = svc.dataDir ?? String(RED.settings.userDir ?? os.tmpdir());
      sf = StoreForward.open({
        dir: path.join(dataDir, 'buffers', name.replace(/[^A-Za-z0-9_-]/g, '_')),
        source: str(config, 'source') ?? os.hostname().replace(/[^A-Za-z0-9_-]/g, '_'),
        uplink,
        template: str(config, 'template') ?? (config.uplink === 'mqtt' ? 'hist/{source}/{tag:4}' : 'hist.{tag}'),
        batchSize: numberField(config, 'batchSize', 1000),
        lingerMs: numberField(config, 'lingerMs', 100),
        queue: {
          ramLimitBytes: numberField(config, 'ramLimitMb', 64) * MB,
          diskLimitBytes: numberField(config, 'diskLimitMb', 1024) * MB,
          journal: config.journal === 'always' ? 'always' : 'spill',
          policy: config.policy === 'drop-oldest' ? 'drop-oldest' : 'block',
          fsync: config.fsync === 'always' || config.fsync === 'never' ? config.fsync : 'interval',
          logger: { info: (m) => node.log(m), warn: (m) => node.warn(m), error: (m) => node.error(m) },
        },
        // gateway health on sys.gateway.<source>.health (NATS only), when the node names its site
        heartbeat: kind === 'nats' && str(config, 'site') && numberField(config, 'heartbeatS', 10) > 0 ? {
          site: str(config, 'site')!, intervalMs: numberField(config, 'heartbeatS', 10) * 1000, version: packageVersion(), dataDir,
          devices: () => svc.components.devices.entries().filter(([, d]) => isDeviceComponent(d)).map(([n, d]) => {
            const h = (d as DeviceComponent).health();
            return { name: n, connected: h.connected, detail: h.lastError ?? h.state };
          }),
        } : undefined,
        onEvent: (e) => {
          if (e.type === 'dropped') node.warn(`disk limit reached: dropped ${e.samples} oldest samples (${e.totalDropped} in all)`);
          else if (e.type === 'disk-full') node.warn(`disk limit of ${Math.round(e.limit / MB)} MB reached; policy ${e.policy}`);
          else if (e.type === 'quarantined' && /permissions violation/i.test(e.reason)) {
            // the broker refused this gateway the subject: a configuration error, shown in red
            refusal = e.reason;
            node.error(`envelope ${e.id} quarantined: ${e.reason}`);
          } else if (e.type === 'quarantined') node.warn(`envelope ${e.id} quarantined: ${e.reason}`);
          else if (e.type === 'recovered') node.log(`recovered ${e.samples} buffered samples`);
        },
      });
      unregister = svc.components.buffers.register(name, sf);
      registerBufferMetrics(svc.metrics, () => svc.components.buffers.entries());
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
      void sf?.close();
      sf = null;
    }

    const statusTimer = setInterval(() => {
      if (!sf) return;
      const s = sf.status();
      const age = Math.round(s.oldestAgeMs / 1000);
      if (refusal) node.status({ fill: 'red', shape: 'dot', text: `refused by NATS: ${/"([^"]+)"/.exec(refusal)?.[1] ?? refusal} · ${s.quarantined} quarantined` });
      else if (s.paused) node.status({ fill: 'grey', shape: 'ring', text: `paused · buffering ${s.pendingSamples}` });
      else if (!s.connected) node.status({ fill: 'yellow', shape: 'ring', text: `buffering ${s.pendingSamples} · oldest ${age}s` });
      else if (s.pendingSamples > 0 && age > 2) node.status({ fill: 'yellow', shape: 'dot', text: `connected · draining ${s.pendingSamples} · oldest ${age}s` });
      else node.status({ fill: 'green', shape: 'dot', text: `connected · ${formatRate(s.sentPerSecond)}${rejected ? ` · ${rejected} rejected` : ''}` });
    }, 1000);

    node.on('input', (msg, _send, done) => {
      if (!sf) return done(new Error('store-forward is not running; see its configuration error'));
      const { samples, errors } = samplesFromMessage(msg);
      const report = () => {
        if (!errors.length) return done();
        rejected += errors.length;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        done(new Error(`${errors[0].message}${more}`));
      };
      // with the block policy the write waits while the disk is full: the flow feels backpressure
      if (samples.length) sf.write(samples).then(report, (e: Error) => done(e));
      else report();
    });
    node.on('close', (_removed, done) => {
      clearInterval(statusTimer);
      unregister?.();
      const closing = sf?.close() ?? Promise.resolve();
      closing.catch((e) => node.error(`closing buffer "${name}": ${(e as Error).message}`)).finally(() => { node.status({}); done(); });
    });
  }, {
    credentials: { user: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' }, nkeySeed: { type: 'password' }, credsFile: { type: 'text' } },
  });
}
