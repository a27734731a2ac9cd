// A publish the MQTT broker refuses (its ACL denies the topic), against a real Mosquitto:
// over MQTT 5, the default, the broker answers "not authorized" and the store-and-forward
// buffer quarantines the envelope, kept for a replay; over MQTT 3.1.1 the same broker
// acknowledges the refused publish as delivered, so the buffer counts the samples sent and
// they are gone, which is why 3.1.1 is only for brokers without MQTT 5.
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { describeMqttError } from '../../../runtime/uplink/mqtt-connection';
import { mqttConnectOptions, mqttProtocolVersion } from '../../../runtime/uplink/connection-settings';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import type { Sample } from '../../../runtime/model';

let dir: string;
let broker: MosquittoServer;
/** what a subscriber allowed everything (anonymous may read every topic) received, per topic */
const received = new Map<string, number>();
let sub: mqtt.MqttClient;
const open: StoreForward[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-mqtt-refused-');
  const acl = path.join(dir, 'acl');
  // anonymous clients may publish their own site only, and read everything
  fs.writeFileSync(acl, 'topic write hist/acme.izmir\ntopic read hist/#\n');
  broker = await startMosquitto({ extraConfig: [`acl_file ${acl}`] });
  sub = await mqtt.connectAsync(broker.url, { clientId: 'refused-test-sub', clean: true });
  sub.on('message', (t) => received.set(t, (received.get(t) ?? 0) + 1));
  await sub.subscribeAsync('hist/#', { qos: 1 });
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await sub?.endAsync(true);
  await broker?.dispose();
  if (dir) await removeTempDir(dir);
});

const samples = (tag: string, n: number): Sample[] => Array.from({ length: n }, (_, i) => ({ tag, ts: 1_700_000_000_000 + i, value: i, quality: 0 }));

function buffer(name: string, version?: string): StoreForward {
  const sf = StoreForward.open({
    dir: path.join(dir, name), source: name, template: 'hist/{tag:2}', lingerMs: 0,
    uplink: { type: 'mqtt', ...mqttConnectOptions({ url: broker.url, version }, `refused-${name}`), ackTimeoutMs: 5000 },
    dispatcher: { backoff: { baseMs: 50, maxMs: 500 } },
  });
  open.push(sf);
  return sf;
}

describe('a publish the MQTT broker refuses', () => {
  it('MQTT 5 (the default): the allowed site is delivered, the refused envelope is quarantined naming the refusal, and a purge deletes it', async () => {
    const sf = buffer('v5');
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 10_000, what: 'connected' });
    await sf.write(samples('acme.izmir.line1.pump1.flow', 20));
    await waitFor(() => sf.status().sentSamples === 20, { timeoutMs: 10_000, what: 'own site delivered' });
    await waitFor(() => (received.get('hist/acme.izmir') ?? 0) >= 1, { timeoutMs: 10_000, what: 'the subscriber got the own site' });
    await sf.write(samples('acme.bursa.line1.pump1.flow', 5));
    await waitFor(() => sf.status().quarantined === 1, { timeoutMs: 10_000, what: 'the refused envelope quarantined' });
    const st = sf.status();
    expect(st.sentSamples).toBe(20);
    expect(st.lastError).toMatch(/not authori[sz]ed/i);
    expect(sf.quarantined().map((q) => q.subject)).toEqual(['hist/acme.bursa']);
    expect(received.get('hist/acme.bursa')).toBeUndefined();
    expect(sf.purgeQuarantine()).toBe(1);
    expect(sf.status().quarantined).toBe(0);
  });

  it('MQTT 3.1.1: the broker acknowledges the refused publish, so the buffer counts it sent although nobody received it (why 5 is the default)', async () => {
    const sf = buffer('v311', '3.1.1');
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 10_000, what: 'connected' });
    const before = received.get('hist/acme.izmir') ?? 0;
    await sf.write(samples('acme.izmir.line2.pump1.flow', 3));
    await waitFor(() => (received.get('hist/acme.izmir') ?? 0) > before, { timeoutMs: 10_000, what: 'the own site delivered' });
    await sf.write(samples('acme.bursa.line2.pump1.flow', 4));
    await waitFor(() => sf.status().sentSamples === 7, { timeoutMs: 10_000, what: 'the refused samples counted as sent' });
    expect(sf.status().quarantined).toBe(0);
    expect(sf.status().pending).toBe(0);
    // a marker published after them arrives, so the refused envelope would have arrived before it
    await sf.write(samples('acme.izmir.line2.pump2.flow', 1));
    await waitFor(() => (received.get('hist/acme.izmir') ?? 0) > before + 1, { timeoutMs: 10_000, what: 'the marker delivered' });
    expect(received.get('hist/acme.bursa')).toBeUndefined();
  });

  it('the version setting: 5 unless 3.1.1 is asked for, anything else refused naming the field; a broker without MQTT 5 is named in the error', () => {
    expect(mqttProtocolVersion(undefined)).toBe(5);
    expect(mqttProtocolVersion('')).toBe(5);
    expect(mqttProtocolVersion('5')).toBe(5);
    expect(mqttProtocolVersion('3.1.1')).toBe(4);
    expect(() => mqttProtocolVersion('3')).toThrow(/^version: must be 5 or 3\.1\.1 \(got "3"\)/);
    expect(mqttConnectOptions({ url: 'mqtt://h:1883' }).protocolVersion).toBe(5);
    expect(describeMqttError(new Error('Connection refused: Unacceptable protocol version'), 'mqtt://h:1883')).toMatch(/does not speak MQTT 5 \(set the MQTT version to 3\.1\.1/);
  });
});
