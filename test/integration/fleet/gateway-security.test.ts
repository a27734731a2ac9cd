// Per-gateway credentials and subject permissions on a 3-node hub cluster, directly and
// through the gateway's leaf node: the gateway's own site arrives at the central ingest;
// a subject of another site is refused by the server and the refusal is reported
// (quarantined envelope, lastError naming the subject), never lost silently.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { BASE_TS, natsCentral, type Central } from '../buffer/harness';
import { gatewaySecurity, type GatewaySecurity } from '../../../runtime/fleet/gateway-config';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import type { NatsUplink } from '../../../runtime/uplink/nats-uplink';
import type { Sample } from '../../../runtime/model';

let cluster: NatsCluster;
let leaf: NatsServer;
let dir: string;
let central: Central;
let direct: GatewaySecurity;
let viaLeaf: GatewaySecurity;
const CENTRAL = { user: 'central', pass: 'central-secret-1' };

beforeAll(async () => {
  dir = await makeTempDir('historian-fleet-sec-');
  direct = gatewaySecurity({ gateway: 'gw-izmir-1', site: 'acme.izmir' });
  viaLeaf = gatewaySecurity({ gateway: 'gw-bursa-1', site: 'acme.bursa' });
  cluster = await startNatsCluster({
    extraConfig: `authorization { users: [\n { user: ${JSON.stringify(CENTRAL.user)}, password: ${JSON.stringify(CENTRAL.pass)} }\n ${direct.hubClientUser}\n] }`,
    leafnodes: `authorization { users: [ ${viaLeaf.hubLeafUser} ] }`,
  });
  // the leaf node's file, as the CLI writes it, pointed at this hub
  const leafConf = viaLeaf.leafConf.replace(/urls: \[[^\]]*\]/, `urls: ${JSON.stringify(cluster.leafUrls.map((u) => u.replace('//', `//${viaLeaf.leafUser.user}:${viaLeaf.leafUser.password}@`)))}`);
  leaf = await startNats({ jetstream: false, configText: () => String(leafConf) });
  await waitFor(async () => {
    const r = await fetch(`${leaf.monitorUrl}/leafz`).then((x) => x.json()) as { leafnodes?: number };
    return (r.leafnodes ?? 0) >= 1;
  }, { timeoutMs: 20_000, what: 'leaf node linked to the hub' });
  central = await natsCentral(path.join(dir, 'central'), cluster.urls.join(','), { ...CENTRAL, createStream: { subjects: ['hist.>'] } });
});
afterAll(async () => {
  await central?.close();
  await leaf?.dispose();
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

const samples = (tag: string, n: number): Sample[] => Array.from({ length: n }, (_, i) => ({ tag, ts: BASE_TS + i, value: i, quality: 0 }));

async function gatewayCheck(name: string, servers: string[], sec: GatewaySecurity, own: string, other: string): Promise<void> {
  const sf = StoreForward.open({
    dir: path.join(dir, name), source: sec.gateway, template: 'hist.{tag:4}', lingerMs: 0,
    uplink: { type: 'nats', servers, nkeySeed: sec.nkey.seed, ackTimeoutMs: 2000 },
    dispatcher: { backoff: { baseMs: 50, maxMs: 500 } },
  });
  try {
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 20_000, what: `${name} connected` });
    const before = central.written();
    await sf.write(samples(own, 200));
    await waitFor(() => central.written() >= before + 200, { timeoutMs: 20_000, what: `${own} stored at the central` });
    await sf.write(samples(other, 50));
    await waitFor(() => sf.status().quarantined >= 1, { timeoutMs: 20_000, what: 'the refused envelope quarantined' });
    const st = sf.status();
    expect(st.lastError).toMatch(/NATS refused publishing to .*permissions violation/);
    expect(st.lastError).toContain(`hist.${other.split('.').slice(0, 4).join('.')}`);
    expect((sf.uplink as NatsUplink).refused.get(`hist.${other.split('.').slice(0, 4).join('.')}`)).toBeGreaterThanOrEqual(1);
    // kept for an operator to inspect or replay, not dropped
    expect(sf.quarantined().map((q) => q.subject)).toContain(`hist.${other.split('.').slice(0, 4).join('.')}`);
    // nothing of the other site reached the store
    const got: number[] = [];
    for await (const b of central.store.raw({ tag: other, from: BASE_TS, to: BASE_TS + 1e9 })) got.push(...b.ts);
    expect(got).toHaveLength(0);
    // own subjects keep flowing after the refusal
    const after = central.written();
    await sf.write(samples(own.replace('.v', '.w'), 30));
    await waitFor(() => central.written() >= after + 30, { timeoutMs: 20_000, what: 'own site still flowing' });
  } finally {
    await sf.close();
  }
}

describe('per-gateway subject permissions', () => {
  it('a gateway connected to the hub with its NKey stores its own site and is refused another site', async () => {
    await gatewayCheck('direct', cluster.urls, direct, 'acme.izmir.line1.pump1.v', 'acme.bursa.line1.pump1.v');
  });

  it('through its leaf node a gateway stores its own site in the hub stream and is refused another site', async () => {
    await gatewayCheck('leaf', [leaf.url], viaLeaf, 'acme.bursa.line2.pump1.v', 'acme.izmir.line2.pump9.v');
  });

  it('refuses an unknown NKey at the hub and a gateway that tries the JetStream API', async () => {
    const stranger = gatewaySecurity({ gateway: 'stranger', site: 'acme.izmir' });
    const sf = StoreForward.open({ dir: path.join(dir, 'stranger'), source: 'stranger', uplink: { type: 'nats', servers: cluster.urls, nkeySeed: stranger.nkey.seed } });
    await waitFor(() => /refused the credentials|Authorization/i.test(sf.status().lastError ?? ''), { timeoutMs: 20_000, what: 'credentials refused' });
    expect(sf.uplink.isConnected()).toBe(false);
    await sf.close();
    // a gateway may not create or change streams: stream setup is refused and reported
    const sf2 = StoreForward.open({ dir: path.join(dir, 'jsapi'), source: direct.gateway, uplink: { type: 'nats', servers: cluster.urls, nkeySeed: direct.nkey.seed, stream: { name: 'OTHER', subjects: ['other.>'] } } });
    await waitFor(() => /stream setup: .*Permissions Violation/i.test(sf2.status().lastError ?? ''), { timeoutMs: 20_000, what: 'stream setup refused' });
    await sf2.close();
  });
});
