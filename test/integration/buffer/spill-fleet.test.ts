import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BufferEvent } from '../../../runtime/buffer';
import type { Sample } from '../../../runtime/model';
import { StoreForward } from '../../../runtime/uplink/store-forward';
import { startNats, type NatsServer } from '../../helpers/nats';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { BASE_TS, expectExactlyOnce, natsCentral } from './harness';

let nats: NatsServer;
let dir: string;
beforeAll(async () => {
  nats = await startNats();
  dir = await makeTempDir('historian-sf-spill-');
});
afterAll(async () => {
  await nats?.dispose();
  if (dir) await removeTempDir(dir);
});

const uplink = () => ({ type: 'nats' as const, servers: nats.url, stream: { name: 'HIST', subjects: ['hist.>'] }, ackTimeoutMs: 2000 });

function batch(tags: string[], from: number, n: number): Sample[] {
  const out: Sample[] = [];
  for (let k = from; k < from + n; k++) for (const tag of tags) out.push({ tag, ts: BASE_TS + k, value: k, quality: 0 });
  return out;
}

describe('spill to disk and disk limit', () => {
  it('a backlog mostly on disk (small RAM limit) arrives complete and in order', async () => {
    const c = await natsCentral(path.join(dir, 'central'), nats.url, { durable: 'spill' });
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw'), source: 'gw1', template: 'hist.{tag:3}', batchSize: 1000, lingerMs: 0, paused: true,
      uplink: uplink(), queue: { journal: 'spill', ramLimitBytes: 256 * 1024, segmentBytes: 1 << 20 },
    });
    const tags = Array.from({ length: 10 }, (_, t) => `acme.spill.line1.m${t}.v`);
    for (let i = 0; i < 20_000; i += 100) await sf.write(batch(tags, i, 100));
    const s = sf.queue.stats();
    expect(s.pending).toBe(200);
    expect(s.ramBytes).toBeLessThanOrEqual(256 * 1024);
    expect(s.onDisk / s.pending).toBeGreaterThan(0.9);
    sf.resume();
    await waitFor(() => c.written() >= 200_000, { timeoutMs: 20_000, what: '200,000 samples at the central store' });
    await waitFor(() => sf.status().pending === 0, { timeoutMs: 5000, what: 'buffer empty' });
    await sf.close();
    await expectExactlyOnce(c, new Map(tags.map((t) => [t, 20_000])));
    await c.close();
  });

  it('disk limit with drop-oldest: the oldest entries are dropped, counted and reported; the rest arrives in order', async () => {
    const c = await natsCentral(path.join(dir, 'central2'), nats.url, { durable: 'drop', filterSubject: 'hist.acme.drop.>' });
    const events: BufferEvent[] = [];
    const sf = StoreForward.open({
      dir: path.join(dir, 'gw2'), source: 'gw2', template: 'hist.{tag:3}', batchSize: 1000, lingerMs: 0, paused: true, onEvent: (e) => events.push(e),
      uplink: uplink(), queue: { journal: 'always', ramLimitBytes: 64 * 1024, segmentBytes: 256 * 1024, diskLimitBytes: 2 << 20, policy: 'drop-oldest' },
    });
    const tags = Array.from({ length: 10 }, (_, t) => `acme.drop.line1.m${t}.v`);
    for (let i = 0; i < 50_000; i += 100) await sf.write(batch(tags, i, 100));
    const st = sf.status();
    expect(st.diskFull).toBe(true);
    expect(st.droppedSamples).toBeGreaterThan(0);
    expect(st.droppedSamples + st.pendingSamples).toBe(500_000);
    expect(st.diskBytes).toBeLessThanOrEqual((2 << 20) + 256 * 1024);
    expect(events.find((e) => e.type === 'disk-full')).toMatchObject({ policy: 'drop-oldest' });
    expect(events.filter((e) => e.type === 'dropped').at(-1)).toMatchObject({ totalDropped: st.droppedSamples });
    sf.resume();
    const kept = st.pendingSamples;
    await waitFor(() => c.written() >= kept, { timeoutMs: 20_000, what: `${kept} samples at the central store` });
    await sf.close();
    // the newest samples were kept, contiguous per tag and in order
    const perTag = kept / tags.length;
    for (const tag of tags) {
      const ts: number[] = [];
      for await (const b of c.store.raw({ tag, from: BASE_TS, to: BASE_TS + 1e9 })) ts.push(...b.ts);
      expect(ts.length).toBe(perTag);
      expect(ts[ts.length - 1]).toBe(BASE_TS + 49_999);
      expect(ts[0]).toBe(BASE_TS + 50_000 - perTag);
      const arr = c.arrivals.get(tag)!;
      for (let i = 1; i < arr.length; i++) expect(arr[i]).toBeGreaterThan(arr[i - 1]);
    }
    await c.close();
  });
});

describe('fleet', () => {
  it('100 gateways through one broker that restarts once: central counts per gateway are exact', async () => {
    const c = await natsCentral(path.join(dir, 'central3'), nats.url, { durable: 'fleet', filterSubject: 'hist.fleet.>', batch: 2000 });
    const gws = Array.from({ length: 100 }, (_, g) => `gw${String(g).padStart(3, '0')}`);
    const sfs = gws.map((g) => StoreForward.open({
      dir: path.join(dir, 'fleet', g), source: g, template: 'hist.{tag:2}', batchSize: 500, lingerMs: 50,
      uplink: uplink(), dispatcher: { maxInFlight: 4, backoff: { baseMs: 100, maxMs: 1000 } },
    }));
    let step = 0;
    const writes: Promise<void>[] = [];
    // 100 gateways × 5 tags × 20 ticks/s = 10,000 samples/s in all
    const timer = setInterval(() => {
      for (let g = 0; g < gws.length; g++) {
        const tags = Array.from({ length: 5 }, (_, t) => `fleet.${gws[g]}.m${t}`);
        writes.push(sfs[g].write(batch(tags, step, 1)));
      }
      step++;
    }, 50);
    await waitFor(() => c.written() >= 20_000, { timeoutMs: 15_000, what: 'fleet traffic before the restart' });
    await nats.restart();
    const after = step;
    await waitFor(() => step >= after + 40, { timeoutMs: 10_000, what: 'two seconds of traffic after the restart' });
    clearInterval(timer);
    await Promise.all(writes);
    const perTag = step;
    await Promise.all(sfs.map((s) => s.flush()));
    await waitFor(() => c.written() >= perTag * 5 * 100, { timeoutMs: 30_000, what: `${perTag * 500} fleet samples` });
    await Promise.all(sfs.map((s) => s.close()));
    const perGateway = new Map<string, number>();
    for (const [tag, arr] of c.arrivals) {
      const g = tag.split('.')[1];
      perGateway.set(g, (perGateway.get(g) ?? 0) + arr.length);
    }
    expect(perGateway.size).toBe(100);
    for (const g of gws) expect(perGateway.get(g), g).toBe(perTag * 5);
    await expectExactlyOnce(c, new Map(gws.flatMap((g) => Array.from({ length: 5 }, (_, t) => [`fleet.${g}.m${t}`, perTag] as [string, number]))));
    await c.close();
  });
});
