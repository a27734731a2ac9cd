// Public surface of runtime/uplink.
export { mqttConnectOptions, natsConnectOptions } from './connection-settings';
export { EnvelopeIngestor } from './envelope-ingestor';
export { EventIdSet } from './event-id-set';
export { convertMqttMessage } from './mqtt-metrics';
export { connectNats } from './nats-connection';
export type { NatsConnectOptions } from './nats-connection';
export { NatsIngest } from './nats-ingest';
export { NOT_CONFIGURED, mqttFromSettings, natsFromSettings } from './settings-connection';
export type { MqttSettings, NatsSettings } from './settings-connection';
export { StoreForward } from './store-forward';
export type { UplinkConfig } from './store-forward';
export type { NatsSettings as NatsConnectionSettings } from './connection-settings';
