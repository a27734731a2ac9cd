// opcua-subscribe: our own thin OPC UA subscription node on node-opcua
// (runtime/devices/opcua/subscriber.ts): node ids → tag paths, samples with source
// timestamps and StatusCode quality, reconnects, and browse for the editor's tag picker.
import path from 'node:path';
import { browseEndpoint, OpcuaSubscriber, validateItems } from '../../runtime/devices/opcua/subscriber';
import { listCertificates, rejectCertificate, trustCertificate } from '../../runtime/devices/opcua/cert-store';
import { processAuditTrail } from '../../runtime/audit/process-trail';
import { validateSecurity, validateUser, type OpcuaSecurity, type OpcuaUser } from '../../runtime/devices/opcua/security';
import { DeviceHealthTracker } from '../../runtime/devices/health';
import { toWireSample, type Sample } from '../../runtime/model';
import { services } from '../../runtime/registry';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { RateMeter } from '../lib/rate-meter';

type Handler = (req: { query: Record<string, unknown>; params: Record<string, string>; user?: { username?: string }; ip?: string }, res: { json(v: unknown): void; status(n: number): { json(v: unknown): void } }) => void;

function pkiDir(): string | undefined {
  const d = services().dataDir;
  return d ? path.join(d, 'opcua-pki') : undefined;
}

/** Security and identity from a node's config and credentials; errors name the field. */
function securityOf(config: NodeDef, credentials: Record<string, string | undefined> | undefined): { security: OpcuaSecurity; user: OpcuaUser } {
  return {
    security: validateSecurity({ mode: config.securityMode || 'None', policy: config.securityPolicy || undefined }),
    user: validateUser({
      kind: config.userAuth || 'anonymous', userName: credentials?.userName, password: credentials?.password,
      certificateFile: config.userCertificate, privateKeyFile: config.userPrivateKey,
    }),
  };
}

export default function register(RED: RED): void {
  // Browse for the editor: only users who may read this node type in the editor reach it.
  const auth = (RED as unknown as { auth?: { needsPermission(p: string): unknown } }).auth;
  if (RED.httpAdmin && auth) {
    const browse: Handler = (req, res) => {
      const endpoint = String(req.query.endpoint ?? '');
      let sec: { security: OpcuaSecurity; user: OpcuaUser };
      try {
        // The editor never receives stored passwords: a deployed node's id stands for its credentials.
        const nodeId = req.query.node ? String(req.query.node) : '';
        const creds = nodeId ? (RED.nodes as unknown as { getCredentials(id: string): Record<string, string> | undefined }).getCredentials(nodeId) : undefined;
        sec = securityOf({ id: '', type: 'opcua-subscribe', securityMode: req.query.securityMode, securityPolicy: req.query.securityPolicy, userAuth: req.query.userAuth, userCertificate: req.query.userCertificate, userPrivateKey: req.query.userPrivateKey }, creds);
      } catch (e) {
        return res.status(400).json({ error: (e as Error).message });
      }
      browseEndpoint(endpoint, { pkiDir: pkiDir(), root: req.query.root ? String(req.query.root) : undefined, ...sec }).then(
        (vars) => res.json(vars),
        (e: Error) => res.status(/^endpoint:/.test(e.message) ? 400 : 502).json({ error: e.message.split('\n')[0] }),
      );
    };
    // The certificate store: listed for whoever may see the node, changed only by those who may deploy flows.
    const certificates: Handler = (_req, res) => {
      const dir = pkiDir();
      if (!dir) return res.status(409).json({ error: 'no data directory: the certificate store lives in <dataDir>/opcua-pki' });
      res.json({ pkiDir: dir, ...listCertificates(dir) });
    };
    const decide = (action: 'trust' | 'reject'): Handler => (req, res) => {
      const dir = pkiDir();
      if (!dir) return res.status(409).json({ error: 'no data directory: the certificate store lives in <dataDir>/opcua-pki' });
      const before = listCertificates(dir);
      const cert = [...before.rejected, ...before.trusted].find((c) => c.thumbprint === String(req.params.thumbprint).toLowerCase());
      (action === 'trust' ? trustCertificate : rejectCertificate)(dir, req.params.thumbprint).then(
        () => {
          // Which servers the historian talks to is a security decision: it goes into the audit trail.
          processAuditTrail()?.append({
            username: req.user?.username ?? null, action: `opcua.certificate.${action}`, target: cert?.applicationUri ?? cert?.subject ?? req.params.thumbprint,
            previousValue: cert ? (before.trusted.includes(cert) ? 'trusted' : 'rejected') : null, newValue: { state: action === 'trust' ? 'trusted' : 'rejected', thumbprint: cert?.thumbprint, subject: cert?.subject, validTo: cert?.validTo },
            clientAddress: req.ip ?? null,
          });
          RED.log.info(`opcua: server certificate ${req.params.thumbprint} ${action === 'trust' ? 'trusted' : 'rejected'}`);
          res.json({ pkiDir: dir, ...listCertificates(dir) });
        },
        (e: Error) => res.status(/^thumbprint: no server/.test(e.message) ? 404 : 400).json({ error: e.message }),
      );
    };
    RED.httpAdmin.get('/historian/opcua/certificates', auth.needsPermission('opcua-subscribe.read'), certificates);
    RED.httpAdmin.post('/historian/opcua/certificates/:thumbprint/trust', auth.needsPermission('flows.write'), decide('trust'));
    RED.httpAdmin.post('/historian/opcua/certificates/:thumbprint/reject', auth.needsPermission('flows.write'), decide('reject'));
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
      const sec = securityOf(config, node.credentials);
      sub = new OpcuaSubscriber({
        endpoint,
        ...sec,
        items: validateItems(config.items ?? []),
        samplingInterval: sampling,
        reconnectInitialMs: numberField(config, 'reconnectInitial', 500),
        reconnectMaxMs: numberField(config, 'reconnectMax', 10_000),
        pkiDir: pkiDir(),
        emit,
        onState: (s, detail) => {
          state = s;
          health.state(s, detail);
          // The one failure an engineer fixes in this node's editor gets a status that says where.
          const text = detail && /BadCertificateUntrusted/.test(detail) ? 'server certificate not trusted: trust it under Security in this node' : detail ? `${s}: ${detail}` : s;
          node.status({ fill: s === 'connected' ? 'green' : s === 'closed' ? 'grey' : s === 'connecting' ? 'yellow' : 'red', shape: 'dot', text });
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
  }, { credentials: { userName: { type: 'text' }, password: { type: 'password' } } });
}
