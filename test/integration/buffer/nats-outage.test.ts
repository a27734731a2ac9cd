import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import { startNats, type NatsServer } from '../../helpers/nats';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { expectExactlyOnce, natsCentral, produce } from './harness';

// The broker is down for 30 s while the producer keeps writing 10,000 samples/s.
const OUTAGE_MS = 30_000;

let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  nats = await startNats();
  dir = await makeTempDir('historian-sf-outage-');
});
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

describe('NATS outage', () => {
  it('10,000 samples/s through a broker outage: every sample stored exactly once, per-tag order kept', async () => {
    const c = await natsCentral(path.join(dir, 'central'), nats.url);
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw'), source: 'gw1', template: 'hist.{tag:3}', batchSize: 1000, lingerMs: 20,
      uplink: { type: 'nats', servers: nats.url, stream: { name: 'HIST', subjects: ['hist.>'] }, ackTimeoutMs: 2000 },
      dispatcher: { backoff: { baseMs: 100, maxMs: 1000 } },
    });
    const tags = Array.from({ length: 20 }, (_, i) => `acme.izmir.plant1.line${i % 2}.pump${i}.flow`);
    const p = produce(sf, { tags, rate: 10_000 });
    await waitFor(() => c.written() >= 20_000, { timeoutMs: 15_000, what: 'samples before the outage' });
    const stoppedAt = Date.now();
    await nats.stop();
    const atStop = p.count();
    await waitFor(() => p.count() >= atStop + (OUTAGE_MS / 1000) * 10_000, { timeoutMs: OUTAGE_MS + 5000, what: 'the outage to last' });
    const buffered = sf.status();
    expect(buffered.connected).toBe(false);
    expect(buffered.pendingSamples).toBeGreaterThan(40_000);
    // the newest failure is of the outage (the lost link, or a send it cut off), with its time; nothing delivered after it
    expect(buffered.lastError).toBeTruthy();
    expect(buffered.lastErrorAt).toBeGreaterThanOrEqual(stoppedAt);
    expect(buffered.lastSentAt ?? 0).toBeLessThan(buffered.lastErrorAt!);
    await nats.restart();
    await waitFor(() => p.count() >= atStop + (OUTAGE_MS / 1000 + 2) * 10_000, { timeoutMs: 10_000, what: 'production after the restart' });
    const produced = await p.stop();
    await waitFor(() => c.written() >= produced, { timeoutMs: 60_000, what: `${produced} samples at the central store` });
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 5000, what: 'buffer empty' });
    // delivered again since the last failure (the Health page marks that error as behind)
    const after = sf.status();
    expect(after.lastSentAt).toBeGreaterThan(after.lastErrorAt!);
    await sf.close();
    expect(produced).toBeGreaterThanOrEqual(100_000);
    await expectExactlyOnce(c, new Map(tags.map((t) => [t, produced / tags.length])));
    await c.close();
  });
});
