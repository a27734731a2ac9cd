// TLS on the cluster routes: the `tls { … verify: true }` block shipped (commented) in the
// cluster section of docker/fleet/hub-common.conf, with the test CA's files: three nodes
// whose routes use mutual TLS against one CA form the JetStream cluster and keep an R3
// stream current; a server that tries to route to them with a certificate of another
// CA, or without TLS, is refused and never becomes a peer.
import fs from 'node:fs';
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import { makeRoutePki, routeTlsBlock, type RoutePki } from '../../helpers/nats-cluster-tls';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

let cluster: NatsCluster;
let pki: RoutePki;
let routeTls: string;
let dir: string;
const intruders: NatsServer[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-fleet-route-tls-');
  fs.mkdirSync(path.join(dir, 'pki'));
  pki = makeRoutePki(path.join(dir, 'pki'));
  // the shipped block, certificate paths pointed at the test PKI, nothing else changed
  const common = fs.readFileSync(path.join(__dirname, '../../../docker/fleet/hub-common.conf'), 'utf8');
  const shipped = /cluster \{[^}]*?#\s*(tls \{[^}]*\})/.exec(common)?.[1];
  if (!shipped) throw new Error('docker/fleet/hub-common.conf: no (commented) tls block in the cluster section');
  expect(shipped).toMatch(/verify: true/);
  routeTls = shipped.replace('/etc/nats/tls/server.pem', JSON.stringify(pki.certFile)).replace('/etc/nats/tls/server.key', JSON.stringify(pki.keyFile)).replace('/etc/nats/tls/ca.pem', JSON.stringify(pki.caFile));
  cluster = await startNatsCluster({ routeTls });
});
afterAll(async () => {
  await Promise.all(intruders.map((s) => s.dispose()));
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

interface Routez { num_routes: number; routes?: Array<{ remote_id: string }> }
const routez = async (s: { monitorUrl: string }): Promise<Routez> => (await fetch(`${s.monitorUrl}/routez`).then((r) => r.json())) as Routez;

// a fourth server in the same cluster name that routes to every node
const intruder = (tls: string) => startNats({
  jetstream: false,
  configText: () => ['server_name: intruder', 'cluster {', '  name: hist', '  listen: 127.0.0.1:-1', `  routes: [${cluster.routeUrls.join(', ')}]`, tls, '}', ''].join('\n'),
});

describe('cluster routes over TLS', () => {
  it('the three nodes form the cluster over TLS routes and keep an R3 stream current', async () => {
    for (const n of cluster.nodes) expect((await routez(n)).num_routes).toBe(2);
    const nc = await connect({ servers: cluster.urls });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'ROUTETLS', subjects: ['rt.>'], num_replicas: 3 });
    await cluster.waitForStreamHealthy('ROUTETLS');
    const js = nc.jetstream();
    for (let i = 0; i < 100; i++) await js.publish(`rt.${i % 5}`, new TextEncoder().encode(String(i)));
    const info = await jsm.streams.info('ROUTETLS');
    expect(info.state.messages).toBe(100);
    expect(info.cluster?.leader).toMatch(/^hist-n\d$/);
    // the replicas got every message over the TLS routes
    await waitFor(async () => {
      const i2 = await jsm.streams.info('ROUTETLS');
      return i2.cluster?.replicas?.length === 2 && i2.cluster.replicas.every((r) => r.current && !r.offline && (r.lag ?? 0) === 0);
    }, { timeoutMs: 20_000, what: 'both replicas current' });
    await nc.close();
  });

  it('refuses a route whose certificate is not signed by the cluster CA', async () => {
    const seen = cluster.nodes.map((n) => n.logs().length);
    const s = await intruder(routeTlsBlock({ certFile: pki.strangerCertFile, keyFile: pki.strangerKeyFile, caFile: pki.otherCaFile }));
    intruders.push(s);
    // every node refuses its certificate when it dials them (and it refuses theirs)
    await waitFor(() => cluster.nodes.every((n, i) => /TLS route handshake error: .*(certificate|x509|unknown authority)/i.test(n.logs().slice(seen[i]))),
      { timeoutMs: 20_000, what: 'every node refusing the foreign certificate' });
    expect(s.logs()).toMatch(/TLS route handshake error: x509: certificate signed by unknown authority/);
    expect((await routez(s)).num_routes).toBe(0);
    for (const n of cluster.nodes) expect((await routez(n)).num_routes).toBe(2);
  });

  it('refuses a route without TLS', async () => {
    const seen = cluster.nodes.map((n) => n.logs().length);
    const s = await intruder('');
    intruders.push(s);
    await waitFor(() => cluster.nodes.every((n, i) => /TLS route handshake error: tls: first record does not look like a TLS handshake/.test(n.logs().slice(seen[i]))),
      { timeoutMs: 20_000, what: 'every node refusing the plain route' });
    for (const n of cluster.nodes) expect((await routez(n)).num_routes).toBe(2);
  });
});
