// Broker connections taken from the distribution's settings (`historian.nats` /
// `historian.mqtt`, filled from HISTORIAN_NATS_* / HISTORIAN_MQTT_* by settings.js), for
// the default flows: one gateway image, configured by its environment. Unset URL = not
// configured; callers show that instead of failing. The options themselves come from the
// one builder per broker in connection-settings.ts (TLS files, NKeys, creds).
import { mqttConnectOptions, natsConnectOptions, type MqttSettings, type NatsSettings } from './connection-settings';
import type { NatsConnectOptions } from './nats-connection';
import type { MqttConnectOptions } from './mqtt-connection';

export type { MqttSettings, NatsSettings };

const given = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** The NATS connection of the settings, or null when HISTORIAN_NATS_URL is not set. */
export function natsFromSettings(s: NatsSettings | undefined, name: string): NatsConnectOptions | null {
  if (!s || !given(s.url)) return null;
  return natsConnectOptions({ ...s, name });
}

/** The MQTT connection of the settings, or null when HISTORIAN_MQTT_URL is not set. */
export function mqttFromSettings(s: MqttSettings | undefined, clientId: string): MqttConnectOptions | null {
  if (!s || !given(s.url)) return null;
  return mqttConnectOptions(s, clientId);
}

/** What the node status says when the connection is not configured. */
export const NOT_CONFIGURED = { nats: 'not configured: set HISTORIAN_NATS_URL', mqtt: 'not configured: set HISTORIAN_MQTT_URL' } as const;
