import path from 'node:path';
import { connect } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import natsIngest from '../../nodes/nats-ingest/nats-ingest';
import historianStore from '../../nodes/historian-store/historian-store';
import { resetServices, services } from '../../runtime/registry';
import { TsdbStore } from '../../runtime/tsdb/store';
import { encodeEnvelope } from '../../runtime/uplink/envelope';
import { ensureStream } from '../../runtime/uplink/nats-uplink';
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
    await ensureStream(nc, { name: 'CENTRAL', subjects: ['c.>'] });
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
    await ensureStream(nc, { name: 'CENTRAL3', subjects: ['e.>'] });
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
    await ensureStream(nc, { name: 'CENTRAL2', subjects: ['d.>'] });
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
});
