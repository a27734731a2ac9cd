// The uplink (NATS JetStream or MQTT) a node's config describes, or the one from the
// distribution's settings: shared by store-forward (sends) and nats-ingest (receives).
import { mqttConnectOptions, mqttFromSettings, natsConnectOptions, natsFromSettings, type MqttSettings, type NatsSettings, type UplinkConfig } from '../../runtime/uplink';
import { numberField, type NodeDef } from './red';

/** A trimmed, non-empty string field of a node's config. */
export function str(config: NodeDef, key: string): string | undefined {
  const v = config[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Replica count ("auto" or 1-5) and placement (cluster, comma-separated server tags) of the stream. */
export function streamPlacement(config: NodeDef): { replicas?: number | 'auto'; placement?: { cluster?: string; tags?: string[] } } {
  const r = str(config, 'replicas');
  const replicas = r === undefined || r === 'auto' ? 'auto' : Number(r);
  if (replicas !== 'auto' && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= 5)) throw new Error(`replicas: must be "auto" or 1 to 5 (got ${JSON.stringify(r)})`);
  const cluster = str(config, 'placementCluster');
  const tags = (str(config, 'placementTags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return { replicas, ...(cluster || tags.length ? { placement: { cluster, tags } } : {}) };
}

export function uplinkConfig(config: NodeDef, creds: Record<string, string | undefined>, name: string): UplinkConfig {
  const url = str(config, 'url');
  if (!url) throw new Error('url: the broker URL is required (nats://host:4222 or mqtt://host:1883)');
  const tls = config.tls === true || config.tls === 'true';
  const files = tls ? { caFile: str(config, 'caFile'), certFile: str(config, 'certFile'), keyFile: str(config, 'keyFile') } : {};
  if (config.uplink === 'mqtt') {
    return { type: 'mqtt', ...mqttConnectOptions({ url, clientId: str(config, 'clientId'), username: creds.user, password: creds.password, version: str(config, 'mqttVersion'), ...files }, `historian-${name}`) };
  }
  if (config.uplink !== undefined && config.uplink !== 'nats') throw new Error(`uplink: must be "nats" or "mqtt" (got ${JSON.stringify(config.uplink)})`);
  const stream = str(config, 'stream');
  return {
    type: 'nats',
    ...natsConnectOptions({
      url, name: `historian ${name}`, user: creds.user, password: creds.password, token: creds.token,
      nkeySeed: creds.nkeySeed, credsFile: creds.credsFile, tls, ...files,
    }),
    stream: stream ? {
      name: stream, subjects: (str(config, 'streamSubjects') ?? 'hist.>').split(',').map((s) => s.trim()),
      create: config.createStream !== false, duplicateWindowMs: numberField(config, 'duplicateWindowS', 120) * 1000, ...streamPlacement(config),
    } : undefined,
  };
}

/** The uplink from the distribution's settings (HISTORIAN_NATS_* / HISTORIAN_MQTT_*); null when not configured. */
export function settingsUplink(config: NodeDef, historian: { nats?: NatsSettings; mqtt?: MqttSettings } | undefined, name: string): UplinkConfig | null {
  if (config.uplink === 'mqtt') {
    const m = mqttFromSettings(historian?.mqtt, str(config, 'clientId') ?? `historian-${name}`);
    return m && { type: 'mqtt', ...m };
  }
  const n = natsFromSettings(historian?.nats, `historian ${name}`);
  if (!n) return null;
  const stream = str(config, 'stream');
  return {
    type: 'nats', ...n,
    stream: stream ? {
      name: stream, subjects: (str(config, 'streamSubjects') ?? 'hist.>').split(',').map((s) => s.trim()),
      create: config.createStream !== false, duplicateWindowMs: numberField(config, 'duplicateWindowS', 120) * 1000, ...streamPlacement(config),
    } : undefined,
  };
}
