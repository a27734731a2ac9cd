// MQTT client options shared by the uplink and the central side: persistent session
// (clean session off, fixed client id) so QoS 1 messages survive reconnects, user /
// password, TLS files.
import fs from 'node:fs';
import type { IClientOptions } from 'mqtt';

export interface MqttConnectOptions {
  url: string;
  /** fixed client id: the broker keeps the session under it (required with clean session off) */
  clientId: string;
  username?: string;
  password?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized?: boolean };
  /** MQTT 3.1.1 (4, default) or 5 */
  protocolVersion?: 4 | 5;
  reconnectPeriodMs?: number;
}

export function mqttOptions(o: MqttConnectOptions): IClientOptions {
  if (typeof o.url !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\//.test(o.url)) throw new Error(`url: must be an MQTT URL such as mqtt://host:1883 (got ${JSON.stringify(o.url)})`);
  if (typeof o.clientId !== 'string' || !o.clientId) throw new Error('clientId: required (the broker keeps the persistent session under it)');
  const read = (k: string, f?: string) => {
    if (!f) return undefined;
    try { return fs.readFileSync(f); } catch (e) { throw new Error(`tls.${k}: cannot read ${f} (${(e as Error).message})`); }
  };
  return {
    clientId: o.clientId, clean: false, protocolVersion: o.protocolVersion ?? 4, reconnectPeriod: o.reconnectPeriodMs ?? 250,
    connectTimeout: 5000, keepalive: 30, username: o.username, password: o.password,
    ...(o.tls ? { ca: read('caFile', o.tls.caFile), cert: read('certFile', o.tls.certFile), key: read('keyFile', o.tls.keyFile), rejectUnauthorized: o.tls.rejectUnauthorized ?? true } : {}),
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0xffffffff } } : {}),
  };
}
