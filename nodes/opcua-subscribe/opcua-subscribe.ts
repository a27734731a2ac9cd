// opcua-subscribe: our own thin OPC UA subscription node on node-opcua
// (runtime/devices/opcua/subscriber.ts): node ids → tag paths, samples with source
// timestamps and StatusCode quality, reconnects, and browse for the editor's tag picker.
import path from 'node:path';
import { browseEndpoint, OpcuaSubscriber, validateItems } from '../../runtime/devices';
import { listCertificates, rejectCertificate, trustCertificate } from '../../runtime/devices';
import { processAuditTrail } from '../../runtime/audit';
import { validateSecurity, validateUser, type OpcuaSecurity, type OpcuaUser } from '../../runtime/devices';
import { DeviceHealthTracker } from '../../runtime/devices';
import { toWireSample, type Sample } from '../../runtime/model';
import { servicesOf } from '../lib/services';
import { formatRate, numberField, type NodeDef, type RED, type RedNode } from '../lib/red';
import { z } from 'zod';
import { defineRoute, HttpError } from '../../runtime/http';
import { mountAdminRoute } from '../lib/admin-route';
import { RateMeter } from '../lib/rate-meter';

function pkiDir(RED: RED): string | undefined {
  const d = servicesOf(RED).dataDir;
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
  const noStore = () => new HttpError(409, 'no_data_directory', 'no data directory: the certificate store lives in <dataDir>/opcua-pki');
  const editorUser = (req: unknown) => (req as { user?: { username?: string } }).user?.username ?? null;
  mountAdminRoute(RED, defineRoute({
    method: 'get', path: '/historian/opcua/browse', group: 'editor', permission: 'opcua-subscribe.read',
    query: z.object({
      endpoint: z.string().default(''), root: z.string().optional(), node: z.string().optional(),
      securityMode: z.string().optional(), securityPolicy: z.string().optional(), userAuth: z.string().optional(),
      userCertificate: z.string().optional(), userPrivateKey: z.string().optional(),
    }),
    summary: 'Browses an OPC UA server\'s variables for the edit dialog (with the node\'s security settings)',
    handler: async ({ query }) => {
      let sec: { security: OpcuaSecurity; user: OpcuaUser };
      try {
        // The editor never receives stored passwords: a deployed node's id stands for its credentials.
        const creds = query.node ? (RED.nodes as unknown as { getCredentials(id: string): Record<string, string> | undefined }).getCredentials(query.node) : undefined;
        sec = securityOf({ id: '', type: 'opcua-subscribe', securityMode: query.securityMode, securityPolicy: query.securityPolicy, userAuth: query.userAuth, userCertificate: query.userCertificate, userPrivateKey: query.userPrivateKey }, creds);
      } catch (e) {
        throw new HttpError(400, 'bad_request', (e as Error).message);
      }
      try {
        return await browseEndpoint(query.endpoint, { pkiDir: pkiDir(RED), root: query.root || undefined, ...sec });
      } catch (e) {
        const message = (e as Error).message.split('\n')[0];
        throw /^endpoint:/.test(message) ? new HttpError(400, 'bad_request', message, { field: 'endpoint' }) : new HttpError(502, 'browse_failed', message);
      }
    },
  }));
  // The certificate store: listed for whoever may see the node, changed only by those who may deploy flows.
  mountAdminRoute(RED, defineRoute({
    method: 'get', path: '/historian/opcua/certificates', group: 'editor', permission: 'opcua-subscribe.read',
    summary: 'Lists the OPC UA certificate store (own, trusted and rejected server certificates)',
    handler: () => {
      const dir = pkiDir(RED);
      if (!dir) throw noStore();
      return { pkiDir: dir, ...listCertificates(dir) };
    },
  }));
  for (const action of ['trust', 'reject'] as const) {
    mountAdminRoute(RED, defineRoute({
      method: 'post', path: `/historian/opcua/certificates/:thumbprint/${action}`, group: 'editor', permission: 'flows.write',
      params: z.object({ thumbprint: z.string().min(1) }),
      summary: `${action === 'trust' ? 'Trusts' : 'Rejects'} an OPC UA server certificate (audited)`,
      handler: async ({ params, req }) => {
        const dir = pkiDir(RED);
        if (!dir) throw noStore();
        const before = listCertificates(dir);
        const cert = [...before.rejected, ...before.trusted].find((c) => c.thumbprint === params.thumbprint.toLowerCase());
        try {
          await (action === 'trust' ? trustCertificate : rejectCertificate)(dir, params.thumbprint);
        } catch (e) {
          const message = (e as Error).message;
          throw new HttpError(/^thumbprint: no server/.test(message) ? 404 : 400, /^thumbprint: no server/.test(message) ? 'not_found' : 'bad_request', message, { field: 'thumbprint' });
        }
        // Which servers the historian talks to is a security decision: it goes into the audit trail.
        processAuditTrail()?.append({
          username: editorUser(req), action: `opcua.certificate.${action}`, target: cert?.applicationUri ?? cert?.subject ?? params.thumbprint,
          previousValue: cert ? (before.trusted.includes(cert) ? 'trusted' : 'rejected') : null, newValue: { state: action === 'trust' ? 'trusted' : 'rejected', thumbprint: cert?.thumbprint, subject: cert?.subject, validTo: cert?.validTo },
          clientAddress: req.ip ?? null,
        });
        RED.log.info(`opcua: server certificate ${params.thumbprint} ${action === 'trust' ? 'trusted' : 'rejected'}`);
        return { pkiDir: dir, ...listCertificates(dir) };
      },
    }));
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
    const devices = servicesOf(RED).components.devices;
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
        pkiDir: pkiDir(RED),
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
