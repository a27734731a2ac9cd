// Event-triggered capture: a set of tags is passed on (to be stored) only while a trigger
// is active, plus the `preMs` before it became active and the `postMs` after it ended.
// Until then their samples wait in a per-tag ring buffer holding the last `preMs`, so a
// trip recorded at 1 Hz comes with the minute before it. The trigger is a condition over
// tags (the calc language, `for` holds allowed) or is switched from outside (an
// event-frame's open/close messages).
//
// Exactly the samples with time in [start − preMs, end + postMs] leave, each once, in
// time order per tag; a sample is judged at its own time, so a late one is kept when its
// time falls in a captured window still in memory and dropped otherwise.
import { compilePattern, type Sample } from '../model';
import type { InputSample } from '../calc';
import { Condition, type ConditionState } from './condition';

export interface CaptureOptions {
  /** tag patterns (NATS-style wildcards) of the captured tags */
  tags: readonly string[];
  /** history kept before the trigger, ms (default 60 s) */
  preMs?: number;
  /** samples kept after the trigger ends, ms (default 0) */
  postMs?: number;
  /** trigger condition over tags; without one, only start()/stop() switch the capture */
  condition?: string;
  aliases?: Record<string, string>;
  /** at most this many samples per tag in the ring buffer (memory bound; default 100,000) */
  maxBufferedPerTag?: number;
}

export class TriggeredCapture {
  private readonly match: Array<(t: string) => boolean>;
  private readonly preMs: number;
  private readonly postMs: number;
  private readonly cap: number;
  private readonly cond: Condition | null;
  private readonly st: ConditionState = { since: null, last: null };
  private readonly latest = new Map<string, InputSample>();
  private readonly ring = new Map<string, Sample[]>();
  private readonly captured = new Map<string, boolean>();
  /** active since (ms), or null */
  private activeSince: number | null = null;
  /** after the end: samples up to this time still pass */
  private postUntil = -Infinity;
  private external = false;

  constructor(opts: CaptureOptions) {
    if (!opts.tags?.length) throw new Error('tags: give the tags (patterns) to capture');
    this.match = opts.tags.map((p) => { try { return compilePattern(p); } catch (e) { throw new Error(`tags: ${(e as Error).message}`); } });
    this.preMs = opts.preMs ?? 60_000;
    this.postMs = opts.postMs ?? 0;
    if (!(this.preMs >= 0) || !(this.postMs >= 0)) throw new Error('preMs/postMs: must not be negative');
    this.cap = opts.maxBufferedPerTag ?? 100_000;
    this.cond = opts.condition ? new Condition(opts.condition, opts.aliases ?? {}, 'condition') : null;
  }

  get active(): boolean { return this.activeSince !== null; }

  private isCaptured(tag: string): boolean {
    let c = this.captured.get(tag);
    if (c === undefined) { c = this.match.some((m) => m(tag)); this.captured.set(tag, c); }
    return c;
  }

  /** Switches the capture on at `at` (an event-frame opened); the buffered pre-trigger samples leave. */
  start(at: number): Sample[] {
    this.external = true;
    return this.activate(at);
  }

  /** Switches it off at `at`; samples up to at + postMs still pass. */
  stop(at: number): void {
    this.external = false;
    if (!this.cond || this.st.last !== true) this.deactivate(at);
  }

  private activate(at: number): Sample[] {
    if (this.activeSince !== null) return [];
    this.activeSince = at;
    const from = at - this.preMs;
    const out: Sample[] = [];
    for (const buf of this.ring.values()) for (const s of buf) if (s.ts >= from) out.push(s);
    this.ring.clear();
    return out;
  }

  private deactivate(at: number): void {
    if (this.activeSince === null) return;
    this.activeSince = null;
    this.postUntil = at + this.postMs;
  }

  private keep(s: Sample, out: Sample[]): void {
    if (this.activeSince !== null || s.ts <= this.postUntil) { out.push(s); return; }
    let buf = this.ring.get(s.tag);
    if (!buf) { buf = []; this.ring.set(s.tag, buf); }
    buf.push(s);
    // drop what has fallen out of the pre-trigger window (and anything over the cap)
    let drop = 0;
    // a held condition starts in the past: keep its hold on top of the pre-trigger window
    const horizon = s.ts - this.preMs - (this.cond?.holdMs ?? 0);
    while (drop < buf.length && buf[drop].ts < horizon) drop++;
    if (buf.length - drop > this.cap) drop = buf.length - this.cap;
    if (drop > 0) buf.splice(0, drop);
  }

  /** Feeds samples; returns those to store now. */
  ingest(samples: readonly Sample[]): Sample[] {
    const out: Sample[] = [];
    const sorted = samples.length > 1 ? [...samples].sort((a, b) => a.ts - b.ts) : samples;
    let i = 0;
    while (i < sorted.length) {
      const ts = sorted[i].ts;
      const group: Sample[] = [];
      for (; i < sorted.length && sorted[i].ts === ts; i++) {
        const s = sorted[i];
        const prev = this.latest.get(s.tag);
        if (this.cond && (!prev || prev.ts <= s.ts)) this.latest.set(s.tag, { value: s.value, ts: s.ts, quality: s.quality });
        if (this.isCaptured(s.tag)) group.push(s);
      }
      if (this.cond) {
        const since = this.cond.step({ now: ts, get: (t) => this.latest.get(t) }, this.st);
        if (since !== null) out.push(...this.activate(since));
        else if (this.st.last === false && !this.external) this.deactivate(ts);
      }
      for (const s of group) this.keep(s, out);
    }
    return out;
  }

  /** A held condition (`for 30s`) that became due without new samples. */
  tick(now: number): Sample[] {
    if (!this.cond || this.activeSince !== null) return [];
    const since = this.cond.due(now, this.st);
    return since === null ? [] : this.activate(since);
  }
}
