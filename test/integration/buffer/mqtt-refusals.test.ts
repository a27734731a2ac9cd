// The MQTT ingest path reports what the store refuses (issue 18, defect 1): an envelope
// through a real mosquitto with a day-late sample, a current one and one stamped a week
// ahead. The late and current ones are stored; the future one is refused with its
// reason, counted, and not reported as stored.
import mqtt from 'mqtt';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { encodeEnvelope } from '../../../runtime/uplink/envelope';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { MqttIngest } from '../../../runtime/uplink/mqtt-ingest';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

let broker: MosquittoServer;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = await makeTempDir('mqtt-refusals-');
});
afterAll(async () => {
  await broker?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('MQTT ingest and store refusals', () => {
  it('stores late data, refuses a bad clock with its reason and reports only what was stored', async () => {
    const store = await TsdbStore.open({ dir: path.join(dir, 'store'), maintenanceIntervalMs: 0 });
    const ids = new EventIdSet({ file: path.join(dir, 'ids.db') });
    const errors: string[] = [];
    const stored: Array<{ samples: Sample[]; counts: number[] }> = [];
    const ingestor = new EnvelopeIngestor({
      sink: store, ids, onError: (m) => errors.push(m),
      onStored: (samples, envs) => stored.push({ samples, counts: envs.map((e) => e.count) }),
    });
    const ingest = new MqttIngest({ url: broker.url, clientId: 'refusals-ingest', topics: ['hist/#'] }, ingestor);
    await ingest.start();
    const now = Date.now();
    const samples = [
      { tag: 'm.q.late', ts: now - 86_400_000, value: 1, quality: 0 },
      { tag: 'm.q.late', ts: now + 7 * 86_400_000, value: 2, quality: 0 },
      { tag: 'm.q.late', ts: now, value: 3, quality: 0 },
    ];
    const pub = await mqtt.connectAsync(broker.url);
    await pub.publishAsync('hist/m', Buffer.from(encodeEnvelope({ id: '0190a000-0000-7000-8000-0000000000b1', source: 'gw2', category: 'telemetry', created: now, samples })), { qos: 1 });
    await waitFor(() => stored.length === 1, { what: 'the envelope stored' });
    expect(stored[0].samples.map((s) => s.value)).toEqual([1, 3]);
    expect(stored[0].counts).toEqual([2]);
    expect(ingestor.stats).toMatchObject({ samples: 2, rejectedSamples: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/refused 1 of 3 samples: ts: .* ahead of the server clock/);
    await pub.endAsync();
    await ingest.stop();
    ids.close();
    const values: number[] = [];
    for await (const b of store.raw({ tag: 'm.q.late', from: 0, to: 8e12 })) values.push(...b.values);
    expect(values).toEqual([1, 3]);
    await store.close();
  });
});
