// The leaf link over TLS: the hub's leaf-node port presents a certificate of the test CA;
// a gateway's leaf node configured by gatewaySecurity({ hubCaFile }) links and its
// gateway's samples reach the central through it; a leaf node that does not trust the CA
// is refused the link (it logs the certificate error) and forwards nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import { makeTestPki, type TestPki } from '../../helpers/pki';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { BASE_TS, natsCentral, type Central } from '../buffer/harness';
import { gatewaySecurity } from '../../../runtime/fleet/gateway-config';
import { StoreForward } from '../../../runtime/uplink/store-forward';

let cluster: NatsCluster;
let pki: TestPki;
let dir: string;
let central: Central;
const leaves: NatsServer[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-fleet-tls-');
  fs.mkdirSync(path.join(dir, 'pki'));
  pki = makeTestPki(path.join(dir, 'pki'));
  cluster = await startNatsCluster({
    leafnodes: `tls { cert_file: ${JSON.stringify(pki.serverCertFile)}, key_file: ${JSON.stringify(pki.serverKeyFile)}, timeout: 5 }`,
  });
  central = await natsCentral(path.join(dir, 'central'), cluster.urls.join(','), { createStream: { subjects: ['hist.>'] } });
});
afterAll(async () => {
  await central?.close();
  await Promise.all(leaves.map((l) => l.dispose()));
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

// the hub here has no leaf users: the link is anonymous, the point is the TLS check
const leafConf = (hubCaFile?: string) => {
  const s = gatewaySecurity({ gateway: 'gw-tls', site: 'acme.izmir', hubLeafUrls: cluster.leafUrls.map((u) => u.replace('nats-leaf://127.0.0.1', 'nats-leaf://localhost')), hubCaFile });
  return { sec: s, conf: s.leafConf.replace(/leaf-gw-tls:[^@]+@/g, '') };
};

describe('leaf link over TLS', () => {
  it('a leaf node that trusts the hub CA links and forwards; one that does not is refused', async () => {
    const good = leafConf(pki.caFile);
    expect(good.conf).toContain(`ca_file: ${JSON.stringify(pki.caFile)}`);
    const leaf = await startNats({ jetstream: false, configText: () => good.conf });
    leaves.push(leaf);
    await waitFor(async () => ((await fetch(`${leaf.monitorUrl}/leafz`).then((x) => x.json())) as { leafnodes?: number }).leafnodes === 1, { timeoutMs: 20_000, what: 'TLS leaf link up' });
    const sf = StoreForward.open({ dir: path.join(dir, 'gw'), source: 'gw-tls', template: 'hist.{tag:3}', lingerMs: 0, uplink: { type: 'nats', servers: leaf.url, nkeySeed: good.sec.nkey.seed } });
    await sf.write(Array.from({ length: 100 }, (_, i) => ({ tag: 'acme.izmir.line1.tls.v', ts: BASE_TS + i, value: i, quality: 0 })));
    await waitFor(() => central.written() >= 100, { timeoutMs: 20_000, what: 'samples through the TLS leaf link' });
    await sf.close();

    const bad = await startNats({ jetstream: false, configText: () => leafConf(undefined).conf });
    leaves.push(bad);
    await waitFor(() => /certificate|x509|tls/i.test(bad.logs()), { timeoutMs: 20_000, what: 'the untrusting leaf logs the certificate failure' });
    const lz = (await fetch(`${bad.monitorUrl}/leafz`).then((x) => x.json())) as { leafnodes?: number };
    expect(lz.leafnodes ?? 0).toBe(0);
  });
});
