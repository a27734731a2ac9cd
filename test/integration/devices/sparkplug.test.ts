// Acceptance: Sparkplug B through a real mosquitto broker, from an edge-node publisher
// (sparkplug-payload encoding + mqtt) to the decoder subscribed as a host application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { get } from 'sparkplug-payload';
import { decodePayload, SparkplugDecoder } from '../../../runtime/devices/sparkplug';
import { qualityName, type Sample } from '../../../runtime/model';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { waitFor } from '../../helpers/wait';

const sp = get('spBv1.0')!;
const enc = (p: any) => Buffer.from(sp.encodePayload(p));
let broker: MosquittoServer;
beforeAll(async () => { broker = await startMosquitto(); });
afterAll(async () => { await broker?.dispose(); });

/** A minimal edge node: births, data with seq, answers rebirth commands, dies by its will. */
class EdgeNode {
  client!: MqttClient;
  seq = 0;
  bdSeq = 7;
  rebirths = 0;
  speed = 100;
  constructor(readonly group: string, readonly edge: string) {}
  topic(type: string, device?: string) { return `spBv1.0/${this.group}/${type}/${this.edge}${device ? `/${device}` : ''}`; }
  async connect() {
    this.client = await mqtt.connectAsync(broker.url, {
      clientId: `edge-${this.edge}`, reconnectPeriod: 0,
      will: { topic: this.topic('NDEATH'), payload: enc({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.bdSeq }] }), qos: 0, retain: false },
    });
    await this.client.subscribeAsync(this.topic('NCMD'));
    this.client.on('message', (_t, payload) => {
      const cmd = decodePayload(payload);
      if (cmd.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
        this.rebirths++;
        void this.birth();
      }
    });
  }
  next() { const s = this.seq; this.seq = (this.seq + 1) % 256; return s; }
  async birth() {
    this.seq = 0;
    await this.client.publishAsync(this.topic('NBIRTH'), enc({ timestamp: Date.now(), seq: this.next(), metrics: [
      { name: 'bdSeq', type: 'UInt64', value: this.bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Gateway/CPU', alias: 1, type: 'Float', value: 12.5 },
    ] }));
    await this.client.publishAsync(this.topic('DBIRTH', 'Pump1'), enc({ timestamp: Date.now(), seq: this.next(), metrics: [
      { name: 'Motor/Speed', alias: 2, type: 'Int32', value: this.speed },
      { name: 'Motor/Running', alias: 3, type: 'Boolean', value: true },
    ] }));
  }
  async data(speed: number, ts: number, seq = this.next()) {
    this.speed = speed;
    await this.client.publishAsync(this.topic('DDATA', 'Pump1'), enc({ timestamp: ts, seq, metrics: [{ alias: 2, type: 'Int32', value: speed, timestamp: ts }] }));
  }
}

describe('sparkplug B through mosquitto', () => {
  it('decodes births and data, requests and gets a rebirth after a seq gap, and marks everything BAD on death', async () => {
    const decoder = new SparkplugDecoder({ prefix: 'spb', rebirthIntervalMs: 0 });
    const samples: Sample[] = [];
    const host = await mqtt.connectAsync(broker.url, { clientId: 'historian-host', reconnectPeriod: 0 });
    await host.subscribeAsync('spBv1.0/#');
    host.on('message', (topic, payload) => {
      const r = decoder.handle(topic, payload);
      samples.push(...r.samples);
      if (r.rebirth) void host.publishAsync(r.rebirth.topic, r.rebirth.payload);
    });
    const edge = new EdgeNode('Line 1', 'gw-01');
    await edge.connect();
    try {
      await edge.birth();
      await waitFor(() => samples.length >= 3, { what: 'birth samples' });
      expect(samples.map((s) => [s.tag, s.value, qualityName(s.quality)])).toEqual([
        ['spb.Line_1.gw-01.Gateway.CPU', 12.5, 'GOOD'],
        ['spb.Line_1.gw-01.Pump1.Motor.Speed', 100, 'GOOD'],
        ['spb.Line_1.gw-01.Pump1.Motor.Running', 1, 'GOOD'],
      ]);
      const t1 = Date.now() - 1000;
      await edge.data(-42, t1);
      await waitFor(() => samples.length >= 4, { what: 'DDATA sample' });
      expect(samples[3]).toEqual({ tag: 'spb.Line_1.gw-01.Pump1.Motor.Speed', ts: t1, value: -42, quality: 0 });

      // a lost message (seq jumps) → rebirth request over MQTT → the edge node births again
      await edge.data(55, Date.now(), (edge.seq + 3) % 256);
      await waitFor(() => edge.rebirths === 1, { what: 'rebirth command received by the edge node' });
      await waitFor(() => samples.filter((s) => s.tag.endsWith('Gateway.CPU')).length === 2, { what: 'samples of the rebirth' });
      expect(decoder.stats.seqErrors).toBe(1);
      const n = samples.length;
      await edge.data(60, Date.now());
      await waitFor(() => samples.length > n, { what: 'data after rebirth' });
      expect(samples[samples.length - 1]).toMatchObject({ tag: 'spb.Line_1.gw-01.Pump1.Motor.Speed', value: 60, quality: 0 });
      expect(decoder.stats.seqErrors).toBe(1);

      // the edge node's connection drops: mosquitto publishes its NDEATH will
      const before = samples.length;
      edge.client.stream.destroy();
      await waitFor(() => samples.length >= before + 3, { what: 'death samples', timeoutMs: 10_000 });
      const dead = samples.slice(before);
      expect(dead.map((s) => [s.tag, s.value, qualityName(s.quality)]).sort()).toEqual([
        ['spb.Line_1.gw-01.Gateway.CPU', 12.5, 'BAD_NOT_CONNECTED'],
        ['spb.Line_1.gw-01.Pump1.Motor.Running', 1, 'BAD_NOT_CONNECTED'],
        ['spb.Line_1.gw-01.Pump1.Motor.Speed', 60, 'BAD_NOT_CONNECTED'],
      ]);
      expect(decoder.isOnline('Line 1', 'gw-01')).toBe(false);
    } finally {
      edge.client.end(true);
      await host.endAsync();
    }
  }, 30_000);
});
