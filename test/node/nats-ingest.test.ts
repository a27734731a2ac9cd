import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import natsIngest from '../../nodes/nats-ingest/nats-ingest';
import historianStore from '../../nodes/historian-store/historian-store';
import { resetServices, services } from '../../runtime/registry';
import { TsdbStore } from '../../runtime/tsdb/store';
import { encodeEnvelope } from '../../runtime/uplink/envelope';
import { startNats, type NatsServer } from '../helpers/nats';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  nats = await startNats();
  dir = await makeTempDir('historian-ingest-node-');
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

// The node creates the stream and its consumer; publishing before it finished raced with
// the creation (a create of an identical stream can answer before the stream listens on its
// subjects, and the publish then got 503 no responders).
async function nodeReady(nc: NatsConnection, stream: string, durable: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await waitFor(() => jsm.consumers.info(stream, durable).then(() => true), { timeoutMs: 10_000, what: `the node's consumer ${durable}` });
}

describe('nats-ingest node', () => {
  it('stores envelopes from the stream once (redelivered ids dropped) and sends stored batches on', async () => {
    resetServices();
    services().dataDir = dir;
    const flow = [
      { id: 'cfgStore', type: 'historian-store', name: 'central', directory: 'tsdb/central', fsync: 'interval' },
      { id: 'in1', type: 'nats-ingest', store: 'cfgStore', url: nats.url, stream: 'CENTRAL', streamSubjects: 'c.>', createStream: true, durable: 'central-ingest', ackWaitS: 5, batch: 100, output: true, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await new Promise<void>((resolve) => helper.load([historianStore, natsIngest] as any, flow, () => resolve()));
    const out: any[] = [];
    helper.getNode('h1').on('input', (m: any) => out.push(m));
    const nc = await connect({ servers: nats.url });
    await nodeReady(nc, 'CENTRAL', 'central-ingest');
    const js = nc.jetstream();
    const env = (id: string, from: number) => encodeEnvelope({ id, source: 'gw9', category: 'telemetry', created: Date.now(), samples: Array.from({ length: 10 }, (_, i) => ({ tag: 'p.q.r', ts: 1_700_000_000_000 + from + i, value: i, quality: 0 })) });
    await js.publish('c.p', env('0190a000-0000-7000-8000-000000000001', 0));
    await js.publish('c.p', env('0190a000-0000-7000-8000-000000000002', 10));
    // the same event again (a gateway re-send after the duplicate window, or over another path)
    await js.publish('c.p', env('0190a000-0000-7000-8000-000000000001', 0));
    await js.publish('c.p', Buffer.from('{not json'));
    await waitFor(() => out.reduce((n, m) => n + m.payload.length, 0) >= 20, { timeoutMs: 10_000, what: '20 samples out' });
    const ids = out.flatMap((m) => m.eventIds);
    expect(ids.sort()).toEqual(['0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002']);
    expect(out[0].sources).toEqual(['gw9']);
    // every message, the duplicate and the unreadable one included, is acknowledged
    await waitFor(async () => {
      const info = await (await nc.jetstreamManager()).consumers.info('CENTRAL', 'central-ingest');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, { timeoutMs: 10_000, what: 'consumer drained' });
    await nc.close();
    await helper.unload();
    const store = await TsdbStore.open({ dir: path.join(dir, 'tsdb/central'), maintenanceIntervalMs: 0 });
    const ts: number[] = [];
    for await (const b of store.raw({ tag: 'p.q.r', from: 0, to: 2e12 })) ts.push(...b.ts);
    expect(ts).toEqual(Array.from({ length: 20 }, (_, i) => 1_700_000_000_000 + i));
    await store.close();
  });

  it('stores every sample of an envelope on a deadband tag: envelope ingest does not apply the write policy (runtime/ingest/write-policy.ts)', async () => {
    resetServices();
    services().dataDir = dir;
    const flow = [
      { id: 'cfgStore', type: 'historian-store', name: 'central3', directory: 'tsdb/central3', fsync: 'interval' },
      { id: 'in1', type: 'nats-ingest', store: 'cfgStore', url: nats.url, stream: 'CENTRAL3', streamSubjects: 'e.>', createStream: true, durable: 'central3-ingest', ackWaitS: 5, batch: 100, output: true, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await new Promise<void>((resolve) => helper.load([historianStore, natsIngest] as any, flow, () => resolve()));
    const store = await services().components.stores.get('central3')!.ready;
    store.tags.update('p.tank.level', { loggingMode: 'deadband', deviation: 1 });
    const out: any[] = [];
    helper.getNode('h1').on('input', (m: any) => out.push(m));
    const nc = await connect({ servers: nats.url });
    await nodeReady(nc, 'CENTRAL3', 'central3-ingest');
    const values = [10, 10.2, 10.4, 12, 12.5, 14];
    await nc.jetstream().publish('e.p', encodeEnvelope({
      id: '0190a000-0000-7000-8000-000000000031', source: 'gw9', category: 'telemetry', created: Date.now(),
      samples: values.map((value, i) => ({ tag: 'p.tank.level', ts: 1_700_000_000_000 + i * 1000, value, quality: 0 })),
    }));
    await waitFor(() => out.length > 0, { timeoutMs: 10_000, what: 'the stored batch' });
    await nc.close();
    const got: number[] = [];
    for await (const b of store.raw({ tag: 'p.tank.level', from: 0, to: 2e12 })) got.push(...b.values);
    expect(got).toEqual(values);
  });

  it('does not pass on or count as stored the samples the store refuses, and reports them', async () => {
    resetServices();
    services().dataDir = dir;
    const flow = [
      { id: 'cfgStore', type: 'historian-store', name: 'central2', directory: 'tsdb/central2', fsync: 'interval' },
      { id: 'in1', type: 'nats-ingest', store: 'cfgStore', url: nats.url, stream: 'CENTRAL2', streamSubjects: 'd.>', createStream: true, durable: 'central2-ingest', ackWaitS: 5, batch: 100, output: true, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await new Promise<void>((resolve) => helper.load([historianStore, natsIngest] as any, flow, () => resolve()));
    const out: any[] = [];
    helper.getNode('h1').on('input', (m: any) => out.push(m));
    const warnings: string[] = [];
    helper.getNode('in1').on('call:warn', (c: any) => warnings.push(String(c.firstArg)));
    const nc = await connect({ servers: nats.url });
    await nodeReady(nc, 'CENTRAL2', 'central2-ingest');
    const now = Date.now();
    const samples = [
      { tag: 'p.q.s', ts: now - 86_400_000, value: 1, quality: 0 }, // a day late: stored
      { tag: 'p.q.s', ts: now + 7 * 86_400_000, value: 2, quality: 0 }, // a week ahead: refused
      { tag: 'p.q.s', ts: now, value: 3, quality: 0 },
    ];
    await nc.jetstream().publish('d.p', encodeEnvelope({ id: '0190a000-0000-7000-8000-0000000000a1', source: 'gw1', category: 'telemetry', created: now, samples }));
    await waitFor(() => out.length === 1 && warnings.length === 1, { timeoutMs: 10_000, what: 'stored batch and a warning' });
    expect(out[0].payload.map((s: any) => s.value)).toEqual([1, 3]);
    expect(warnings[0]).toMatch(/refused 1 of 3 samples: ts: .* ahead of the server clock/);
    // acknowledged all the same: a redelivery would be refused again
    await waitFor(async () => {
      const info = await (await nc.jetstreamManager()).consumers.info('CENTRAL2', 'central2-ingest');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, { timeoutMs: 10_000, what: 'consumer drained' });
    await nc.close();
    await helper.unload();
    const store = await TsdbStore.open({ dir: path.join(dir, 'tsdb/central2'), maintenanceIntervalMs: 0 });
    const values: number[] = [];
    for await (const b of store.raw({ tag: 'p.q.s', from: 0, to: 8e12 })) values.push(...b.values);
    expect(values).toEqual([1, 3]);
    await store.close();
  });
  it('pulls a partition only under its lease: a second node on the same partition warns naming the holder and shows it in its status', async () => {
    resetServices();
    services().dataDir = dir;
    const node = (id: string, name: string, store: string) => ({
      id, type: 'nats-ingest', name, store, url: nats.url, stream: 'CENTRAL4', streamSubjects: 'g.>', createStream: true,
      durable: 'central4', partitions: 'g.acme.s1.>', leaseTtlS: 3, ackWaitS: 5, batch: 100, output: false, wires: [],
    });
    const flow = [
      { id: 'cfgA', type: 'historian-store', name: 'central4a', directory: 'tsdb/central4a', fsync: 'interval' },
      { id: 'cfgB', type: 'historian-store', name: 'central4b', directory: 'tsdb/central4b', fsync: 'interval' },
      node('inA', 'central-a', 'cfgA'),
      node('inB', 'central-b', 'cfgB'),
    ];
    await new Promise<void>((resolve) => helper.load([historianStore, natsIngest] as any, flow, () => resolve()));
    const status: Record<string, any[]> = { inA: [], inB: [] };
    const warnings: Record<string, string[]> = { inA: [], inB: [] };
    for (const id of ['inA', 'inB']) {
      helper.getNode(id).on('call:status', (c: any) => status[id].push(c.firstArg));
      helper.getNode(id).on('call:warn', (c: any) => warnings[id].push(String(c.firstArg)));
    }
    const last = (id: string) => status[id].at(-1)?.text ?? '';
    // whichever started first owns the partition; the other one waits, says who holds it, and is yellow
    const [owner, other] = await waitFor((): [string, string] | null => {
      if (/1\/1 partitions/.test(last('inA')) && /0\/1 partitions/.test(last('inB'))) return ['inA', 'inB'];
      if (/1\/1 partitions/.test(last('inB')) && /0\/1 partitions/.test(last('inA'))) return ['inB', 'inA'];
      return null;
    }, { timeoutMs: 15_000, what: 'one node owning the partition, the other waiting' }) as [string, string];
    expect(status[owner].at(-1).fill).toBe('green');
    expect(status[other].at(-1).fill).toBe('yellow');
    const ownerName = owner === 'inA' ? 'central-a' : 'central-b';
    await waitFor(() => warnings[other].some((w) => w.includes(`g.acme.s1.> (consumer central4-g_acme_s1_all) is being pulled by another process: historian nats-ingest ${ownerName} (host `)),
      { timeoutMs: 10_000, what: 'the waiting node naming the holder' });
    const nc = await connect({ servers: nats.url });
    const kv = await nc.jetstream().views.kv('historian-ingest-leases');
    const held = await kv.get('CENTRAL4.central4-g_acme_s1_all');
    expect(JSON.parse(held!.string())).toMatchObject({ name: `historian nats-ingest ${ownerName}`, filter: 'g.acme.s1.>', ttlMs: 3000 });
    await helper.unload();
    // closing the flow released the lease at once (a delete marker, no waiting for the TTL)
    expect((await kv.get('CENTRAL4.central4-g_acme_s1_all'))?.operation).toBe('DEL');
    await nc.close();
  });
});
