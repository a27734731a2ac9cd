// Two central processes share one stream by site partitions (README "Scaling out"): one is
// SIGKILLed mid-stream; the other keeps storing its sites meanwhile; after the restart
// every sample is stored exactly once across both stores, each site in its owner's store.
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats-cluster';
import type { ManagedProcess } from '../../helpers/process';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { lastNumber } from '../buffer/children';
import { BASE_TS, produce } from '../buffer/harness';
import { spawnCentral, storedTs as storedIn } from './centrals';
import { StoreForward } from '../../../runtime/uplink/store-forward';

let cluster: NatsCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startNatsCluster();
  dir = await makeTempDir('historian-fleet-shared-');
});
afterAll(async () => {
  await cluster?.dispose();
  if (dir) await removeTempDir(dir);
});

const central = (name: string, partitions: string[]): ManagedProcess => spawnCentral(dir, cluster.urls, name, { partitions, batch: 50 });
const storedTs = (name: string, tag: string) => storedIn(dir, name, tag);

describe('shared central ingest by site partitions', () => {
  it('two central processes, one killed mid-stream: each sample stored exactly once across them', async () => {
    const sites = ['s0', 's1', 's2', 's3'];
    const tags = sites.flatMap((s) => Array.from({ length: 5 }, (_, k) => `acme.${s}.line1.m${k}.v`));
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw'), source: 'gw1', template: 'hist.{tag:4}', batchSize: 200, lingerMs: 20,
      uplink: { type: 'nats', servers: cluster.urls, stream: { name: 'HIST', subjects: ['hist.>'] }, ackTimeoutMs: 2000 },
    });
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 20_000, what: 'publisher connected' });
    let a = central('central-a', ['hist.acme.s0.>', 'hist.acme.s1.>']);
    const b = central('central-b', ['hist.acme.s2.>', 'hist.acme.s3.>']);
    const owns = (c: ManagedProcess, site: string) => c.waitForOutput(new RegExp(`owns hist\\.acme\\.${site}\\.>`), { timeoutMs: 20_000 });
    await Promise.all([owns(a, 's0'), owns(a, 's1'), owns(b, 's2'), owns(b, 's3')]);
    const p = produce(sf, { tags, rate: 4000 });
    await waitFor(() => lastNumber(a.logs(), 'stored') >= 5000, { timeoutMs: 30_000, what: 'central A under way' });
    a.kill('SIGKILL');
    await a.exited;
    const bAtKill = lastNumber(b.logs(), 'stored');
    // B is not held up by A's absence
    await waitFor(() => lastNumber(b.logs(), 'stored') >= bAtKill + 8000, { timeoutMs: 30_000, what: 'central B storing while A is down' });
    a = central('central-a', ['hist.acme.s0.>', 'hist.acme.s1.>']);
    // the killed process's leases end after their TTL (12 s); until then the restarted one waits
    await a.waitForOutput(/owns hist\.acme\.s0\.>/, { timeoutMs: 30_000 });
    await a.waitForOutput(/owns hist\.acme\.s1\.>/, { timeoutMs: 30_000 });
    await waitFor(() => lastNumber(a.logs(), 'stored') >= 2000, { timeoutMs: 30_000, what: 'central A back' });
    const produced = await p.stop();
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 30_000, what: 'buffer drained' });
    await sf.close();
    const per = produced / tags.length;
    // consumed to the end: every partition's consumer has nothing pending or unacknowledged
    const nc = await connect({ servers: cluster.urls });
    const jsm = await nc.jetstreamManager();
    let last = '';
    await waitFor(async () => {
      const cons = await jsm.consumers.list('HIST').next();
      last = JSON.stringify(cons.map((c) => [c.name, c.num_pending, c.num_ack_pending]));
      return cons.length === 4 && cons.every((c) => c.num_pending === 0 && c.num_ack_pending === 0);
    }, { timeoutMs: 60_000, what: 'all four partition consumers acknowledged' }).catch((e) => { throw new Error(`${(e as Error).message}: ${last}\nA: ${a.logs().slice(-800)}`); });
    await nc.close();
    await Promise.all([a.stop(10_000), b.stop(10_000)]);
    for (const tag of tags) {
      const owner = /\.s[01]\./.test(tag) ? 'central-a' : 'central-b';
      const other = owner === 'central-a' ? 'central-b' : 'central-a';
      const ts = await storedTs(owner, tag);
      expect(ts.length, `${tag} in ${owner}`).toBe(per);
      for (let i = 0; i < ts.length; i++) if (ts[i] !== BASE_TS + i) throw new Error(`${tag}: gap or duplicate at ${i}`);
      expect(await storedTs(other, tag), `${tag} not in ${other}`).toHaveLength(0);
    }
  });

  it('refuses a second process on a partition that already has an owner, and names it', async () => {
    const owner = central('owner', ['hist.acme.s9.>']);
    await owner.waitForOutput(/owns hist\.acme\.s9\.>/, { timeoutMs: 20_000 });
    const intruder = central('intruder', ['hist.acme.s9.>']);
    const refusal = await intruder.waitForOutput(/partition hist\.acme\.s9\.> \(consumer historian-ingest-hist_acme_s9_all\) is being pulled by another process: (.*) holds its lease/, { timeoutMs: 20_000 });
    expect(refusal[1]).toContain(`owner (host ${os.hostname()}, pid ${owner.pid};`);
    expect(intruder.logs()).not.toMatch(/owns hist/);
    await intruder.stop(10_000);
    // a clean stop releases the lease: the next process takes the partition at once
    await owner.stop(10_000);
    expect(owner.logs()).not.toMatch(/lost hist/);
    const next = central('next', ['hist.acme.s9.>']);
    await next.waitForOutput(/owns hist\.acme\.s9\.>/, { timeoutMs: 5_000 });
    const sf = StoreForward.open({ dir: path.join(dir, 'gw9'), source: 'gw9', template: 'hist.{tag:4}', lingerMs: 0, uplink: { type: 'nats', servers: cluster.urls } });
    await sf.write(Array.from({ length: 50 }, (_, i) => ({ tag: 'acme.s9.line1.m0.v', ts: BASE_TS + i, value: i, quality: 0 })));
    await waitFor(() => lastNumber(next.logs(), 'stored') >= 50, { timeoutMs: 30_000, what: 'the new owner storing the partition' });
    await sf.close();
    await next.stop(10_000);
  });
});
