// MQTT over TLS with user/password (and client certificates), against real mosquitto
// brokers started with TLS and a password file (certificates made by openssl in the
// setup): the right credentials connect and deliver QoS 1, wrong ones fail with a message
// naming the cause.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTestPki, type TestPki } from '../../helpers/pki';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { mqttConnectOptions, type MqttSettings } from '../../../runtime/uplink/connection-settings';
import { mqttOptions } from '../../../runtime/uplink/mqtt-connection';
import { MqttUplink } from '../../../runtime/uplink/mqtt-uplink';
import { loadSettings, PACKAGE_ROOT } from '../../../runtime/server/load-settings';

let dir: string;
let pki: TestPki;
let broker: MosquittoServer; // TLS + password file
let mutual: MosquittoServer; // TLS demanding a client certificate + password file
const users = { 'gateway-7': 'correct horse', central: 'battery staple' };
const uplinks: MqttUplink[] = [];

beforeAll(async () => {
  dir = await makeTempDir('historian-mqtt-tls-');
  pki = makeTestPki(dir);
  const tls = { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caFile: pki.caFile };
  [broker, mutual] = await Promise.all([
    startMosquitto({ tls, users }),
    startMosquitto({ tls: { ...tls, requireCertificate: true }, users }),
  ]);
});

afterAll(async () => {
  await Promise.all(uplinks.map((u) => u.close()));
  await Promise.all([broker?.dispose(), mutual?.dispose()]);
  if (dir) await removeTempDir(dir);
});

let ids = 0;
/** Starts an uplink and waits until it is connected or has reported an error. */
async function uplink(s: MqttSettings): Promise<MqttUplink> {
  const u = new MqttUplink({ ...mqttConnectOptions(s, `tls-test-${++ids}`), reconnectPeriodMs: 500, ackTimeoutMs: 5000 });
  uplinks.push(u);
  await u.start();
  await waitFor(() => u.isConnected() || u.lastError !== null, { timeoutMs: 10_000, what: 'connected or refused' });
  return u;
}

/** A QoS 1 publish of the uplink arrives at a subscriber with the other account. */
async function delivers(u: MqttUplink, url: string, extra: object = {}): Promise<void> {
  const sub = await mqtt.connectAsync(url, { ...mqttOptions(mqttConnectOptions({ url, username: 'central', password: users.central, caFile: pki.caFile, ...extra }, `tls-sub-${++ids}`)), clean: true });
  try {
    const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => resolve(p.toString())));
    await sub.subscribeAsync('hist/#', { qos: 1 });
    await u.send({ id: `e${ids}`, source: 'gw', subject: 'hist/gw/a', category: 'telemetry', created: Date.now(), count: 1, body: Buffer.from('{"v":1}') });
    expect(await got).toBe('{"v":1}');
  } finally {
    await sub.endAsync(true);
  }
}

describe('MQTT over TLS: user/password', () => {
  it('connects with the right password over TLS checked against the CA and delivers QoS 1', async () => {
    expect(broker.url).toMatch(/^mqtts:/);
    const u = await uplink({ url: broker.url, username: 'gateway-7', password: users['gateway-7'], caFile: pki.caFile });
    expect(u.lastError).toBeNull();
    expect(u.isConnected()).toBe(true);
    await delivers(u, broker.url);
  });

  it('refuses a wrong password with a message naming the credentials', async () => {
    const u = await uplink({ url: broker.url, username: 'gateway-7', password: 'wrong', caFile: pki.caFile });
    expect(u.isConnected()).toBe(false);
    expect(u.lastError).toMatch(/refused the credentials/);
  });

  it('refuses anonymous clients', async () => {
    const u = await uplink({ url: broker.url, caFile: pki.caFile });
    expect(u.isConnected()).toBe(false);
    expect(u.lastError).toMatch(/refused the credentials/);
  });

  it('refuses a broker certificate from a CA it was not given', async () => {
    const u = await uplink({ url: broker.url, username: 'gateway-7', password: users['gateway-7'], caFile: pki.otherCaFile });
    expect(u.isConnected()).toBe(false);
    expect(u.lastError).toMatch(/TLS certificate check failed/);
  });

  it('HISTORIAN_MQTT_* settings (URL, user, password, CA) connect through settings.js', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { HISTORIAN_DATA_DIR: dir, HISTORIAN_MQTT_URL: broker.url, HISTORIAN_MQTT_USER: 'gateway-7', HISTORIAN_MQTT_PASSWORD: users['gateway-7'], HISTORIAN_MQTT_CA: pki.caFile });
    let cfg;
    try { cfg = loadSettings(path.join(PACKAGE_ROOT, 'settings.js')).historian; } finally { process.env = saved; }
    const u = await uplink(cfg.mqtt);
    expect(u.lastError).toBeNull();
    await delivers(u, broker.url);
  });
});

describe('MQTT over mutual TLS', () => {
  const client = () => ({ caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile });

  it('connects with a client certificate signed by the CA and the right password', async () => {
    const u = await uplink({ url: mutual.url, username: 'gateway-7', password: users['gateway-7'], ...client() });
    expect(u.lastError).toBeNull();
    await delivers(u, mutual.url, { certFile: pki.clientCertFile, keyFile: pki.clientKeyFile });
  });

  it('never connects without a client certificate or with one from another CA', async () => {
    const none = await uplink({ url: mutual.url, username: 'gateway-7', password: users['gateway-7'], caFile: pki.caFile });
    const stranger = await uplink({ url: mutual.url, username: 'gateway-7', password: users['gateway-7'], caFile: pki.caFile, certFile: pki.strangerCertFile, keyFile: pki.strangerKeyFile });
    expect(none.isConnected()).toBe(false);
    expect(none.lastError).toMatch(/demands a client certificate/);
    expect(stranger.isConnected()).toBe(false);
    expect(stranger.lastError).toMatch(/refused the client certificate/);
  });
});
