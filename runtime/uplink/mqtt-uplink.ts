// MQTT uplink: QoS 1 publish; the entry leaves the buffer on PUBACK. The session is
// persistent, so the client library re-sends unacknowledged messages after a reconnect;
// an acknowledgement that never comes times out and the buffer sends the entry again
// (the central side drops the duplicate by event id).
import mqtt, { type MqttClient } from 'mqtt';
import { PermanentError, type OutboundEntry, type Sender } from '../buffer';
import { describeMqttError, mqttOptions, type MqttConnectOptions } from './mqtt-connection';
import { splitToFit } from './envelope-split';

export interface MqttUplinkOptions extends MqttConnectOptions {
  /** PUBACK wait before the entry is retried (default 30 s) */
  ackTimeoutMs?: number;
  /** the largest payload sent in one message (default 256 MiB, the MQTT maximum); larger envelopes go in parts */
  maxPayloadBytes?: number;
}

/** PUBLISH bytes besides the topic and the payload: fixed header, topic length, packet id, properties length (and a margin) */
const PUBLISH_OVERHEAD = 16;

// MQTT 5 PUBACK reason codes that will not change on retry
const PERMANENT_CODES = new Set([0x83, 0x87, 0x90, 0x95, 0x99]);

export class MqttUplink implements Sender {
  private client: MqttClient | null = null;
  private listeners = new Set<() => void>();
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  /** the broker's Maximum Packet Size (MQTT 5 CONNACK), null when it announced none */
  brokerMaxPacket: number | null = null;

  constructor(readonly o: MqttUplinkOptions) {
    mqttOptions(o);
  }

  start(): Promise<void> {
    if (this.client) return Promise.resolve();
    const client = mqtt.connect(this.o.url, mqttOptions(this.o));
    this.client = client;
    client.on('connect', (connack) => {
      const max = connack?.properties?.maximumPacketSize;
      this.brokerMaxPacket = typeof max === 'number' && max > 0 ? max : null;
      for (const l of this.listeners) l();
    });
    client.on('error', (e) => { this.failed(describeMqttError(e, this.o.url)); });
    return Promise.resolve();
  }

  private failed(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  isConnected(): boolean { return !!this.client?.connected; }

  onConnected(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  /** The largest payload one message may carry to `subject` now (the broker's packet limit, our own). */
  payloadLimit(subject: string): number {
    const own = this.o.maxPayloadBytes ?? 268_435_455;
    return this.brokerMaxPacket === null ? own : Math.min(own, this.brokerMaxPacket - Buffer.byteLength(subject) - PUBLISH_OVERHEAD);
  }

  async send(e: OutboundEntry): Promise<void> {
    if (!this.client) throw new Error('MQTT uplink not started');
    // an oversize packet makes the broker drop the connection, and the session would send it
    // again at every reconnect: larger envelopes go as parts that fit (envelope-split.ts)
    const parts = splitToFit(e, this.payloadLimit(e.subject));
    for (const p of parts) await this.publish(p);
  }

  private publish(e: OutboundEntry): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('MQTT uplink not started'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no PUBACK for ${e.id} within ${this.o.ackTimeoutMs ?? 30_000} ms`)), this.o.ackTimeoutMs ?? 30_000);
      client.publish(e.subject, e.body, { qos: 1 }, (err, packet) => {
        clearTimeout(timer);
        const code = (err as { code?: number } | undefined)?.code ?? (packet as { reasonCode?: number } | undefined)?.reasonCode;
        if (err) {
          this.failed(err.message);
          if (typeof code === 'number' && PERMANENT_CODES.has(code)) reject(new PermanentError(`MQTT broker refused ${e.id}: ${err.message} (reason 0x${code.toString(16)})`));
          else reject(err);
        } else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}
