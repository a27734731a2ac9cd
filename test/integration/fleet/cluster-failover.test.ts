// Store-forward publisher and central ingest on a 3-node JetStream cluster: one node is
// SIGKILLed while samples flow and restarted later; every sample is stored once, in order.
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { expectExactlyOnce, natsCentral, produce } from '../buffer/harness';
import { StoreForward } from '../../../runtime/uplink/store-forward';

let cluster: NatsCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startNatsCluster();
  dir = await makeTempDir('historian-fleet-failover-');
});
afterAll(async () => {
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('3-node JetStream cluster', () => {
  it('creates the stream with 3 replicas by default and keeps every sample once through the loss of its leader', async () => {
    const stream = { name: 'HIST', subjects: ['hist.>'] };
    const c = await natsCentral(path.join(dir, 'central'), cluster.urls.join(','), { createStream: { subjects: ['hist.>'] } });
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw'), source: 'gw1', template: 'hist.{tag:4}', batchSize: 500, lingerMs: 20,
      uplink: { type: 'nats', servers: cluster.urls, stream, ackTimeoutMs: 2000 },
      dispatcher: { maxInFlight: 8, backoff: { baseMs: 50, maxMs: 500 } },
    });
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 20_000, what: 'publisher connected' });
    await cluster.waitForStreamHealthy('HIST');
    const nc = await connect({ servers: cluster.urls });
    const info = await (await nc.jetstreamManager()).streams.info('HIST');
    await nc.close();
    expect(info.config.num_replicas).toBe(3);
    const leader = Number(/-n(\d+)$/.exec(info.cluster?.leader ?? '')?.[1]);
    expect(leader).toBeGreaterThanOrEqual(0);

    const tags = Array.from({ length: 10 }, (_, t) => `acme.fo.line1.m${t}.v`);
    const p = produce(sf, { tags, rate: 5000 });
    await waitFor(() => c.written() >= 10_000, { timeoutMs: 20_000, what: 'samples flowing before the kill' });
    cluster.nodes[leader].kill('SIGKILL');
    const atKill = c.written();
    // the remaining two elect a new stream leader and go on
    await waitFor(() => c.written() >= atKill + 15_000, { timeoutMs: 30_000, what: 'samples flowing with one node down' });
    await cluster.nodes[leader].restart();
    await cluster.waitForMetaLeader({ expectPeers: 3 });
    const atRestart = c.written();
    await waitFor(() => c.written() >= atRestart + 10_000, { timeoutMs: 30_000, what: 'samples flowing after the restart' });
    const produced = await p.stop();
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 30_000, what: 'buffer drained' });
    await waitFor(() => c.written() >= produced, { timeoutMs: 30_000, what: `${produced} samples at the central store` });
    await sf.close();
    const per = produced / tags.length;
    await expectExactlyOnce(c, new Map(tags.map((t) => [t, per])));
    await c.close();
  });
});
