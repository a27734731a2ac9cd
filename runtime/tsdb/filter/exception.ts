// Exception filters, decided sample by sample against the last stored sample: every,
// on-change and deadband (PI's exception deviation). A sample always passes when its
// quality differs from the last stored one, or when compMax ms have passed since then.
import type { Sample } from '../../model';
import type { ResolvedFilterConfig } from './config';
import type { SampleFilter } from './filter';

export class ExceptionFilter implements SampleFilter {
  private last: Sample | null = null;

  constructor(private readonly cfg: ResolvedFilterConfig) {}

  offer(s: Sample): Sample[] {
    const last = this.last;
    if (last !== null && s.ts <= last.ts) return [s]; // late or duplicate: the store resolves it
    if (last === null || this.cfg.mode === 'every' || this.passes(last, s)) {
      this.last = s;
      return [s];
    }
    return [];
  }

  private passes(last: Sample, s: Sample): boolean {
    if (s.quality !== last.quality) return true;
    if (s.ts - last.ts >= this.cfg.compMax) return true;
    if (this.cfg.mode === 'on-change') return s.value !== last.value;
    return Math.abs(s.value - last.value) > this.cfg.deviation;
  }

  flush(): Sample[] {
    return [];
  }
}
