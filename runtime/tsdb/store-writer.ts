// The write side used by flows: logging filters (every / on-change / deadband /
// swinging-door, ARCHITECTURE.md §2) in front of a store. The filter of a tag comes from
// the node's fixed setting or, by default, from the tag's metadata in the registry.
import type { Sample } from '../model';
import { TagFilters, type FilterConfig } from './filter';
import type { TsdbStore } from './store';
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

  /** Filters and writes; resolves when what was kept is durable. */
  async write(samples: readonly Sample[]): Promise<{ stored: number; filtered: number }> {
    const keep = this.filters.offerBatch(samples);
    const filtered = samples.length - keep.length;
    this.filtered += Math.max(0, filtered);
    if (keep.length) await this.store.write(keep);
    this.stored += keep.length;
    return { stored: keep.length, filtered };
  }

  /** Writes the points swinging-door still holds back (on close or redeploy). */
  async flush(): Promise<void> {
    const held = this.filters.flush();
    if (held.length) await this.store.write(held);
    this.stored += held.length;
  }
}
