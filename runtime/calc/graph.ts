// A set of calc tags evaluated as samples arrive. Keeps the latest sample of every tag it
// reads, recomputes the calc tags an incoming sample triggers, and feeds their outputs to
// calc tags that read them, in dependency order, within the same call.
import type { Sample } from '../model';
import { tagError } from '../model';
import { compile, type CompiledExpression, type CompileOptions, type InputSample } from './compiler';
import { dependencyOrder } from './cycles';
import { CalcError } from './error';
import type { CalcLimits } from './limits';

/** `any`: any input changed; `all`: every input updated since the last evaluation; or a period. */
export type CalcTrigger = 'any' | 'all' | { periodMs: number };

export interface CalcTagDef {
  /** output tag path */
  output: string;
  expression: string;
  aliases?: CompileOptions['aliases'];
  /** default 'any' */
  trigger?: CalcTrigger;
  /** overrides the graph's staleAfterMs for this calc tag */
  staleAfterMs?: number;
}

export interface CalcGraphOptions {
  staleAfterMs?: number;
  limits?: Partial<CalcLimits>;
}

/** A configuration problem, naming the calc tag (by output and position in the list). */
export class CalcConfigError extends Error {
  constructor(readonly output: string | null, readonly index: number | null, message: string, readonly cause?: CalcError) {
    super(message);
    this.name = 'CalcConfigError';
  }
}

interface CalcNode {
  def: CalcTagDef;
  output: string;
  expr: CompiledExpression;
  kind: 'any' | 'all' | 'period';
  periodMs: number;
  due: number;
  /** for 'all': which inputs updated since the last evaluation */
  seen: Uint8Array;
  seenCount: number;
  rank: number;
}


function triggerOf(t: unknown, where: (m: string) => never): { kind: CalcNode['kind']; periodMs: number } {
  if (t === undefined || t === 'any') return { kind: 'any', periodMs: 0 };
  if (t === 'all') return { kind: 'all', periodMs: 0 };
  if (typeof t === 'object' && t !== null && 'periodMs' in t) {
    const p = (t as { periodMs: unknown }).periodMs;
    if (typeof p === 'number' && Number.isInteger(p) && p > 0) return { kind: 'period', periodMs: p };
    return where(`trigger.periodMs must be a positive integer of milliseconds (got ${String(p)})`);
  }
  return where(`trigger must be "any", "all" or { periodMs } (got ${JSON.stringify(t)})`);
}

export class CalcGraph {
  /** calc tags in evaluation (dependency) order */
  private readonly nodes: CalcNode[];
  private readonly readers = new Map<string, { node: CalcNode; input: number }[]>();
  private readonly latestMap = new Map<string, InputSample>();
  private readonly dirty: Uint8Array;
  private lo = Infinity;
  private hi = -1;
  private readonly ctx = { now: 0, get: (tag: string) => this.latestMap.get(tag) };
  /** tags read by some calc tag and produced by none: what the graph must be fed */
  readonly inputs: readonly string[];
  /** output tags, in evaluation order */
  readonly outputs: readonly string[];

