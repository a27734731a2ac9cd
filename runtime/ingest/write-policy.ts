// The one place that decides, per ingest path, whether a tag's write policy (its logging
// mode: on-change, deadband, swinging-door; runtime/tsdb/filter) is applied before samples
// reach the store. Every path that writes samples asks `sinkFor(path, store)` for what to
// write through; tests (test/unit/ingest/write-policy.test.ts and the path tests) check
// that each path behaves as its decision says; the reasons are the table below.
import { samplesOf, type Sample, type SampleColumns } from '../model';
import { StoreWriter, type LoggingSetting } from '../tsdb';
import type { TsdbStore, WriteResult } from '../tsdb';

/** historian-write node; POST /api/v1/metrics; envelope ingest (nats-ingest node, and MQTT envelope ingest, which shares it). */
export type IngestPath = 'historian-write' | 'http-ingest' | 'nats-ingest';

export interface PathDecision {
  /** true: the tag's logging mode (or the node's own setting) filters samples before the store. */
  appliesTagPolicy: boolean;
  why: string;
}

export const WRITE_POLICY: Readonly<Record<IngestPath, PathDecision>> = {
  'historian-write': {
    appliesTagPolicy: true,
    why: 'raw device samples arrive in the flow; compressing them there is what the logging mode is for, and the node flushes the point swinging-door holds back when it closes',
  },
  'http-ingest': {
    appliesTagPolicy: false,
    why: '202 means stored: a filter would answer "accepted" for samples it drops or (swinging-door) holds in memory across requests, and a client that retries with dedupe_id must get the same stored result; applications send what they mean to keep',
  },
  'nats-ingest': {
    appliesTagPolicy: false,
    why: 'envelopes (NATS, and MQTT through the same ingestor) are acknowledged once durable and redelivered after a failure; a stateful filter would store different points for the same envelope depending on delivery, and the sending gateway applies its own historian-write policy',
  },
};

/** What a path writes through: the store itself, or a filtering writer in front of it. */
export interface SampleSink {
  write(samples: readonly Sample[]): Promise<WriteResult>;
  /** The same as `write` for samples given as columns (indexes in the answer are rows). */
  writeRows(rows: SampleColumns): Promise<WriteResult>;
  /** Writes what a filter still holds back (swinging-door); nothing for an unfiltered path. */
  flush(): Promise<void>;
  /** Samples the path's policy dropped so far. */
  readonly filtered: number;
}

class Unfiltered implements SampleSink {
  readonly filtered = 0;
  constructor(private readonly store: TsdbStore) {}
  write(samples: readonly Sample[]): Promise<WriteResult> { return this.store.write(samples); }
  writeRows(rows: SampleColumns): Promise<WriteResult> { return this.store.writeColumns(rows); }
  async flush(): Promise<void> { /* nothing held */ }
}

class Filtered implements SampleSink {
  private readonly writer: StoreWriter;
  constructor(store: TsdbStore, setting: LoggingSetting) { this.writer = new StoreWriter(store, setting); }
  get filtered(): number { return this.writer.filtered; }
  async write(samples: readonly Sample[]): Promise<WriteResult> {
    const r = await this.writer.write(samples);
    return { accepted: r.stored, rejected: r.rejected.length, errors: r.rejected };
  }
  writeRows(rows: SampleColumns): Promise<WriteResult> { return this.write(samplesOf(rows)); }
  async flush(): Promise<void> { await this.writer.flush(); }
}

/**
 * The sink a path writes through. `setting` is a node's own logging setting ('tag' = the
 * tag's metadata decides); ignored on paths that do not apply the policy.
 */
export function sinkFor(path: IngestPath, store: TsdbStore, setting: LoggingSetting = 'tag'): SampleSink {
  return WRITE_POLICY[path].appliesTagPolicy ? new Filtered(store, setting) : new Unfiltered(store);
}
