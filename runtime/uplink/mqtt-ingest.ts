// Central MQTT ingest: a persistent-session QoS 1 subscriber whose PUBACK is sent only
// after the envelope's samples are durable in the store (mqtt.js sends the PUBACK when
// handleMessage calls back). Unacknowledged messages are redelivered by the broker on
// reconnect; the event id set drops the ones already stored.
import mqtt, { type MqttClient } from 'mqtt';
import { describeMqttError, mqttOptions, type MqttConnectOptions } from './mqtt-connection';
import type { EnvelopeIngestor } from './envelope-ingestor';

export interface MqttIngestOptions extends MqttConnectOptions {
  /** topic filters, e.g. ["hist/#"] */
  topics: string[];
  onError?: (message: string) => void;
}

export class MqttIngest {
  private client: MqttClient | null = null;
  readonly stats = { messages: 0, connected: false, lastError: null as string | null };

  constructor(readonly o: MqttIngestOptions, private readonly ingestor: EnvelopeIngestor) {
    mqttOptions(o);
    if (!Array.isArray(o.topics) || !o.topics.length) throw new Error('topics: give at least one topic filter such as "hist/#"');
  }

  /** Connects and subscribes; resolves once subscribed. */
  start(): Promise<void> {
    const client = mqtt.connect(this.o.url, mqttOptions(this.o));
    this.client = client;
    client.handleMessage = (packet, done) => {
      const payload = packet.payload as Buffer;
      this.ingestor.ingest([payload]).then(() => { this.stats.messages++; done(); }, (e: Error) => {
        this.stats.lastError = e.message;
        this.o.onError?.(`store write failed; the broker will redeliver: ${e.message}`);
        // no PUBACK: drop the connection so the broker redelivers on reconnect
        client.stream?.destroy();
      });
    };
    client.on('error', (e) => { const m = describeMqttError(e, this.o.url); this.stats.lastError = m; this.o.onError?.(m); });
    client.on('close', () => { this.stats.connected = false; });
    return new Promise((resolve, reject) => {
      client.on('connect', (ack) => {
        this.stats.connected = true;
        if (ack.sessionPresent) { resolve(); return; }
        client.subscribe(this.o.topics, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
      });
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(false).catch(() => undefined);
  }
}
