// Acceptance (issue "fleet scale-out" (a)): 20 gateways, each behind its own leaf node with
// its own credentials and subject permissions, publish at a combined ≥ 20,000 samples/s for
// 60 s into a 3-node JetStream cluster while the stream leader is SIGKILLed and restarted;
// the central ingest stores every sample exactly once and in order per tag.
// Gateways are store-forward instances in this process (lightweight: one timer each).
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { expectExactlyOnce, natsCentral, produce, type Central } from '../buffer/harness';
import { gatewaySecurity, type GatewaySecurity } from '../../../runtime/fleet/gateway-config';
import { StoreForward } from '../../../runtime/uplink/store-forward';

const GATEWAYS = 20;
const TAGS_PER_GATEWAY = 10;
const RATE_PER_GATEWAY = 1100; // samples/s: 22,000 offered combined, so at least 20,000 is held over the run
const SECONDS = Number(process.env.HISTORIAN_FLEET_ACCEPTANCE_SECONDS ?? 60);
const CENTRAL = { user: 'central', pass: 'central-secret-2' };

let cluster: NatsCluster;
const leaves: NatsServer[] = [];
let sec: GatewaySecurity[];
let dir: string;
let central: Central;

beforeAll(async () => {
  dir = await makeTempDir('historian-fleet-accept-');
  sec = Array.from({ length: GATEWAYS }, (_, g) => gatewaySecurity({ gateway: `gw${g}`, site: `acme.site${g % 4}` }));
  cluster = await startNatsCluster({
    extraConfig: `authorization { users: [ { user: ${JSON.stringify(CENTRAL.user)}, password: ${JSON.stringify(CENTRAL.pass)} } ] }`,
    leafnodes: `authorization { users: [\n${sec.map((s) => s.hubLeafUser).join('\n')}\n] }`,
  });
  for (const s of sec) {
    const conf = s.leafConf.replace(/urls: \[[^\]]*\]/, `urls: ${JSON.stringify(cluster.leafUrls.map((u) => u.replace('//', `//${s.leafUser.user}:${s.leafUser.password}@`)))}`);
    leaves.push(await startNats({ jetstream: false, configText: () => conf }));
  }
  await waitFor(async () => {
    const n = await Promise.all(leaves.map(async (l) => ((await fetch(`${l.monitorUrl}/leafz`).then((x) => x.json())) as { leafnodes?: number }).leafnodes ?? 0));
    return n.every((x) => x >= 1);
  }, { timeoutMs: 30_000, what: 'every leaf node linked to the hub' });
  central = await natsCentral(path.join(dir, 'central'), cluster.urls.join(','), { ...CENTRAL, createStream: { subjects: ['hist.>'] }, batch: 1000 });
}, 180_000);

afterAll(async () => {
  await central?.close();
  await Promise.all(leaves.map((l) => l.dispose()));
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('fleet acceptance', () => {
  it(`20 gateways through leaf nodes at ≥ 20,000 samples/s for ${SECONDS} s, a cluster node killed and restarted: exactly once, in order`, async () => {
    await cluster.waitForStreamHealthy('HIST');
    const gateways = sec.map((s, g) => StoreForward.open({
      dir: path.join(dir, `gw${g}`), source: s.gateway, template: 'hist.{tag:4}', batchSize: 1000, lingerMs: 100,
      uplink: { type: 'nats', servers: [leaves[g].url], nkeySeed: s.nkey.seed, ackTimeoutMs: 2000 },
      dispatcher: { maxInFlight: 8, backoff: { baseMs: 100, maxMs: 1000 } },
    }));
    await waitFor(() => gateways.every((sf) => sf.uplink.isConnected()), { timeoutMs: 30_000, what: 'gateways connected to their leaf nodes' });
    const tags = sec.map((s, g) => Array.from({ length: TAGS_PER_GATEWAY }, (_, k) => `${s.site}.line${g}.m${k}.v`));
    const started = Date.now();
    const producers = gateways.map((sf, g) => produce(sf, { tags: tags[g], rate: RATE_PER_GATEWAY, tickMs: 100 }));

    // kill the stream leader a third of the way in, restart it at the half
    await waitFor(() => Date.now() - started >= (SECONDS * 1000) / 3, { timeoutMs: SECONDS * 1000, intervalMs: 200, what: 'a third of the run' });
    const nc = await connect({ servers: cluster.urls, ...CENTRAL });
    const leader = Number(/-n(\d+)$/.exec((await (await nc.jetstreamManager()).streams.info('HIST')).cluster?.leader ?? '')?.[1]);
    await nc.close();
    expect(leader).toBeGreaterThanOrEqual(0);
    cluster.nodes[leader].kill('SIGKILL');
    await waitFor(() => Date.now() - started >= (SECONDS * 1000) / 2, { timeoutMs: SECONDS * 1000, intervalMs: 200, what: 'half of the run' });
    await cluster.nodes[leader].restart();
    await waitFor(() => Date.now() - started >= SECONDS * 1000, { timeoutMs: SECONDS * 1000, intervalMs: 200, what: 'the end of the run' });
    const produced = await Promise.all(producers.map((p) => p.stop()));
    const elapsed = (Date.now() - started) / 1000;
    const total = produced.reduce((a, b) => a + b, 0);
    // the offered load really was 20,000 samples/s combined
    expect(total / elapsed).toBeGreaterThanOrEqual(20_000);
    await waitFor(() => gateways.every((sf) => sf.status().pending === 0), { timeoutMs: 120_000, intervalMs: 200, what: 'every gateway buffer drained' });
    await waitFor(() => central.written() >= total, { timeoutMs: 120_000, intervalMs: 200, what: `${total} samples at the central` });
    const quarantined = gateways.reduce((a, sf) => a + sf.status().quarantined, 0);
    expect(quarantined).toBe(0);
    await Promise.all(gateways.map((sf) => sf.close()));
    console.log(JSON.stringify({ fleetAcceptance: { gateways: GATEWAYS, seconds: Number(elapsed.toFixed(1)), samples: total, offeredPerSecond: Math.round(total / elapsed), killedNode: leader } }));
    const expected = new Map<string, number>();
    produced.forEach((n, g) => { for (const t of tags[g]) expected.set(t, n / TAGS_PER_GATEWAY); });
    await expectExactlyOnce(central, expected);
  });
});
