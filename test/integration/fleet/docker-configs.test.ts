// The shipped fleet configs (docker/fleet) run by real servers: nats-server accepts every
// file, and the three hub files (ports and host names moved to loopback, store dirs to temp
// dirs, nothing else changed) form a JetStream cluster that a gateway's leaf node, made
// from the shipped leaf.conf, links to: the gateway stores its own site through it and is
// refused another site.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nkeys } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { NATS_SERVER, requireBinary } from '../../helpers/binaries';
import { startNats, type NatsServer } from '../../helpers/nats';
import { freePort } from '../../helpers/ports';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { BASE_TS, natsCentral, type Central } from '../buffer/harness';
import { StoreForward } from '../../../runtime/uplink/store-forward';

const dir = path.join(__dirname, '../../../docker/fleet');
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
const kp = nkeys.createUser();
const seed = Buffer.from(kp.getSeed()).toString();
const env = { NATS_HISTORIAN_PASSWORD: 'central-pw-1', NATS_LEAF_GW1_PASSWORD: 'leaf-pw-1', GATEWAY_NKEY_PUBLIC: Buffer.from(kp.getPublicKey()).toString() };

const servers: NatsServer[] = [];
let tmp: string | undefined;
let central: Central | undefined;
afterAll(async () => {
  await central?.close();
  await Promise.all(servers.map((s) => s.dispose()));
  if (tmp) await removeTempDir(tmp);
});

describe('docker/fleet configs', () => {
  it.each(['hub-1.conf', 'hub-2.conf', 'hub-3.conf', 'leaf.conf'])('nats-server accepts %s', (f) => {
    // execFileSync throws on a non-zero exit: a config nats-server refuses fails here
    execFileSync(requireBinary(NATS_SERVER), ['-c', path.join(dir, f), '-t'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  });

  it('the hub files form a 3-node JetStream cluster; the shipped leaf node links a gateway that stores its site and is refused another', async () => {
    Object.assign(process.env, env); // the servers resolve $NATS_* from their environment, as in compose
    tmp = await makeTempDir('historian-docker-fleet-');
    const route = await Promise.all([0, 1, 2].map(() => freePort()));
    const leafPort = await Promise.all([0, 1, 2].map(() => freePort()));
    const common = read('hub-common.conf');
    expect(common).toContain('routes: [ nats-route://hub-1:6222, nats-route://hub-2:6222, nats-route://hub-3:6222 ]');
    const hubs = await Promise.all([0, 1, 2].map(async (i) => {
      const d = path.join(tmp!, `hub-${i + 1}`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'hub-common.conf'), common
        .replace('store_dir: /data/jetstream', `store_dir: ${JSON.stringify(path.join(d, 'js'))}`)
        .replace('listen: 0.0.0.0:6222', `listen: 127.0.0.1:${route[i]}`)
        .replace(/nats-route:\/\/hub-(\d):6222/g, (_, n) => `nats-route://127.0.0.1:${route[Number(n) - 1]}`)
        .replace('  port: 7422', `  host: 127.0.0.1\n  port: ${leafPort[i]}`));
      for (const f of ['client-users.conf', 'leaf-users.conf']) fs.copyFileSync(path.join(dir, f), path.join(d, f));
      return startNats({ storeDir: d, configText: () => read(`hub-${i + 1}.conf`) });
    }));
    servers.push(...hubs);
    await waitFor(async () => {
      const j = await (await fetch(`${hubs[0].monitorUrl}/jsz`)).json() as { meta_cluster?: { leader?: string; cluster_size?: number } };
      return !!j.meta_cluster?.leader && j.meta_cluster.cluster_size === 3;
    }, { timeoutMs: 30_000, what: 'meta leader of the hub cluster' });
    const leaf = await startNats({
      jetstream: false,
      configText: () => read('leaf.conf').replace(/@hub-(\d):7422/g, (_, n) => `@127.0.0.1:${leafPort[Number(n) - 1]}`).replace(/LEAF_PASSWORD/g, env.NATS_LEAF_GW1_PASSWORD),
    });
    servers.push(leaf);
    await waitFor(async () => ((await (await fetch(`${leaf.monitorUrl}/leafz`)).json()) as { leafnodes?: number }).leafnodes === 1, { timeoutMs: 20_000, what: 'leaf linked to the hub' });
    central = await natsCentral(path.join(tmp, 'central'), hubs.map((h) => h.url).join(','), { user: 'historian', pass: env.NATS_HISTORIAN_PASSWORD, createStream: { subjects: ['hist.>'] } });
    const sf = StoreForward.open({ dir: path.join(tmp, 'gw1'), source: 'gw1', template: 'hist.{tag:3}', lingerMs: 0, uplink: { type: 'nats', servers: leaf.url, nkeySeed: seed } });
    try {
      await sf.write(Array.from({ length: 100 }, (_, i) => ({ tag: 'acme.izmir.line1.p1.v', ts: BASE_TS + i, value: i, quality: 0 })));
      await waitFor(() => central!.written() >= 100, { timeoutMs: 30_000, what: 'gateway samples at the central through the shipped leaf node' });
      await sf.write([{ tag: 'acme.bursa.line1.p1.v', ts: BASE_TS, value: 1, quality: 0 }]);
      await waitFor(() => sf.status().quarantined === 1, { timeoutMs: 20_000, what: 'another site refused' });
      expect(sf.status().lastError).toMatch(/hist\.acme\.bursa\.line1.*permissions violation/);
    } finally { await sf.close(); }
  });
});
