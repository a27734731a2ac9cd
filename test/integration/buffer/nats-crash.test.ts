import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../../helpers/nats';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { lastNumber, runChild } from './children';
import { expectExactlyOnce, natsCentral } from './harness';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { BASE_TS } from './harness';

let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  nats = await startNats();
  dir = await makeTempDir('historian-sf-crash-');
});
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

const uplink = () => ({ type: 'nats' as const, servers: nats.url, stream: { name: 'HIST', subjects: ['hist.>'] }, ackTimeoutMs: 2000 });

describe('NATS crashes', () => {
  it('gateway SIGKILLed while flushing a 500,000-sample backlog: after restart every sample is stored once', async () => {
    const c = await natsCentral(path.join(dir, 'central'), nats.url);
    const args = { dir: path.join(dir, 'gw'), uplink: uplink(), template: 'hist.{tag:3}', samples: 500_000, tags: 10 };
    const fill = runChild('gateway-child', { ...args, mode: 'fill' });
    await fill.waitForOutput(/filled 500000/, { timeoutMs: 30_000 });
    await fill.exited;
    const first = runChild('gateway-child', { ...args, mode: 'drain' });
    await first.waitForOutput(/draining 500000/, { timeoutMs: 10_000 });
    await waitFor(() => lastNumber(first.logs(), 'sent') >= 100_000, { timeoutMs: 30_000, what: 'a flush under way' });
    first.kill('SIGKILL');
    await first.exited;
    const sentBefore = lastNumber(first.logs(), 'sent');
    expect(sentBefore).toBeLessThan(500_000);
    const second = runChild('gateway-child', { ...args, mode: 'drain' });
    const left = Number((await second.waitForOutput(/draining (\d+)/, { timeoutMs: 10_000 }))[1]);
    // only entries whose acknowledgement was in flight can come back
    expect(left).toBeLessThanOrEqual(500_000 - sentBefore + 16_000);
    await second.waitForOutput(/drained/, { timeoutMs: 40_000 });
    await waitFor(() => c.written() >= 500_000 && c.ingestor.stats.envelopes >= 500, { timeoutMs: 20_000, what: '500,000 samples at the central store' });
    // JetStream's duplicate window (Nats-Msg-Id) dropped the re-sent envelopes
    await expectExactlyOnce(c, new Map(Array.from({ length: 10 }, (_, t) => [`acme.crash.line1.m${t}.v`, 50_000])));
    await c.close();
  });

  it('central ingest SIGKILLed mid-batch: the messages are redelivered and stored once', async () => {
    const cdir = path.join(dir, 'central2');
    // a backlog in the stream first
    const sf = StoreForward.open({ dir: path.join(dir, 'gw2'), source: 'gw2', template: 'hist2.{tag:3}', batchSize: 500, lingerMs: 0, uplink: { ...uplink(), stream: { name: 'HIST', subjects: ['hist.>', 'hist2.>'] } } });
    const tags = Array.from({ length: 10 }, (_, t) => `acme.consumer.line1.m${t}.v`);
    for (let i = 0; i < 20_000; i += 100) {
      const batch: Sample[] = [];
      for (let k = i; k < i + 100; k++) for (const tag of tags) batch.push({ tag, ts: BASE_TS + k, value: k, quality: 0 });
      await sf.write(batch);
    }
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 20_000, what: 'backlog published' });
    await sf.close();
    const first = runChild('ingest-child', { dir: cdir, url: nats.url, batch: 50 });
    await waitFor(() => lastNumber(first.logs(), 'stored') >= 50_000, { timeoutMs: 20_000, what: 'ingest under way' });
    first.kill('SIGKILL');
    await first.exited;
    expect(lastNumber(first.logs(), 'stored')).toBeLessThan(200_000);
    const second = runChild('ingest-child', { dir: cdir, url: nats.url, batch: 50 });
    await second.waitForOutput(/ready/, { timeoutMs: 10_000 });
    // everything acknowledged: the consumer has nothing pending or unacknowledged
    await waitFor(async () => {
      const r = await fetch(`${nats.monitorUrl}/jsz?consumers=true`).then((x) => x.json()) as any;
      const cons = r.account_details?.[0]?.stream_detail?.find((s: any) => s.name === 'HIST')?.consumer_detail?.find((x: any) => x.name === 'historian-ingest');
      return cons && cons.num_pending === 0 && cons.num_ack_pending === 0 && cons.num_redelivered >= 0 && lastNumber(second.logs(), 'stored') > 0;
    }, { timeoutMs: 30_000, what: 'consumer fully acknowledged' });
    await second.stop(10_000);
    // the messages the killed process had pulled but not acknowledged came again
    expect(lastNumber(second.logs(), 'redelivered=')).toBeGreaterThan(0);
    const store = await TsdbStore.open({ dir: path.join(cdir, 'store'), maintenanceIntervalMs: 0 });
    try {
      for (const tag of tags) {
        const ts: number[] = [];
        for await (const b of store.raw({ tag, from: BASE_TS, to: BASE_TS + 1e9 })) ts.push(...b.ts);
        expect(ts.length, tag).toBe(20_000);
        expect(ts[0]).toBe(BASE_TS);
        expect(ts[19_999]).toBe(BASE_TS + 19_999);
      }
    } finally { await store.close(); }
  });
});
