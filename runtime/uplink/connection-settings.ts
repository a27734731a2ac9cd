// The one place where broker settings (settings.js `historian.nats` / `historian.mqtt`,
// i.e. HISTORIAN_NATS_* / HISTORIAN_MQTT_*, or a node's config + credentials) become
// connection options: URL, user/password, token, NKey seed, creds file, CA / client
// certificate / key. Everything that talks to a broker (system events, store-forward,
// nats-ingest, the demo Uplink flow) goes through these two functions, so a credential
// kind or TLS file is wired everywhere or nowhere.
import type { NatsConnectOptions } from './nats-connection';
import type { MqttConnectOptions } from './mqtt-connection';

/** TLS files shared by both brokers; empty strings count as "not given". */
export interface BrokerTlsSettings {
  /** PEM CA bundle that signed the broker's certificate (default: the system CAs) */
  caFile?: string;
  /** PEM client certificate (mutual TLS) */
  certFile?: string;
  /** PEM key of the client certificate */
  keyFile?: string;
  /** require TLS even without files (implied by tls:// / mqtts:// URLs or any file) */
  tls?: boolean;
}

/** The shape of `historian.nats` in settings.js. */
export interface NatsSettings extends BrokerTlsSettings {
  /** one URL or a comma-separated list: nats://host:4222, tls://host:4222 */
  url?: string;
  user?: string;
  password?: string;
  token?: string;
  /** NKey user seed (SU...) */
  nkeySeed?: string;
  /** path of a .creds file (user JWT + NKey seed) */
  credsFile?: string;
  /** connection name the server shows */
  name?: string;
}

/** The shape of `historian.mqtt` in settings.js. */
export interface MqttSettings extends BrokerTlsSettings {
  /** mqtt://host:1883 or mqtts://host:8883 (ws:// and wss:// also work) */
  url?: string;
  username?: string;
  password?: string;
  /** fixed client id: the broker keeps the persistent session under it */
  clientId?: string;
  /**
   * Protocol version, "5" (default) or "3.1.1". Under 3.1.1 a broker that refuses a publish
   * (its ACL) still acknowledges it, so a buffer would count refused samples as delivered
   * and drop them; MQTT 5 brokers say "not authorized" and the envelope is quarantined.
   * 3.1.1 is for brokers without MQTT 5.
   */
  version?: string;
}

/** The MQTT protocol level of a version setting: 5 unless "3.1.1" is asked for. */
export function mqttProtocolVersion(v: string | undefined): 4 | 5 {
  const s = given(v);
  if (s === undefined || s === '5' || s === '5.0') return 5;
  if (s === '3.1.1' || s === '4') return 4;
  throw new Error(`version: must be 5 or 3.1.1 (got ${JSON.stringify(v)})`);
}

const given = (v: string | undefined): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function tlsFiles(s: BrokerTlsSettings): { caFile?: string; certFile?: string; keyFile?: string } | undefined {
  const files = { caFile: given(s.caFile), certFile: given(s.certFile), keyFile: given(s.keyFile) };
  if (!!files.certFile !== !!files.keyFile) throw new Error(`${files.certFile ? 'keyFile' : 'certFile'}: a client certificate needs both certFile and keyFile`);
  return files.caFile || files.certFile ? files : undefined;
}

/**
 * NATS connection options from settings. Throws naming the field when the URL is missing
 * or more than one credential kind is given. Feed the result to `connectNats`,
 * `NatsUplink` or `NatsIngest`.
 */
export function natsConnectOptions(s: NatsSettings): NatsConnectOptions {
  const url = given(s.url);
  if (!url) throw new Error('url: give the NATS URL (nats://host:4222, tls://host:4222 for TLS)');
  const servers = url.split(',').map((u) => u.trim()).filter(Boolean);
  const files = tlsFiles(s);
  const wantsTls = s.tls === true || servers.some((u) => u.startsWith('tls://'));
  const o: NatsConnectOptions = {
    servers, name: given(s.name),
    user: given(s.user), pass: s.password || undefined, token: given(s.token),
    nkeySeed: given(s.nkeySeed), credsFile: given(s.credsFile),
    tls: files ?? (wantsTls ? true : undefined),
  };
  if (o.pass && !o.user) throw new Error('user: a password needs a user name');
  return o;
}

/**
 * MQTT connection options from settings. `clientId` falls back to `defaultClientId`
 * (each consumer needs its own: the broker keeps one persistent session per id).
 */
export function mqttConnectOptions(s: MqttSettings, defaultClientId = 'historian'): MqttConnectOptions {
  const url = given(s.url);
  if (!url) throw new Error('url: give the MQTT URL (mqtt://host:1883, mqtts://host:8883 for TLS)');
  const files = tlsFiles(s);
  const username = given(s.username);
  if (s.password && !username) throw new Error('username: a password needs a user name');
  if (files && !/^(mqtts|ssl|wss):\/\//.test(url)) throw new Error(`url: TLS files are given but ${url} is not a TLS URL (use mqtts://host:8883)`);
  return {
    url, clientId: given(s.clientId) ?? defaultClientId, username, password: s.password || undefined,
    tls: files ? { ...files, rejectUnauthorized: true } : undefined,
    protocolVersion: mqttProtocolVersion(s.version),
  };
}
