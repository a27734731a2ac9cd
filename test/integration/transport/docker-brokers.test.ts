// The broker configurations the compose file ships (docker/nats.conf, docker/mosquitto.acl
// and the auth lines of docker/mosquitto.conf), run by real servers: no anonymous client
// gets in, the central account reads everything, a gateway account can deliver samples
// into JetStream / MQTT but not read them.
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { JSONCodec } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/distribution';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { startNats, type NatsServer } from '../../helpers/nats';
import { waitFor } from '../../helpers/wait';
import { natsConnectOptions, mqttConnectOptions } from '../../../runtime/uplink/connection-settings';
import { connectNats } from '../../../runtime/uplink/nats-connection';
import { mqttOptions } from '../../../runtime/uplink/mqtt-connection';
import { NatsUplink } from '../../../runtime/uplink/nats-uplink';

const NATS_PW = { historian: 'central-secret-1', gateway: 'gateway-secret-1' };
const MQTT_PW = { historian: 'central-secret-2', gateway: 'gateway-secret-2' };
let nats: NatsServer;
let mosq: MosquittoServer;

beforeAll(async () => {
  // nats.conf resolves $NATS_*_PASSWORD from the server's environment, as in compose
  process.env.NATS_HISTORIAN_PASSWORD = NATS_PW.historian;
  process.env.NATS_GATEWAY_PASSWORD = NATS_PW.gateway;
  const conf = fs.readFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto.conf'), 'utf8');
  expect(conf).toMatch(/^allow_anonymous false$/m);
  expect(conf).toMatch(/^password_file /m);
  expect(conf).toMatch(/^acl_file \/mosquitto\/config\/acl$/m);
  expect(fs.readFileSync(path.join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8')).toContain('./mosquitto.acl:/mosquitto/config/acl:ro');
  [nats, mosq] = await Promise.all([
    // the shipped file with the store dir moved into the test's temp dir; the helper's -p / -m
    // flags override its port and monitor port
    startNats({ configText: (dir) => fs.readFileSync(path.join(REPO_ROOT, 'docker', 'nats.conf'), 'utf8').replace('store_dir: /data/jetstream', `store_dir: ${JSON.stringify(dir)}`) }),
    startMosquitto({ users: MQTT_PW, extraConfig: [`acl_file ${path.join(REPO_ROOT, 'docker', 'mosquitto.acl')}`] }),
  ]);
});

afterAll(async () => {
  await Promise.all([nats?.dispose(), mosq?.dispose()]);
});

describe('docker/nats.conf', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connectNats({ ...natsConnectOptions({ url: nats.url }), connectTimeoutMs: 3000 })).rejects.toThrow(/refused the credentials/);
    await expect(connectNats({ ...natsConnectOptions({ url: nats.url, user: 'gateway', password: 'nope' }), connectTimeoutMs: 3000 })).rejects.toThrow(/refused the credentials/);
  });

  it('a gateway delivers into JetStream (stream created, publish acknowledged) and cannot read the data', async () => {
    const central = await connectNats(natsConnectOptions({ url: nats.url, user: 'historian', password: NATS_PW.historian }));
    const gateway = new NatsUplink({ ...natsConnectOptions({ url: nats.url, user: 'gateway', password: NATS_PW.gateway }), stream: { name: 'HISTORIAN', subjects: ['hist.>'] } });
    try {
      await gateway.start();
      await waitFor(() => gateway.isConnected(), { timeoutMs: 10_000, what: `gateway connected (last error: ${gateway.lastError})` });
      await gateway.send({ id: 'evt-docker-1', source: 'gw1', subject: 'hist.acme.line1', category: 'telemetry', created: Date.now(), count: 1, body: Buffer.from('{"v":1}') });
      const info = await (await central.jetstreamManager()).streams.info('HISTORIAN');
      expect(info.state.messages).toBe(1);

      // the gateway account may not subscribe to the data subjects
      const gw = await connectNats(natsConnectOptions({ url: nats.url, user: 'gateway', password: NATS_PW.gateway }));
      const denied = new Promise<string>((resolve) => {
        void (async () => { for await (const s of gw.status()) if (s.type === 'error') resolve(String(s.data)); })();
      });
      gw.subscribe('hist.>');
      expect(await denied).toBe('PERMISSIONS_VIOLATION');
      await waitFor(() => /Subscription Violation - User "gateway", Subject "hist\.>"/.test(nats.logs()), { timeoutMs: 5000, what: 'the violation in the server log' });
      await gw.close();

      // the central account sees what gateways publish
      const sub = central.subscribe('sys.gateway.gw1.health', { max: 1 });
      await central.flush();
      const gw2 = await connectNats(natsConnectOptions({ url: nats.url, user: 'gateway', password: NATS_PW.gateway }));
      gw2.publish('sys.gateway.gw1.health', JSONCodec().encode({ ok: true }));
      for await (const m of sub) expect(JSONCodec().decode(m.data)).toEqual({ ok: true });
      await gw2.close();
    } finally {
      await gateway.close();
      await central.close();
    }
  });
});

describe('docker/mosquitto.acl with a password file', () => {
  const client = (user: 'historian' | 'gateway' | null, password?: string) =>
    mqtt.connectAsync(mosq.url, { ...mqttOptions(mqttConnectOptions({ url: mosq.url, username: user ?? undefined, password: password ?? (user ? MQTT_PW[user] : undefined) }, `docker-${user}-${Math.random()}`)), clean: true, reconnectPeriod: 0 });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(client(null)).rejects.toThrow(/Not authorized/);
    await expect(client('gateway', 'nope')).rejects.toThrow(/Not authorized|Bad user name or password/);
  });

  it('a gateway publishes samples the central account receives, and receives nothing on hist/#', async () => {
    const central = await client('historian');
    const gateway = await client('gateway');
    try {
      const got: string[] = [];
      central.on('message', (t) => got.push(t));
      await central.subscribeAsync('hist/#', { qos: 1 });
      const granted = await gateway.subscribeAsync('hist/#', { qos: 1 });
      // mosquitto grants the subscription but the ACL delivers nothing to it
      const gatewayGot: string[] = [];
      gateway.on('message', (t) => gatewayGot.push(t));
      await gateway.publishAsync('hist/gw1/acme/line1', '{"v":1}', { qos: 1 });
      await central.publishAsync('hist/central/probe', '{"v":2}', { qos: 1 });
      await waitFor(() => got.length >= 2, { timeoutMs: 5000, what: 'both messages at the central subscriber' });
      expect(got.sort()).toEqual(['hist/central/probe', 'hist/gw1/acme/line1']);
      expect(granted.length).toBe(1);
      // the gateway's own subscription saw neither (the central one got both, later than any delivery to it)
      expect(gatewayGot).toEqual([]);
    } finally {
      await Promise.all([central.endAsync(true), gateway.endAsync(true)]);
    }
  });
});
