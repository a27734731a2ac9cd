// The write side used by flows: logging filters (every / on-change / deadband /
// swinging-door, ARCHITECTURE.md §2) in front of a store. The filter of a tag comes from
// the node's fixed setting or, by default, from the tag's metadata in the registry.
import type { Sample } from '../model';
import { TagFilters, type FilterConfig } from './filter';
import type { RejectedSample, TsdbStore } from './store';
import type { TagMeta } from './tag-registry';

export type LoggingSetting = 'tag' | FilterConfig;

/** The logging filter a tag's metadata asks for. */
export function filterConfigFromMeta(meta: TagMeta | undefined): FilterConfig {
  if (!meta || meta.loggingMode === 'every') return { mode: 'every' };
  const span = meta.spanLow !== null && meta.spanHigh !== null ? { low: meta.spanLow, high: meta.spanHigh } : undefined;
  const percent = meta.deviation === null && meta.deviationPercent !== null;
  return {
    mode: meta.loggingMode,
    deviation: percent ? meta.deviationPercent! : meta.deviation ?? 0,
    deviationUnit: percent ? 'percent' : 'absolute',
    span,
    compMax: meta.maxIntervalMs ?? undefined,
  };
}

export class StoreWriter {
  private readonly filters: TagFilters;
  stored = 0;
  filtered = 0;

  constructor(private readonly store: TsdbStore, logging: LoggingSetting = 'tag') {
    this.filters = new TagFilters((tag) => (logging === 'tag' ? filterConfigFromMeta(store.tags.get(tag)) : logging));
  }

  /**
   * Filters and writes; resolves when what was kept is durable. `rejected` lists the
   * samples the store refused (index into `samples`), which are not counted as stored.
   */
  async write(samples: readonly Sample[]): Promise<{ stored: number; filtered: number; rejected: RejectedSample[] }> {
    const keep = this.filters.offerBatch(samples);
    const filtered = samples.length - keep.length;
    this.filtered += Math.max(0, filtered);
    let rejected: RejectedSample[] = [];
    if (keep.length) {
      const r = await this.store.write(keep);
      if (r.errors?.length) rejected = r.errors.map((e) => ({ ...e, index: samples.indexOf(keep[e.index]) }));
    }
    const stored = keep.length - rejected.length;
    this.stored += stored;
    return { stored, filtered, rejected };
  }

  /** Writes the points swinging-door still holds back (on close or redeploy). */
  async flush(): Promise<RejectedSample[]> {
    const held = this.filters.flush();
    if (!held.length) return [];
    const r = await this.store.write(held);
    this.stored += r.accepted;
    return r.errors ?? [];
  }
}
