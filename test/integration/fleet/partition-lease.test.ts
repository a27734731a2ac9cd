// Partition leases (runtime/uplink/PROTOCOL-partition-lease.md) against a real JetStream
// server: one holder at a time, the holder named in a refusal, release frees at once, a
// holder that stops renewing loses the lease to the server's TTL, and a holder whose
// lease was taken stops pulling its partition at once.
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { NatsIngest, type OwnershipEvent } from '../../../runtime/uplink/nats-ingest';
import { LeaseBucket, LeaseHeldError } from '../../../runtime/uplink/partition-lease';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import type { Sample } from '../../../runtime/model';

let server: NatsServer;
let dir: string;
const conns: NatsConnection[] = [];
beforeAll(async () => {
  server = await startNats();
  dir = await makeTempDir('historian-lease-');
});
afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => undefined);
  await server?.dispose();
  if (dir) await removeTempDir(dir);
});

async function conn(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  conns.push(nc);
  return nc;
}

const what = { stream: 'HIST', durable: 'historian-ingest-x', filter: 'hist.x.>' };

describe('partition leases', () => {
  it('one holder at a time; the refusal names it; a release frees the lease at once', async () => {
    const a = await LeaseBucket.open(await conn(), { bucket: 'leases-a', ttlMs: 3000, owner: 'central-a' });
    const b = await LeaseBucket.open(await conn(), { bucket: 'leases-a', ttlMs: 3000, owner: 'central-b' });
    expect(a.ttlMs).toBe(3000);
    const info = await (await (await conn()).jetstreamManager()).streams.info('KV_leases-a');
    // a single server: the "auto" rule settles for one copy, as for streams
    expect(info.config.num_replicas).toBe(1);
    expect(info.config.max_msgs_per_subject).toBe(1);
    const lost: string[] = [];
    const la = await a.acquire('HIST.x', what, (r) => lost.push(r));
    const refused = await b.acquire('HIST.x', what, () => undefined).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect((refused as LeaseHeldError).holder).toMatchObject({ name: 'central-a', pid: process.pid, filter: 'hist.x.>' });
    expect((refused as Error).message).toContain('central-a (host ');
    // renewals keep it past several TTLs
    const renewedBefore = (await a.holder('HIST.x'))!.renewed;
    await waitFor(async () => ((await a.holder('HIST.x'))?.renewed ?? 0) > renewedBefore + 3000, { timeoutMs: 10_000, what: 'renewals over more than one TTL' });
    expect(la.isHeld()).toBe(true);
    expect(await b.acquire('HIST.x', what, () => undefined).catch((e: unknown) => e)).toBeInstanceOf(LeaseHeldError);
    await la.release();
    const lb = await b.acquire('HIST.x', what, () => undefined);
    expect((await b.holder('HIST.x'))?.name).toBe('central-b');
    expect(lost).toEqual([]);
    await lb.release();
  });

  it('a holder that stops renewing loses the lease to the TTL; the next one takes it then', async () => {
    const dying = await conn();
    const a = await LeaseBucket.open(dying, { bucket: 'leases-b', ttlMs: 3000, owner: 'central-a' });
    const b = await LeaseBucket.open(await conn(), { bucket: 'leases-b', ttlMs: 3000, owner: 'central-b' });
    const lost: string[] = [];
    await a.acquire('HIST.x', what, (r) => lost.push(r));
    // the connection gone, as when the process dies: nothing renews the lease any more
    await dying.close();
    expect(await b.acquire('HIST.x', what, () => undefined).catch((e: unknown) => e)).toBeInstanceOf(LeaseHeldError);
    // the old holder gives up pulling before the server lets anyone else have the lease
    await waitFor(() => lost.length > 0, { timeoutMs: 5000, what: 'the old holder declaring its lease lost' });
    expect(lost[0]).toMatch(/not renewed before it would expire/);
    const lb = await waitFor(async () => (await b.acquire('HIST.x', what, () => undefined).catch(() => null))!, { timeoutMs: 10_000, intervalMs: 200, what: 'the lease free after its TTL' });
    expect((await b.holder('HIST.x'))?.name).toBe('central-b');
    await lb.release();
  });

  it('an ingest whose lease was taken stops pulling that partition at once and says so', async () => {
    const stored: Sample[] = [];
    const ids = new EventIdSet({ file: path.join(dir, 'ids.db') });
    const events: OwnershipEvent[] = [];
    const errors: string[] = [];
    const ing = new NatsIngest({
      servers: server.url, stream: 'HISTL', createStream: { subjects: ['histl.>'] }, ackWaitMs: 1000, batch: 50,
      name: 'central-a', leaseBucket: 'leases-c', leaseTtlMs: 3000,
      partitions: [{ filterSubject: 'histl.acme.s0.>' }],
      onOwnership: (e) => events.push(e), onError: (m) => errors.push(m),
    }, new EnvelopeIngestor({ sink: { write: async (s) => { stored.push(...s); } }, ids }));
    await ing.start();
    await waitFor(() => events.some((e) => e.owned), { timeoutMs: 10_000, what: 'partition owned' });
    const sf = StoreForward.open({ dir: path.join(dir, 'gw'), source: 'gw1', template: 'histl.{tag:4}', lingerMs: 0, uplink: { type: 'nats', servers: server.url } });
    const batch = (from: number) => Array.from({ length: 20 }, (_, i) => ({ tag: 'acme.s0.line1.m0.v', ts: 1_700_000_000_000 + from + i, value: i, quality: 0 }));
    await sf.write(batch(0));
    await waitFor(() => stored.length === 20, { timeoutMs: 10_000, what: 'first batch stored' });
    // another process forces its way in (what a second owner would look like to the server)
    const kv = await (await conn()).jetstream().views.kv('leases-c');
    const key = 'HISTL.historian-ingest-histl_acme_s0_all';
    const cur = await kv.get(key);
    await kv.update(key, new TextEncoder().encode(JSON.stringify({ ...JSON.parse(cur!.string()), name: 'central-b', token: 'other', renewed: Date.now() })), cur!.revision);
    await waitFor(() => events.some((e) => !e.owned), { timeoutMs: 5000, what: 'the ingest noticing its lease was taken' });
    expect(events.find((e) => !e.owned)?.reason).toMatch(/lease lost \(now held by central-b/);
    expect(errors.join('\n')).toMatch(/partition histl\.acme\.s0\.> \(consumer historian-ingest-histl_acme_s0_all\): lease lost .* stopped pulling it/);
    await sf.write(batch(100));
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 10_000, what: 'second batch in the stream' });
    // the partition belongs to the other process now: retries are refused with its name
    await waitFor(() => errors.some((m) => /is being pulled by another process: central-b/.test(m)), { timeoutMs: 10_000, what: 'refusal naming the new holder' });
    const jsm = await (await conn()).jetstreamManager();
    const ci = await jsm.consumers.info('HISTL', 'historian-ingest-histl_acme_s0_all');
    expect(ci.num_pending + ci.num_ack_pending).toBeGreaterThan(0);
    expect(stored).toHaveLength(20);
    await sf.close();
    await ing.stop();
    ids.close();
  });
});