  constructor(defs: readonly CalcTagDef[], options: CalcGraphOptions = {}) {
    if (!Array.isArray(defs)) throw new CalcConfigError(null, null, 'calc tags must be an array');
    const byOutput = new Map<string, number>();
    const built: CalcNode[] = defs.map((def, i) => {
      const where = (m: string): never => {
        const out = def && tagError(def.output) === null ? def.output : null;
        throw new CalcConfigError(out, i, `calc tag ${out ? `"${out}"` : `#${i + 1}`}: ${m}`);
      };
      if (typeof def !== 'object' || def === null) where('must be an object');
      const err = tagError(def.output);
      if (err) where(`output: ${err}`);
      if (byOutput.has(def.output)) where(`output "${def.output}" is also produced by calc tag #${byOutput.get(def.output)! + 1}`);
      byOutput.set(def.output, i);
      if (typeof def.expression !== 'string' || def.expression.trim() === '') where('expression must be a non-empty string');
      const trig = triggerOf(def.trigger, where);
      let expr: CompiledExpression;
      try {
        expr = compile(def.expression, {
          aliases: def.aliases,
          staleAfterMs: def.staleAfterMs ?? options.staleAfterMs,
          limits: options.limits,
        });
      } catch (e) {
        if (!(e instanceof CalcError)) throw e;
        throw new CalcConfigError(def.output, i, `calc tag "${def.output}": ${e.message}`, e);
      }
      return {
        def, output: def.output, expr, kind: trig.kind, periodMs: trig.periodMs, due: -Infinity,
        seen: new Uint8Array(expr.inputs.length), seenCount: 0, rank: 0,
      };
    });

    const deps = built.map((n) => n.expr.inputs.filter((t) => byOutput.has(t)).map((t) => byOutput.get(t)!));
    const sorted = dependencyOrder(deps);
    if ('cycle' in sorted) {
      const names = sorted.cycle.map((k) => built[k].output);
      throw new CalcConfigError(names[0], sorted.cycle[0],
        `dependency cycle between calc tags: ${names.join(' -> ')} (each reads the next)`);
    }
    this.nodes = sorted.order.map((k) => built[k]);
    this.nodes.forEach((n, rank) => { n.rank = rank; });
    this.dirty = new Uint8Array(this.nodes.length);

    const external = new Set<string>();
    for (const node of this.nodes) {
      node.expr.inputs.forEach((tag, input) => {
        let list = this.readers.get(tag);
        if (!list) this.readers.set(tag, (list = []));
        list.push({ node, input });
        if (!byOutput.has(tag)) external.add(tag);
      });
    }
    this.inputs = Object.freeze([...external]);
    this.outputs = Object.freeze(this.nodes.map((n) => n.output));
  }

  /** The latest sample the graph holds for a tag (an input or a calc output). */
  latest(tag: string): InputSample | undefined {
    return this.latestMap.get(tag);
  }

  /** Sets latest values without evaluating anything (e.g. last stored values at deploy). */
  seed(samples: Iterable<Sample>): void {
    for (const s of samples) this.store(s);
  }

  /** Applies one sample and returns the calc outputs it caused, in dependency order. */
  ingest(sample: Sample): Sample[] {
    if (!this.apply(sample)) return [];
    const out: Sample[] = [];
    this.propagate(sample.ts, out);
    return out;
  }

  /**
   * Applies a batch. Consecutive samples with the same timestamp are applied together
   * before evaluating, so a calc tag over two inputs updated at one instant runs once.
   */
  ingestBatch(samples: readonly Sample[]): Sample[] {
    const out: Sample[] = [];
    let i = 0;
    while (i < samples.length) {
      const ts = samples[i].ts;
      let any = false;
      while (i < samples.length && samples[i].ts === ts) {
        if (this.apply(samples[i])) any = true;
        i++;
      }
      if (any) this.propagate(ts, out);
    }
    return out;
  }

  /** Evaluates the period-triggered calc tags due at `now` (and whatever reads them). */
  tick(now: number): Sample[] {
    const out: Sample[] = [];
    let any = false;
    for (const n of this.nodes) {
      if (n.kind === 'period' && n.due <= now) {
        n.due = (Math.floor(now / n.periodMs) + 1) * n.periodMs;
        this.mark(n);
        any = true;
      }
    }
    if (any) this.propagate(now, out);
    return out;
  }

  /** Earliest time a period-triggered calc tag is due, or null when there are none. */
  nextDue(): number | null {
    let due = Infinity;
    for (const n of this.nodes) if (n.kind === 'period' && n.due < due) due = n.due;
    return due === Infinity ? null : due;
  }

  private store(s: Sample): boolean {
    if (typeof s !== 'object' || s === null || typeof s.tag !== 'string' || !Number.isFinite(s.ts)) {
      throw new TypeError('calc graph: a sample needs a string tag and a finite ts');
    }
    const prev = this.latestMap.get(s.tag);
    // an older sample than the one held does not replace it (late delivery)
    if (prev !== undefined && prev.ts > s.ts) return false;
    this.latestMap.set(s.tag, s);
    return true;
  }

  /** Stores the sample and notes which calc tags it triggers; false if it was ignored. */
  private apply(s: Sample): boolean {
    if (!this.store(s)) return false;
    const list = this.readers.get(s.tag);
    if (!list) return false;
    for (const r of list) this.notify(r.node, r.input);
    return true;
  }

  private notify(n: CalcNode, input: number): void {
    if (n.kind === 'any') this.mark(n);
    else if (n.kind === 'all') {
      if (n.seen[input] === 0) { n.seen[input] = 1; n.seenCount++; }
      if (n.seenCount === n.seen.length) this.mark(n);
    }
  }

  private mark(n: CalcNode): void {
    this.dirty[n.rank] = 1;
    if (n.rank < this.lo) this.lo = n.rank;
    if (n.rank > this.hi) this.hi = n.rank;
  }

  private propagate(now: number, out: Sample[]): void {
    this.ctx.now = now;
    // readers always rank after what they read, so one upward sweep reaches everything
    for (let r = this.lo; r <= this.hi; r++) {
      if (this.dirty[r] === 0) continue;
      this.dirty[r] = 0;
      const n = this.nodes[r];
      if (n.kind === 'all') { n.seen.fill(0); n.seenCount = 0; }
      const res = n.expr.evaluate(this.ctx);
      // a non-finite result is BAD (evaluate guarantees it) and stored with value 0, never NaN
      const s: Sample = { tag: n.output, ts: now, value: res.value ?? 0, quality: res.quality };
      out.push(s);
      this.apply(s);
    }
    this.lo = Infinity;
    this.hi = -1;
  }
}
