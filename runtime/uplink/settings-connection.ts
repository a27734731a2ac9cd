// Broker connections taken from the distribution's settings (`historian.nats` /
// `historian.mqtt`, filled from HISTORIAN_NATS_* / HISTORIAN_MQTT_* by settings.js), for
// the default flows: one gateway image, configured by its environment. Unset URL = not
// configured; callers show that instead of failing. Kept to this one function per broker
// so richer option builders (TLS files, NKeys) can take over in one place.
import type { NatsConnectOptions } from './nats-connection';
import type { MqttConnectOptions } from './mqtt-connection';

export interface NatsSettings { url?: string; user?: string; password?: string; token?: string; credsFile?: string }
export interface MqttSettings { url?: string; username?: string; password?: string }

const given = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The NATS connection of the settings, or null when HISTORIAN_NATS_URL is not set. */
export function natsFromSettings(s: NatsSettings | undefined, name: string): NatsConnectOptions | null {
  const url = given(s?.url);
  if (!url) return null;
  return {
    servers: url.split(',').map((x) => x.trim()).filter(Boolean), name,
    user: given(s?.user), pass: given(s?.password), token: given(s?.token), credsFile: given(s?.credsFile),
    // a tls:// URL asks for TLS with the system CAs
    tls: /^tls:\/\//.test(url) ? true : false,
  };
}

/** The MQTT connection of the settings, or null when HISTORIAN_MQTT_URL is not set. */
export function mqttFromSettings(s: MqttSettings | undefined, clientId: string): MqttConnectOptions | null {
  const url = given(s?.url);
  if (!url) return null;
  return { url, clientId, username: given(s?.username), password: given(s?.password) };
}

/** What the node status says when the connection is not configured. */
export const NOT_CONFIGURED = { nats: 'not configured: set HISTORIAN_NATS_URL', mqtt: 'not configured: set HISTORIAN_MQTT_URL' } as const;
