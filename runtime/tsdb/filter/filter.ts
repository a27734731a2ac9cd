// The logging-filter contract and its factory. A filter holds the state of ONE tag and
// sees that tag's samples in time order; it returns the samples to store now.
import type { Sample } from '../../model';
import { resolveFilterConfig, type FilterConfig } from './config';
import { ExceptionFilter } from './exception';
import { SwingingDoorFilter } from './swinging-door';

export interface SampleFilter {
  /** Offers the next sample of the tag; returns the samples to store now (possibly none, possibly two). */
  offer(sample: Sample): Sample[];
  /** Returns a sample still held back (swinging-door), e.g. on close or redeploy. */
  flush(): Sample[];
}

export function createFilter(config: FilterConfig): SampleFilter {
  const cfg = resolveFilterConfig(config);
  return cfg.mode === 'swinging-door' ? new SwingingDoorFilter(cfg) : new ExceptionFilter(cfg);
}

/** Per-tag filter state for a mixed stream; `configFor` gives each tag's logging mode. */
export class TagFilters {
  private readonly filters = new Map<string, SampleFilter>();

  constructor(private readonly configFor: (tag: string) => FilterConfig) {}

  offer(sample: Sample): Sample[] {
    let f = this.filters.get(sample.tag);
    if (f === undefined) {
      f = createFilter(this.configFor(sample.tag));
      this.filters.set(sample.tag, f);
    }
    return f.offer(sample);
  }

  offerBatch(samples: readonly Sample[]): Sample[] {
    const out: Sample[] = [];
    for (const s of samples) for (const r of this.offer(s)) out.push(r);
    return out;
  }

  /** Drops a tag's state after flushing it (for example when its logging mode changes). */
  reset(tag: string): Sample[] {
    const f = this.filters.get(tag);
    this.filters.delete(tag);
    return f ? f.flush() : [];
  }

  flush(): Sample[] {
    const out: Sample[] = [];
    for (const f of this.filters.values()) for (const r of f.flush()) out.push(r);
    return out;
  }
}
