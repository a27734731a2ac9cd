// The central side of store-and-forward, whatever the transport: decode envelopes, drop
// the ones already stored (by event id), write the samples and wait until they are
// durable, then remember the ids. Only after that may the transport acknowledge.
// A crash between the store write and remembering the ids makes the redelivered
// envelope be written again with the same (tag, ts, value); the store keeps one sample
// per (tag, ts), so it still reads once.
import type { Sample } from '../model';
import { decodeEnvelope } from './envelope';
import type { EventIdSet } from './event-id-set';

export interface SampleSink {
  write(samples: readonly Sample[]): Promise<unknown>;
}

export interface IngestResult { envelopes: number; samples: number; duplicates: number; invalid: number }

export interface IngestorOptions {
  sink: SampleSink;
  ids: EventIdSet;
  onError?: (message: string) => void;
  /** called after the samples of a batch are durable */
  onStored?: (samples: Sample[], envelopes: Array<{ id: string; source: string; created: number; count: number }>) => void;
}

export interface IngestorStats { envelopes: number; samples: number; duplicates: number; invalid: number; invalidSamples: number }

export class EnvelopeIngestor {
  readonly stats: IngestorStats = { envelopes: 0, samples: 0, duplicates: 0, invalid: 0, invalidSamples: 0 };

  constructor(private readonly o: IngestorOptions) {}

  /** Stores a batch of envelope payloads; resolves once durable and remembered. */
  async ingest(payloads: readonly Uint8Array[]): Promise<IngestResult> {
    const samples: Sample[] = [];
    const ids: string[] = [];
    const meta: Array<{ id: string; source: string; created: number; count: number }> = [];
    const inBatch = new Set<string>();
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
    }
    if (samples.length) await this.o.sink.write(samples);
    this.o.ids.addAll(ids);
    this.stats.envelopes += ids.length;
    this.stats.samples += samples.length;
    this.stats.duplicates += duplicates;
    this.stats.invalid += invalid;
    if (samples.length) this.o.onStored?.(samples, meta);
    return { envelopes: ids.length, samples: samples.length, duplicates, invalid };
  }
}
