import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import storeForward from '../../nodes/store-forward/store-forward';
import mqttMetrics from '../../nodes/mqtt-metrics/mqtt-metrics';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const completeNode = require('@node-red/nodes/core/common/24-complete.js');
import { resetServices, services } from '../../runtime/registry';
import { TsdbStore } from '../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../runtime/uplink/event-id-set';
import { NatsIngest } from '../../runtime/uplink/nats-ingest';
import { MqttIngest } from '../../runtime/uplink/mqtt-ingest';
import { startMosquitto } from '../helpers/mosquitto';
import { startNats, type NatsServer } from '../helpers/nats';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  nats = await startNats();
  dir = await makeTempDir('historian-sf-node-');
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

function load(nodes: any, flow: any[], credentials: any = {}): Promise<void> {
  return new Promise((resolve) => helper.load(nodes, flow, credentials, () => resolve()));
}

describe('store-forward node', () => {
  it('buffers samples and batches, forwards them over NATS, registers its buffer and reports status', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data1');
    const store = await TsdbStore.open({ dir: path.join(dir, 'central1'), maintenanceIntervalMs: 0 });
    const ids = new EventIdSet({ file: path.join(dir, 'ids1.db') });
    const ingest = new NatsIngest({ servers: nats.url, stream: 'NODE1', createStream: { subjects: ['n1.>'] } }, new EnvelopeIngestor({ sink: store, ids }));
    await ingest.start();
    await load(storeForward, [{ id: 'f1', type: 'store-forward', name: 'up1', source: 'gwA', uplink: 'nats', url: nats.url, template: 'n1.{tag:2}', stream: 'NODE1', streamSubjects: 'n1.>', createStream: true, batchSize: 100, lingerMs: 10 }]);
    const n = helper.getNode('f1');
    const errors: string[] = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    n.receive({ payload: Array.from({ length: 250 }, (_, i) => ({ tag: 'a.b.c', ts: 1_700_000_000_000 + i, value: i })) });
    n.receive({ topic: 'a.b.d', payload: 7, timestamp: 1_700_000_000_000 });
    n.receive({ payload: [{ tag: 'a.b.c', ts: 1_700_000_001_000, value: 1 }, { tag: 'bad tag', ts: 1, value: 2 }] });
    await waitFor(() => errors.length > 0, { what: 'the invalid sample reported' });
    expect(errors[0]).toMatch(/^\[1\]\.tag: /);
    const buf = services().components.buffers.get('up1') as any;
    expect(buf).toBeTruthy();
    await waitFor(() => buf.status().sentSamples === 252, { timeoutMs: 10_000, what: '252 samples acknowledged' });
    let got = 0;
    for await (const b of store.raw({ tag: 'a.b.c', from: 0, to: 2e12 })) got += b.ts.length;
    expect(got).toBe(251);
    const statuses: any[] = [];
    n.on('call:status', (c: any) => statuses.push(c.firstArg));
    await waitFor(() => statuses.some((s) => /^connected/.test(s.text ?? '')), { timeoutMs: 3000, what: 'connected status' });
    // metrics are exported per buffer
    const text = await services().metrics.metrics();
    expect(text).toMatch(/historian_buffer_sent_samples_total\{buffer="up1"\} 252/);
    expect(text).toMatch(/historian_buffer_pending_entries\{buffer="up1"\} 0/);
    await helper.unload();
    expect(services().components.buffers.get('up1')).toBeUndefined();
    await ingest.stop();
    ids.close();
    await store.close();
  });

  it('keeps credentials out of the flow and shows "buffering" while the broker is unreachable', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data2');
    await load(storeForward, [{ id: 'f2', type: 'store-forward', name: 'up2', source: 'gwB', uplink: 'nats', url: 'nats://127.0.0.1:1', template: 'x.{tag}', lingerMs: 0 }],
      { f2: { user: 'gw', password: 'secret' } });
    const n = helper.getNode('f2');
    expect(n.credentials).toMatchObject({ user: 'gw', password: 'secret' });
    const statuses: any[] = [];
    n.on('call:status', (c: any) => statuses.push(c.firstArg));
    n.receive({ topic: 'a.b', payload: 1 });
    await waitFor(() => statuses.some((s) => /^buffering 1 /.test(s.text ?? '')), { timeoutMs: 3000, what: 'buffering status' });
  });

  it('reports a bad configuration naming the field', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data3');
    await load(storeForward, [{ id: 'f3', type: 'store-forward', name: 'up3', uplink: 'nats', url: '', template: 'x.{tag}' }]);
    const n = helper.getNode('f3');
    const errors: string[] = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    n.receive({ topic: 'a.b', payload: 1 });
    await waitFor(() => errors.some((e) => /not running/.test(e)), { what: 'input refused' });
    expect(errors[0]).toMatch(/^url: /);
  });

  it('with the connection from the settings and no HISTORIAN_NATS_URL / _MQTT_URL: inactive, says so, nothing errors', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data4');
    helper.settings({ historian: { nats: { url: '' }, mqtt: { url: '' } } });
    try {
      await load([storeForward, completeNode], [
        { id: 'f4', type: 'store-forward', name: 'nats-uplink', uplink: 'nats', connection: 'settings', url: '', stream: 'HISTORIAN' },
        { id: 'f5', type: 'store-forward', name: 'mqtt-uplink', uplink: 'mqtt', connection: 'settings', url: '' },
        { id: 'c4', type: 'complete', scope: ['f4'], uncaught: false, wires: [['h4']] },
        { id: 'h4', type: 'helper' },
      ]);
      const errors: string[] = [];
      for (const id of ['f4', 'f5']) helper.getNode(id).on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
      // Node.prototype.status is a spy shared by all nodes: the last call made on this node
      const statusOf = (id: string) => {
        const calls = (helper.getNode(id) as any).status.getCalls().filter((c: any) => c.thisValue?.id === id);
        return calls[calls.length - 1]?.firstArg;
      };
      expect(statusOf('f4')).toEqual({ fill: 'grey', shape: 'ring', text: 'not configured: set HISTORIAN_NATS_URL' });
      expect(statusOf('f5')).toEqual({ fill: 'grey', shape: 'ring', text: 'not configured: set HISTORIAN_MQTT_URL' });
      // the message completes (Node-RED's complete node sees it) without an error
      const completed: unknown[] = [];
      helper.getNode('h4').on('input', (m: unknown) => completed.push(m));
      helper.getNode('f4').receive({ payload: [{ tag: 'a.b.c', ts: 1_700_000_000_000, value: 1 }] });
      await waitFor(() => completed.length === 1, { what: 'input completed' });
      expect(errors).toEqual([]);
      expect(services().components.buffers.entries().length).toBe(0);
    } finally {
      helper.settings({});
    }
  });

  it('with the connection from the settings and HISTORIAN_MQTT_URL set: forwards to that broker', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data7');
    const mqtt = await startMosquitto();
    helper.settings({ historian: { mqtt: { url: mqtt.url } } });
    const store = await TsdbStore.open({ dir: path.join(dir, 'central7'), maintenanceIntervalMs: 0 });
    const ids = new EventIdSet({ file: path.join(dir, 'ids7.db') });
    const ingest = new MqttIngest({ url: mqtt.url, clientId: 'central7', topics: ['h7/#'] }, new EnvelopeIngestor({ sink: store, ids }));
    await ingest.start();
    try {
      await load(storeForward, [{ id: 'f7', type: 'store-forward', name: 'up7', uplink: 'mqtt', connection: 'settings', url: '', template: 'h7/{source}/{tag}', lingerMs: 10 }]);
      helper.getNode('f7').receive({ payload: Array.from({ length: 20 }, (_, i) => ({ tag: 'a.b.m', ts: 1_700_000_000_000 + i, value: i })) });
      await waitFor(async () => (await store.latest(['a.b.m']))[0]?.value === 19, { timeoutMs: 10_000, what: 'forwarded samples' });
    } finally {
      helper.settings({});
      await helper.unload();
      await ingest.stop();
      ids.close();
      await store.close();
      await mqtt.dispose();
    }
  });

  it('with the connection from the settings and HISTORIAN_NATS_URL set: forwards to that server', async () => {
    resetServices();
    services().dataDir = path.join(dir, 'data6');
    helper.settings({ historian: { nats: { url: nats.url } } });
    const store = await TsdbStore.open({ dir: path.join(dir, 'central6'), maintenanceIntervalMs: 0 });
    const ids = new EventIdSet({ file: path.join(dir, 'ids6.db') });
    const ingest = new NatsIngest({ servers: nats.url, stream: 'NODE6', createStream: { subjects: ['n6.>'] } }, new EnvelopeIngestor({ sink: store, ids }));
    await ingest.start();
    try {
      await load(storeForward, [{ id: 'f6', type: 'store-forward', name: 'up6', uplink: 'nats', connection: 'settings', url: '', template: 'n6.{tag}', stream: 'NODE6', streamSubjects: 'n6.>', lingerMs: 10 }]);
      helper.getNode('f6').receive({ payload: Array.from({ length: 20 }, (_, i) => ({ tag: 'a.b.c', ts: 1_700_000_000_000 + i, value: i })) });
      await waitFor(async () => (await store.latest(['a.b.c']))[0]?.value === 19, { timeoutMs: 10_000, what: 'forwarded samples' });
    } finally {
      helper.settings({});
      await ingest.stop();
      ids.close();
      await store.close();
    }
  });
});

