import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { lastNumber, runChild } from './children';
import { expectExactlyOnce, mqttCentral, produce } from './harness';

// The broker is down for 30 s while the producer keeps writing 10,000 samples/s.
// mosquitto is stopped gracefully so it saves the messages it already acknowledged to
// the gateway but not yet delivered.
const OUTAGE_MS = 30_000;

let broker: MosquittoServer;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = await makeTempDir('historian-sf-mqtt-');
});
afterAll(async () => {
  await broker?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('MQTT uplink', () => {
  it('10,000 samples/s through a mosquitto outage: every sample stored once, per-tag order kept', async () => {
    const c = await mqttCentral(path.join(dir, 'central'), broker.url);
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw'), source: 'gw1', template: 'hist/{source}/{tag:3}', batchSize: 1000, lingerMs: 20,
      uplink: { type: 'mqtt', url: broker.url, clientId: 'gw1-uplink', ackTimeoutMs: 3000 },
      dispatcher: { backoff: { baseMs: 100, maxMs: 1000 } },
    });
    const tags = Array.from({ length: 20 }, (_, i) => `acme.izmir.plant1.line${i % 2}.pump${i}.flow`);
    const p = produce(sf, { tags, rate: 10_000 });
    await waitFor(() => c.written() >= 20_000, { timeoutMs: 15_000, what: 'samples before the outage' });
    await broker.stop();
    const atStop = p.count();
    await waitFor(() => p.count() >= atStop + (OUTAGE_MS / 1000) * 10_000, { timeoutMs: OUTAGE_MS + 5000, what: 'the outage to last' });
    expect(sf.status().connected).toBe(false);
    expect(sf.status().pendingSamples).toBeGreaterThan(30_000);
    await broker.restart();
    await waitFor(() => p.count() >= atStop + (OUTAGE_MS / 1000 + 2) * 10_000, { timeoutMs: 10_000, what: 'production after the restart' });
    const produced = await p.stop();
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 20_000, what: 'buffer empty' });
    await waitFor(() => c.written() >= produced, { timeoutMs: 60_000, what: `${produced} samples at the central store` });
    await sf.close();
    // a message the gateway re-sent after the outage may reach the central side twice; the event id set drops it
    await expectExactlyOnce(c, new Map(tags.map((t) => [t, produced / tags.length])));
    await c.close();
  });

  it('gateway SIGKILLed while flushing a 500,000-sample backlog over MQTT: every sample stored once', async () => {
    const c = await mqttCentral(path.join(dir, 'central2'), broker.url);
    const args = { dir: path.join(dir, 'gw2'), uplink: { type: 'mqtt', url: broker.url, clientId: 'gw2-uplink', ackTimeoutMs: 5000 }, template: 'hist/{tag:3}', samples: 500_000, tags: 10 };
    const fill = runChild('gateway-child', { ...args, mode: 'fill' });
    await fill.waitForOutput(/filled 500000/, { timeoutMs: 30_000 });
    await fill.exited;
    const first = runChild('gateway-child', { ...args, mode: 'drain' });
    await waitFor(() => lastNumber(first.logs(), 'sent') >= 100_000, { timeoutMs: 30_000, what: 'a flush under way' });
    first.kill('SIGKILL');
    await first.exited;
    const second = runChild('gateway-child', { ...args, mode: 'drain' });
    await second.waitForOutput(/drained/, { timeoutMs: 50_000 });
    await waitFor(() => c.written() >= 500_000, { timeoutMs: 20_000, what: '500,000 samples at the central store' });
    await expectExactlyOnce(c, new Map(Array.from({ length: 10 }, (_, t) => [`acme.crash.line1.m${t}.v`, 50_000])));
    await c.close();
  });
});
