// Swinging-door compression (Bristol 1990), in the form PI uses for CompDev / CompMax:
// a point is archived only when the line from the last archived point A to the newest
// point can no longer pass within ±E of every point received in between.
//
// For each in-between point p the line's slope must lie in
//   [up(p), down(p)],  up(p) = (p.value − A.value − E) / (p.ts − A.ts),
//                      down(p) = (p.value − A.value + E) / (p.ts − A.ts)
// (the "doors" pivoting at A.value ± E). The filter keeps max(up) and min(down) of the
// in-between points and holds the newest point back. When a new point V arrives, the held
// point joins the in-between set; if slope(A → V) falls outside [max up, min down] the
// doors have closed: the held point is archived (the line A → held still satisfied every
// point before it) and becomes A, and V is held against it. flush() archives the held
// point. So every point that is not stored lies within E of the straight line between
// the stored points around it.
// Quality changes and compMax force the held point and the new point into the archive,
// so both edges of a quality change are kept and no archived gap exceeds compMax.
import type { Sample } from '../../model';
import type { ResolvedFilterConfig } from './config';
import type { SampleFilter } from './filter';

export class SwingingDoorFilter implements SampleFilter {
  private archived: Sample | null = null;
  private held: Sample | null = null;
  private maxUp = -Infinity;
  private minDown = Infinity;

  constructor(private readonly cfg: ResolvedFilterConfig) {}

  offer(s: Sample): Sample[] {
    const a = this.archived;
    if (a === null) return this.archive(s);
    const newest = this.held ?? a;
    if (s.ts <= newest.ts) return [s]; // late or duplicate: stored as is, state unchanged
    if (s.quality !== newest.quality || s.ts - a.ts >= this.cfg.compMax) {
      const out = this.held !== null ? [this.held] : [];
      return out.concat(this.archive(s));
    }
    const h = this.held;
    this.held = s;
    if (h === null) return [];
    const e = this.cfg.deviation;
    const dt = h.ts - a.ts;
    this.maxUp = Math.max(this.maxUp, (h.value - a.value - e) / dt);
    this.minDown = Math.min(this.minDown, (h.value - a.value + e) / dt);
    const slope = (s.value - a.value) / (s.ts - a.ts);
    if (slope >= this.maxUp && slope <= this.minDown) return [];
    this.archived = h;
    this.maxUp = -Infinity;
    this.minDown = Infinity;
    return [h];
  }

  flush(): Sample[] {
    const h = this.held;
    if (h === null) return [];
    this.archive(h);
    return [h];
  }

  private archive(s: Sample): Sample[] {
    this.archived = s;
    this.held = null;
    this.maxUp = -Infinity;
    this.minDown = Infinity;
    return [s];
  }
}
