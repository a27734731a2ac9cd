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
  /**
   * MQTT 5 (default) or 3.1.1 (4). Only MQTT 5 lets a broker refuse a publish in its
   * acknowledgement; a 3.1.1 broker acknowledges a refused one as delivered (connection-settings.ts).
   */
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
    clientId: o.clientId, clean: false, protocolVersion: o.protocolVersion ?? 5, reconnectPeriod: o.reconnectPeriodMs ?? 250,
    connectTimeout: 5000, keepalive: 30, username: o.username, password: o.password,
    ...(o.tls ? { ca: read('caFile', o.tls.caFile), cert: read('certFile', o.tls.certFile), key: read('keyFile', o.tls.keyFile), rejectUnauthorized: o.tls.rejectUnauthorized ?? true } : {}),
    ...(o.protocolVersion !== 4 ? { properties: { sessionExpiryInterval: 0xffffffff } } : {}),
  };
}

/** A connection failure in words an operator can act on, naming what to check. */
export function describeMqttError(e: unknown, url: string): string {
  const code = String((e as { code?: unknown }).code ?? '');
  // OpenSSL errors arrive as "<hex>:error:<hex>:SSL routines:<fn>:<reason>:<source>:<line>:..."
  const raw = ((e as Error)?.message ?? String(e)).replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:([^:]*):.*$/s, '$1').split('\n')[0];
  let hint = '';
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || /certificate required/i.test(raw)) hint = ': the broker demands a client certificate (give certFile and keyFile)';
  else if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' || /alert unknown ca|alert bad certificate/i.test(raw)) hint = ': the broker refused the client certificate (is it signed by the CA the broker trusts?)';
  else if (/unacceptable protocol version|unsupported protocol version/i.test(raw)) hint = ': the broker does not speak MQTT 5 (set the MQTT version to 3.1.1: HISTORIAN_MQTT_VERSION, or the node\'s MQTT version)';
  else if (/not authori[sz]ed|bad user ?name or password/i.test(raw)) hint = ': the broker refused the credentials (check username and password)';
  else if (/certificate|self[- ]signed|unable to verify|UNABLE_TO|CERT_|ERR_TLS|ERR_SSL|altname/i.test(`${raw} ${code}`)) hint = ': TLS certificate check failed (check the CA file, the host name in the URL, and the client certificate)';
  return `MQTT ${url}: ${raw}${hint}`;
}
