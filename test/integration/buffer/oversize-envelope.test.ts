// An envelope larger than the broker takes in one message reaches the central historian in
// parts, exactly once and in order, over NATS (the server's max_payload) and MQTT 5 (the
// broker's Maximum Packet Size, a JetStream stream's max_msg_size): before, NATS refused it
// at every attempt and it sat in the quarantine, and Mosquitto dropped the connection at every re-send while nothing behind it
// was delivered. Real nats-server and mosquitto with small limits.
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { BASE_TS, expectExactlyOnce, mqttCentral, natsCentral, type Central } from './harness';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import { mqttConnectOptions } from '../../../runtime/uplink/connection-settings';
import type { Sample } from '../../../runtime/model';

let dir: string;
let nats: NatsServer;
let mosquitto: MosquittoServer;

beforeAll(async () => {
  dir = await makeTempDir('historian-oversize-');
  [nats, mosquitto] = await Promise.all([
    startNats({ configText: (sd) => `jetstream { store_dir: ${JSON.stringify(sd)} }\nmax_payload: 4096\n` }),
    startMosquitto({ extraConfig: ['max_packet_size 2000'] }),
  ]);
});
afterAll(async () => {
  await Promise.all([nats?.dispose(), mosquitto?.dispose()]);
  if (dir) await removeTempDir(dir);
});

const TAGS = ['acme.izmir.line1.pump1.flow', 'acme.izmir.line1.pump2.flow'];
/** 400 samples of each tag in one write: one envelope per tag of ~27 kB with a coarse template */
const batch = (): Sample[] => TAGS.flatMap((tag) => Array.from({ length: 400 }, (_, i) => ({ tag, ts: BASE_TS + i, value: i + 0.5, quality: 0 })));

/** Writes the batch through `sf` and checks every sample reached `central` once, in order, nothing quarantined; closes both. */
async function deliversOnce(central: Central, sf: StoreForward, check: () => void = () => undefined): Promise<void> {
  try {
    await waitFor(() => sf.uplink.isConnected(), { timeoutMs: 10_000, what: 'gateway connected' });
    await sf.write(batch());
    await waitFor(() => sf.status().sentSamples === 800, { timeoutMs: 20_000, what: 'every sample sent' });
    await waitFor(() => central.written() === 800, { timeoutMs: 20_000, what: 'every sample stored at the central' });
    expect(sf.status()).toMatchObject({ quarantined: 0, pending: 0 });
    await expectExactlyOnce(central, new Map(TAGS.map((t) => [t, 400])));
    check();
  } finally {
    await sf.close();
    await central.close();
  }
}

describe('an envelope larger than the broker takes', () => {
  it('NATS: sent in parts under max_payload, stored exactly once, nothing quarantined', async () => {
    const central = await natsCentral(path.join(dir, 'nats-central'), nats.url);
    const sf = StoreForward.open({
      dir: path.join(dir, 'nats-gw'), source: 'gw', template: 'hist.{tag}', lingerMs: 0, batchSize: 1000,
      uplink: { type: 'nats', servers: [nats.url], stream: { name: 'HIST', subjects: ['hist.>'], create: true }, ackTimeoutMs: 5000 },
      dispatcher: { backoff: { baseMs: 50, maxMs: 500 } },
    });
    await deliversOnce(central, sf);
  });

  it('NATS: a stream\'s own max_msg_size, which the gateway cannot read, is learnt from its refusal: sent again in parts, stored exactly once', async () => {
    // the central creates the stream with a message limit; the gateway may not read it
    const nc = await connect({ servers: nats.url });
    await (await nc.jetstreamManager()).streams.add({ name: 'SMALL', subjects: ['small.>'], max_msg_size: 2048 });
    await nc.close();
    const central = await natsCentral(path.join(dir, 'small-central'), nats.url, { stream: 'SMALL', createStream: undefined });
    const sf = StoreForward.open({
      dir: path.join(dir, 'small-gw'), source: 'gw', template: 'small.{tag}', lingerMs: 0, batchSize: 1000,
      uplink: { type: 'nats', servers: [nats.url], stream: { name: 'SMALL', subjects: ['small.>'], create: false }, ackTimeoutMs: 5000 },
      dispatcher: { backoff: { baseMs: 50, maxMs: 500 } },
    });
    await deliversOnce(central, sf, () => expect(sf.status().lastError).toMatch(/sent again in parts of at most \d+ bytes/));
  });

  it('MQTT 5: sent in parts under the Maximum Packet Size, stored exactly once, the connection kept', async () => {
    const central = await mqttCentral(path.join(dir, 'mqtt-central'), mosquitto.url);
    const sf = StoreForward.open({
      dir: path.join(dir, 'mqtt-gw'), source: 'gw', template: 'hist/{tag}', lingerMs: 0, batchSize: 1000,
      uplink: { type: 'mqtt', ...mqttConnectOptions({ url: mosquitto.url }, 'oversize-gw'), ackTimeoutMs: 5000 },
      dispatcher: { backoff: { baseMs: 50, maxMs: 500 } },
    });
    await deliversOnce(central, sf, () => expect(mosquitto.logs()).not.toMatch(/oversize packet/));
  });
});
