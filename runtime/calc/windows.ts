// Stateful window functions. Each call site in an expression owns one instance, fed one
// point per evaluation: (evaluation time, argument value, argument quality).
//
// Shared rules (see LANGUAGE.md "Window functions"):
// - A second evaluation at the same timestamp replaces the point of the first, so an
//   expression triggered twice at one instant does not count that instant twice.
// - An evaluation earlier than the previous one does not touch the state; it returns the
//   previous output, marked UNCERTAIN.
// - BAD or non-finite arguments never reach a window (the compiler filters them).
import { GOOD, QUALITY_CODES, worstQuality } from '../model';
import { WindowBuffer } from './window-buffer';

const UNCERTAIN = QUALITY_CODES.UNCERTAIN;
const BAD_NO_DATA = QUALITY_CODES.BAD_NO_DATA;

/** A window length: the last `count` evaluations, or the points in (now - ms, now]. */
export type WindowSpan = { count: number; ms?: undefined } | { ms: number; count?: undefined };

export abstract class WindowFn {
  /** quality this window contributes to the result of the current evaluation */
  q = GOOD;
  protected lastT = -Infinity;
  private lastOut = NaN;

  step(t: number, v: number, q: number): number {
    if (t < this.lastT) {
      this.q = worstQuality(q, UNCERTAIN);
      return this.lastOut;
    }
    this.q = q;
    const out = this.compute(t, v, q, t === this.lastT);
    this.lastT = t;
    this.lastOut = out;
    return out;
  }

  /** `replacing`: this point has the same timestamp as the previous one and supersedes it. */
  protected abstract compute(t: number, v: number, q: number, replacing: boolean): number;
}

/** Base for windows over a buffer of points, expiring by count or by age, with a point cap. */
abstract class BufferedWindow extends WindowFn {
  protected readonly buf: WindowBuffer;
  private capped = false;

  constructor(protected readonly span: WindowSpan, protected readonly maxPoints: number) {
    super();
    this.buf = new WindowBuffer();
  }

  protected insert(t: number, v: number, q: number, replacing: boolean): void {
    if (replacing) {
      this.removed(this.buf.v[this.buf.lastIndex]);
      this.buf.replaceLast(v, q);
    } else {
      this.buf.push(t, v, q);
    }
    this.added(v);
    const b = this.buf;
    if (this.span.count !== undefined) {
      while (b.size > this.span.count) this.removed(b.shift());
    } else {
      const cut = t - this.span.ms;
      let expired = false;
      while (b.size > 0 && b.t[b.start] <= cut) { this.removed(b.shift()); expired = true; }
      if (expired) this.capped = false;
    }
    if (b.size > this.maxPoints) {
      this.removed(b.shift());
      this.capped = true;
    }
    // the window no longer holds all its points: say so rather than pretend
    if (this.capped) this.q = worstQuality(this.q, UNCERTAIN);
  }

  protected added(_v: number): void {}
  protected removed(_v: number): void {}
}

/**
 * avg(x, N) / avg(x, 5m): arithmetic mean of the points in the window. Small windows are
 * summed directly; large ones keep a compensated running sum, recomputed once per window
 * length so cancellation (1e12 entering then leaving) cannot accumulate.
 */
export class AvgWindow extends BufferedWindow {
  private sum = 0;
  private comp = 0;
  private sinceResum = 0;

  protected compute(t: number, v: number, q: number, replacing: boolean): number {
    this.insert(t, v, q, replacing);
    const b = this.buf;
    const n = b.size;
    if (n <= 32 || ++this.sinceResum >= n) {
      let s = 0;
      for (let i = b.start; i < b.v.length; i++) s += b.v[i];
      this.sum = s;
      this.comp = 0;
      this.sinceResum = 0;
      return s / n;
    }
    return (this.sum + this.comp) / n;
  }

  // Neumaier summation: the low-order bits lost by each addition are kept in comp
  private add(x: number): void {
    const s = this.sum + x;
    this.comp += Math.abs(this.sum) >= Math.abs(x) ? (this.sum - s) + x : (x - s) + this.sum;
    this.sum = s;
  }

  protected override added(v: number): void { this.add(v); }
  protected override removed(v: number): void { this.add(-v); }
}

/** minw / maxw: extreme of the window, cached and rescanned only when the extreme leaves. */
export class ExtremeWindow extends BufferedWindow {
  private ext = NaN;
  private valid = false;

  constructor(span: WindowSpan, maxPoints: number, private readonly isMax: boolean) {
    super(span, maxPoints);
  }

  protected compute(t: number, v: number, q: number, replacing: boolean): number {
    this.insert(t, v, q, replacing);
    if (!this.valid) {
      const b = this.buf;
      let e = b.v[b.start];
      for (let i = b.start + 1; i < b.v.length; i++) {
        const x = b.v[i];
        if (this.isMax ? x > e : x < e) e = x;
      }
      this.ext = e;
      this.valid = true;
    }
    return this.ext;
  }

  protected override added(v: number): void {
    if (this.valid && (this.isMax ? v > this.ext : v < this.ext)) this.ext = v;
  }

  protected override removed(v: number): void {
    if (v === this.ext) this.valid = false;
  }
}

