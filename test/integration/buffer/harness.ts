// Shared parts of the store-and-forward acceptance tests: a central side (store + ingest
// + event id set) that records the arrival order of every stored sample, a paced
// producer, and the exactly-once / order check.
import path from 'node:path';
import { expect } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';
import { EventIdSet } from '../../../runtime/uplink/event-id-set';
import { NatsIngest, type NatsIngestOptions } from '../../../runtime/uplink/nats-ingest';
import { MqttIngest } from '../../../runtime/uplink/mqtt-ingest';
import type { StoreForward } from '../../../runtime/uplink/store-forward';

export const BASE_TS = 1_700_000_000_000;

export interface Central {
  store: TsdbStore;
  ingestor: EnvelopeIngestor;
  /** every write the ingest made, per tag, in arrival order */
  arrivals: Map<string, number[]>;
  written(): number;
  close(): Promise<void>;
}

async function central(dir: string, start: (ing: EnvelopeIngestor) => Promise<{ stop(): Promise<void> }>): Promise<Central> {
  const store = await TsdbStore.open({ dir: path.join(dir, 'store'), fsync: 'interval', maintenanceIntervalMs: 0 });
  const ids = new EventIdSet({ file: path.join(dir, 'event-ids.db') });
  const arrivals = new Map<string, number[]>();
  let written = 0;
  const sink = {
    write: async (samples: readonly Sample[]) => {
      await store.write(samples);
      for (const s of samples) {
        let a = arrivals.get(s.tag);
        if (!a) { a = []; arrivals.set(s.tag, a); }
        a.push(s.ts);
      }
      written += samples.length;
    },
  };
  const ingestor = new EnvelopeIngestor({ sink, ids });
  const ing = await start(ingestor);
  return {
    store, ingestor, arrivals, written: () => written,
    async close() { await ing.stop(); ids.close(); await store.close(); },
  };
}

export function natsCentral(dir: string, url: string, extra: Partial<NatsIngestOptions> = {}): Promise<Central> {
  return central(dir, async (ing) => {
    const n = new NatsIngest({ servers: url, stream: 'HIST', createStream: { subjects: ['hist.>'] }, ackWaitMs: 2000, ...extra }, ing);
    await n.start();
    return n;
  });
}

export function mqttCentral(dir: string, url: string): Promise<Central> {
  return central(dir, async (ing) => {
    const m = new MqttIngest({ url, clientId: 'central-ingest', topics: ['hist/#'] }, ing);
    await m.start();
    return m;
  });
}

/** Writes `rate` samples/s over `tags` tags (ts 1 ms apart per tick) until stopped. */
export function produce(sf: StoreForward, o: { tags: string[]; rate: number; tickMs?: number }): { stop(): Promise<number>; count(): number } {
  const tickMs = o.tickMs ?? 10;
  const perTick = Math.round((o.rate * tickMs) / 1000);
  const ticksPerTag = perTick / o.tags.length;
  if (!Number.isInteger(ticksPerTag)) throw new Error('rate × tick must be a multiple of the tag count');
  let step = 0, produced = 0;
  const started = Date.now();
  const writes: Promise<void>[] = [];
  const emit = () => {
    // catch up on timer lateness so the rate holds
    const due = Math.floor((Date.now() - started) / tickMs) + 1;
    while (step < due) {
      const batch: Sample[] = [];
      for (let k = 0; k < ticksPerTag; k++) {
        const ts = BASE_TS + step * ticksPerTag + k;
        for (const tag of o.tags) batch.push({ tag, ts, value: ts % 1000, quality: 0 });
      }
      writes.push(sf.write(batch));
      produced += batch.length;
      step++;
    }
  };
  const timer = setInterval(emit, tickMs);
  return {
    count: () => produced,
    async stop() { clearInterval(timer); await Promise.all(writes); await sf.flush(); return produced; },
  };
}

/** Every expected sample is in the store once, arrival order per tag is ascending, and no write repeated a sample. */
export async function expectExactlyOnce(c: Central, expected: Map<string, number>, o: { allowRewrites?: boolean } = {}): Promise<void> {
  let total = 0;
  for (const [tag, n] of expected) {
    total += n;
    const ts: number[] = [];
    for await (const b of c.store.raw({ tag, from: BASE_TS, to: BASE_TS + 1e9 })) ts.push(...b.ts);
    expect(ts.length, `stored samples of ${tag}`).toBe(n);
    for (let i = 0; i < ts.length; i++) if (ts[i] !== BASE_TS + i && ts[i] !== ts[0] + i) throw new Error(`${tag}: gap or duplicate at ${i}`);
    const arr = c.arrivals.get(tag) ?? [];
    if (!o.allowRewrites) {
      expect(arr.length, `writes of ${tag}`).toBe(n);
      for (let i = 1; i < arr.length; i++) if (arr[i] <= arr[i - 1]) throw new Error(`${tag}: arrival order broken at ${i}: ${arr[i - 1]} then ${arr[i]}`);
    }
  }
  if (!o.allowRewrites) expect(c.written()).toBe(total);
}