describe('mqtt-metrics node', () => {
  it('maps metrics/{tenant}/{agent}/{metric} to tags and rejects bad payloads naming the field', async () => {
    await load(mqttMetrics, [{ id: 'm1', type: 'mqtt-metrics', prefix: 'metrics', wires: [['h1']] }, { id: 'h1', type: 'helper' }]);
    const n = helper.getNode('m1');
    const out: any[] = [];
    helper.getNode('h1').on('input', (m: any) => out.push(m));
    const errors: string[] = [];
    n.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
    n.receive({ topic: 'metrics/acme/agent 7/cpu/load', payload: Buffer.from('0.75') });
    n.receive({ topic: 'metrics/acme/agent7/mem', payload: { value: 12, ts: 1_700_000_000_000, quality: 'UNCERTAIN' } });
    n.receive({ topic: 'metrics/acme/agent7/up', payload: 'oops' });
    n.receive({ topic: 'other/acme/x/y', payload: 1 });
    await waitFor(() => out.length === 2 && errors.length === 2, { what: 'two outputs and two errors' });
    expect(out[0].payload).toEqual([expect.objectContaining({ tag: 'acme.agent_7.cpu.load', value: 0.75, quality: 'GOOD' })]);
    expect(out[1].payload).toEqual([{ tag: 'acme.agent7.mem', ts: 1_700_000_000_000, value: 12, quality: 'UNCERTAIN' }]);
    expect(errors[0]).toMatch(/^msg\.payload\.value: /);
    expect(errors[1]).toMatch(/^msg\.topic: /);
  });
});