/**
 * A time window that keeps the one point before its start, whose value holds into the
 * window (twa, delay); at most `maxPoints` points, `capped` when that bound cut history.
 */
abstract class HeldWindowFn extends WindowFn {
  protected readonly buf = new WindowBuffer();
  protected capped = false;

  constructor(protected readonly ms: number, protected readonly maxPoints: number) { super(); }

  /** Adds (or replaces) the newest point, trims the window; returns its start time. */
  protected admit(t: number, v: number, q: number, replacing: boolean): number {
    const b = this.buf;
    if (replacing) b.replaceLast(v, q);
    else b.push(t, v, q);
    const cut = t - this.ms;
    while (b.size >= 2 && b.t[b.start + 1] <= cut) { b.shift(); this.capped = false; }
    if (b.size > this.maxPoints) { b.shift(); this.capped = true; }
    return cut;
  }
}

/**
 * twa(x, 5m): time-weighted average with previous-value (step) holding: each point's
 * value lasts until the next point. The window is [now - W, now], shortened to start at
 * the first point while less history exists; with zero width the current value is returned.
 */
export class TwaWindow extends HeldWindowFn {
  protected compute(t: number, v: number, q: number, replacing: boolean): number {
    const b = this.buf;
    const cut = this.admit(t, v, q, replacing);
    if (this.capped) this.q = worstQuality(this.q, UNCERTAIN);
    const from = Math.max(cut, b.t[b.start]);
    const width = t - from;
    if (width <= 0) return v;
    let area = 0;
    for (let i = b.start; i < b.t.length - 1; i++) {
      area += b.v[i] * (b.t[i + 1] - Math.max(b.t[i], from));
    }
    return area / width;
  }
}

/** delay(x, 30s): the value x had 30 s ago (the latest point at or before now - 30 s). */
export class DelayWindow extends HeldWindowFn {
  protected compute(t: number, v: number, q: number, replacing: boolean): number {
    const b = this.buf;
    const cut = this.admit(t, v, q, replacing);
    if (b.t[b.start] > cut) {
      this.q = BAD_NO_DATA; // not enough history yet
      return NaN;
    }
    // the result carries the quality of the delayed point, not of the current one
    this.q = this.capped ? worstQuality(b.q[b.start], UNCERTAIN) : b.q[b.start];
    return b.v[b.start];
  }
}

/** ewma(x, alpha): y = alpha * x + (1 - alpha) * y_prev, seeded with the first point. */
export class EwmaWindow extends WindowFn {
  private before = NaN;
  private y = NaN;

  constructor(private readonly alpha: number) { super(); }

  protected compute(_t: number, v: number, _q: number, replacing: boolean): number {
    if (!replacing) this.before = this.y;
    const base = this.before;
    this.y = base !== base ? v : this.alpha * v + (1 - this.alpha) * base;
    return this.y;
  }
}

/** diff(x) and rate(x): change since the previous point (rate: per second). */
export class DeltaWindow extends WindowFn {
  private prevT = NaN;
  private prevV = NaN;
  private lastV = NaN;

  constructor(private readonly perSecond: boolean) { super(); }

  protected compute(t: number, v: number, _q: number, replacing: boolean): number {
    if (!replacing) {
      this.prevT = this.lastT;
      this.prevV = this.lastV;
    }
    this.lastV = v;
    if (this.prevV !== this.prevV) {
      this.q = worstQuality(this.q, UNCERTAIN); // first point: no previous value yet
      return 0;
    }
    const d = v - this.prevV;
    return this.perSecond ? (d * 1000) / (t - this.prevT) : d;
  }
}

/** integral(x, unit): running trapezoid total of x over time, time measured in `unit`. */
export class IntegralWindow extends WindowFn {
  private total = 0;
  private before = 0;
  private prevT = NaN;
  private prevV = NaN;
  private lastV = NaN;

  constructor(private readonly unitMs: number) { super(); }

  protected compute(t: number, v: number, _q: number, replacing: boolean): number {
    if (!replacing) {
      this.before = this.total;
      this.prevT = this.lastT;
      this.prevV = this.lastV;
    }
    this.lastV = v;
    this.total = this.prevV !== this.prevV
      ? this.before
      : this.before + ((this.prevV + v) / 2) * ((t - this.prevT) / this.unitMs);
    return this.total;
  }
}

/** deadband(x, band): holds its output until x moves more than `band` away from it. */
export class DeadbandWindow extends WindowFn {
  private held = NaN;
  private before = NaN;

  constructor(private readonly band: number) { super(); }

  protected compute(_t: number, v: number, _q: number, replacing: boolean): number {
    if (!replacing) this.before = this.held;
    const h = this.before;
    this.held = h !== h || Math.abs(v - h) > this.band ? v : h;
    return this.held;
  }
}

/** timeSinceTrue(cond): seconds cond has been continuously true; 0 while it is false. */
export class TimeSinceTrueWindow extends WindowFn {
  private since = NaN;
  private before = NaN;

  protected compute(t: number, v: number, _q: number, replacing: boolean): number {
    if (!replacing) this.before = this.since;
    if (v === 0) {
      this.since = NaN;
      return 0;
    }
    this.since = this.before !== this.before ? t : this.before;
    return (t - this.since) / 1000;
  }
}
