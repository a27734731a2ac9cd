// The central side of store-and-forward, whatever the transport: decode envelopes, drop
// the ones already stored (by event id), write the samples and wait until they are
// durable, then remember the ids. Only after that may the transport acknowledge.
// A crash between the store write and remembering the ids makes the redelivered
// envelope be written again with the same (tag, ts, value); the store keeps one sample
// per (tag, ts), so it still reads once.
import type { Sample } from '../model';
import { describeRejections, mapRejections, type ItemRejection } from '../ingest';
import type { WriteResult } from '../tsdb';
import { decodeEnvelope } from './envelope';
import type { EventIdSet } from './event-id-set';

/** A store, or anything that reports per-sample outcomes the way TsdbStore.write does. */
export interface SampleSink {
  write(samples: readonly Sample[]): Promise<WriteResult | void>;
}

/**
 * `samples`: stored; `rejected`: refused by the store for good (too old, too far in the
 * future): acknowledged to the transport all the same, since a redelivery cannot change
 * the answer, but counted, reported and never passed on as stored.
 */
export interface IngestResult { envelopes: number; samples: number; duplicates: number; invalid: number; rejected: number; rejections: ItemRejection[] }

export interface IngestorOptions {
  sink: SampleSink;
  ids: EventIdSet;
  onError?: (message: string) => void;
  /** called after the samples of a batch are durable */
  onStored?: (samples: Sample[], envelopes: Array<{ id: string; source: string; created: number; count: number }>) => void;
}

export interface IngestorStats { envelopes: number; samples: number; duplicates: number; invalid: number; invalidSamples: number; rejectedSamples: number }

export class EnvelopeIngestor {
  readonly stats: IngestorStats = { envelopes: 0, samples: 0, duplicates: 0, invalid: 0, invalidSamples: 0, rejectedSamples: 0 };

  constructor(private readonly o: IngestorOptions) {}

  /** Stores a batch of envelope payloads; resolves once durable and remembered. */
  async ingest(payloads: readonly Uint8Array[]): Promise<IngestResult> {
    const samples: Sample[] = [];
    const ids: string[] = [];
    const meta: Array<{ id: string; source: string; created: number; count: number }> = [];
    const inBatch = new Set<string>();
    const envelopeSizes = new Map<string, number>();
    let duplicates = 0, invalid = 0;
    for (const p of payloads) {
      let env;
      try { env = decodeEnvelope(p); } catch (e) {
        invalid++;
        this.o.onError?.(`dropped an envelope that cannot be read: ${(e as Error).message}`);
        continue;
      }
      if (inBatch.has(env.id) || this.o.ids.contains(env.id)) { duplicates++; continue; }
      inBatch.add(env.id);
      if (env.errors.length) {
        this.stats.invalidSamples += env.errors.length;
        this.o.onError?.(`envelope ${env.id} from ${env.source}: ${env.errors.length} invalid samples dropped (${env.errors[0].message})`);
      }
      for (const s of env.samples) samples.push(s);
      ids.push(env.id);
      meta.push({ id: env.id, source: env.source, created: env.created, count: env.samples.length });
      envelopeSizes.set(env.id, env.samples.length);
    }
    let stored = samples;
    let rejections: ItemRejection[] = [];
    if (samples.length) {
      const r = await this.o.sink.write(samples);
      if (r && r.errors?.length) {
        rejections = mapRejections(r.errors, null, { ts: 'ts', value: 'value', tag: 'tag' });
        const refused = new Set(r.errors.map((e) => e.index));
        stored = samples.filter((_, i) => !refused.has(i));
        for (const m of meta) m.count = 0;
        // per-envelope counts of what was stored, for the onStored report
        let i = 0;
        for (const m of meta) {
          const n = envelopeSizes.get(m.id) ?? 0;
          for (let k = 0; k < n; k++, i++) if (!refused.has(i)) m.count++;
        }
        this.stats.rejectedSamples += rejections.length;
        this.o.onError?.(`the store refused ${rejections.length} of ${samples.length} samples: ${describeRejections(rejections)}`);
      }
    }
    this.o.ids.addAll(ids);
    this.stats.envelopes += ids.length;
    this.stats.samples += stored.length;
    this.stats.duplicates += duplicates;
    this.stats.invalid += invalid;
    if (stored.length) this.o.onStored?.(stored, meta);
    return { envelopes: ids.length, samples: stored.length, duplicates, invalid, rejected: rejections.length, rejections };
  }
}
