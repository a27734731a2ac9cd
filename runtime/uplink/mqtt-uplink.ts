// MQTT uplink: QoS 1 publish; the entry leaves the buffer on PUBACK. The session is
// persistent, so the client library re-sends unacknowledged messages after a reconnect;
// an acknowledgement that never comes times out and the buffer sends the entry again
// (the central side drops the duplicate by event id).
import mqtt, { type MqttClient } from 'mqtt';
import { PermanentError, type OutboundEntry, type Sender } from '../buffer';
import { describeMqttError, mqttOptions, type MqttConnectOptions } from './mqtt-connection';

export interface MqttUplinkOptions extends MqttConnectOptions {
  /** PUBACK wait before the entry is retried (default 30 s) */
  ackTimeoutMs?: number;
  /** payloads above this are refused locally and quarantined (default 256 MiB, the MQTT maximum) */
  maxPayloadBytes?: number;
}

// MQTT 5 PUBACK reason codes that will not change on retry
const PERMANENT_CODES = new Set([0x83, 0x87, 0x90, 0x95, 0x99]);

export class MqttUplink implements Sender {
  private client: MqttClient | null = null;
  private listeners = new Set<() => void>();
  lastError: string | null = null;

  constructor(readonly o: MqttUplinkOptions) {
    mqttOptions(o);
  }

  start(): Promise<void> {
    if (this.client) return Promise.resolve();
    const client = mqtt.connect(this.o.url, mqttOptions(this.o));
    this.client = client;
    client.on('connect', () => { for (const l of this.listeners) l(); });
    client.on('error', (e) => { this.lastError = describeMqttError(e, this.o.url); });
    return Promise.resolve();
  }

  isConnected(): boolean { return !!this.client?.connected; }

  onConnected(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  send(e: OutboundEntry): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('MQTT uplink not started'));
    if (e.body.length > (this.o.maxPayloadBytes ?? 268_435_455)) return Promise.reject(new PermanentError(`payload of ${e.body.length} bytes exceeds maxPayloadBytes`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no PUBACK for ${e.id} within ${this.o.ackTimeoutMs ?? 30_000} ms`)), this.o.ackTimeoutMs ?? 30_000);
      client.publish(e.subject, e.body, { qos: 1 }, (err, packet) => {
        clearTimeout(timer);
        const code = (err as { code?: number } | undefined)?.code ?? (packet as { reasonCode?: number } | undefined)?.reasonCode;
        if (err) {
          this.lastError = err.message;
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
