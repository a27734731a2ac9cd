// Compiles the syntax tree into a tree of JavaScript closures. No generated source text
// is ever evaluated (no eval, Function or vm): the only operations an expression can
// perform are the closures written below, and the only data it can reach are the
// samples its context returns for the tags it names. Names resolve through Maps only.
import { GOOD, QUALITY_CODES, qualityRank, worstQuality } from '../model';
import { tagError } from '../model';
import { KEYWORDS, type Node } from './ast';
import { durationOrError as parseDuration } from '../platform';
import { CalcError } from './error';
import { CONSTANTS, PURE_FUNCTIONS } from './functions';
import { resolveLimits, type CalcLimits } from './limits';
import { parse } from './parser';
import {
  AvgWindow, DeadbandWindow, DelayWindow, DeltaWindow, EwmaWindow, ExtremeWindow, IntegralWindow,
  TimeSinceTrueWindow, TwaWindow, type WindowFn, type WindowSpan,
} from './windows';

const BAD = QUALITY_CODES.BAD;
const BAD_NO_DATA = QUALITY_CODES.BAD_NO_DATA;
const UNCERTAIN_STALE = QUALITY_CODES.UNCERTAIN_STALE;

/** What the context returns for a tag: its latest sample (booleans count as 1/0). */
export interface InputSample {
  value: number | boolean;
  ts: number;
  quality: number;
}

export interface EvalContext {
  /** evaluation time, epoch ms: sample timestamps, never the wall clock */
  now: number;
  get(tag: string): InputSample | undefined;
}

export interface CalcResult {
  /** null when the result is not a finite number (then quality is BAD) */
  value: number | null;
  quality: number;
}

export interface CompileOptions {
  /** identifiers bound to tags, e.g. { flow: 'acme.izmir.plant1.line2.pump3.flow' } */
  aliases?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** an input whose sample is older than this (relative to ctx.now) makes the result UNCERTAIN_STALE */
  staleAfterMs?: number;
  limits?: Partial<CalcLimits>;
}

export interface CompiledExpression {
  readonly source: string;
  /** tags the expression references, in order of first appearance */
  readonly inputs: readonly string[];
  /** true when it holds window state (results depend on earlier evaluations) */
  readonly stateful: boolean;
  readonly staleAfterMs: number;
  evaluate(ctx: EvalContext): CalcResult;
  /** the same expression with fresh window state */
  clone(): CompiledExpression;
}

type Fn = () => number;

interface Compiled {
  fn: Fn;
  /** set when the value is known at compile time */
  konst?: number;
}

interface EvalState {
  ctx: EvalContext;
  now: number;
  q: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function normaliseAliases(src: CompileOptions['aliases']): Map<string, string> {
  const out = new Map<string, string>();
  if (src === undefined) return out;
  const pairs: [string, unknown][] = src instanceof Map
    ? [...src.entries()]
    : typeof src === 'object' && src !== null
      ? Object.keys(src).map((k) => [k, (src as Record<string, unknown>)[k]])
      : (() => { throw new CalcError('aliases must be a Map or an object of name -> tag'); })();
  for (const [name, tag] of pairs) {
    if (typeof name !== 'string' || !IDENT.test(name)) {
      throw new CalcError(`alias name ${JSON.stringify(name)} must be an identifier ([A-Za-z_][A-Za-z0-9_]*)`);
    }
    if (KEYWORDS.has(name)) throw new CalcError(`alias "${name}" is a reserved word`);
    const err = tagError(tag);
    if (err) throw new CalcError(`alias "${name}": ${err}`);
    out.set(name, tag as string);
  }
  return out;
}

function constant(value: number): Compiled {
  return { fn: () => value, konst: value };
}

const truthy = (x: number) => x !== 0;

type WindowBuilder = (c: CompilerRun, args: Node[], call: Node & { kind: 'call' }) => WindowFn;

interface WindowDef { min: number; max: number; signature: string; build: WindowBuilder }

const WINDOWS: ReadonlyMap<string, WindowDef> = new Map<string, WindowDef>([
  ['avg', { min: 2, max: 2, signature: 'avg(x, N | duration)', build: (c, a) => new AvgWindow(c.span(a[1], 'avg'), c.limits.maxWindowPoints) }],
  ['sma', { min: 2, max: 2, signature: 'sma(x, N | duration)', build: (c, a) => new AvgWindow(c.span(a[1], 'sma'), c.limits.maxWindowPoints) }],
  ['minw', { min: 2, max: 2, signature: 'minw(x, N | duration)', build: (c, a) => new ExtremeWindow(c.span(a[1], 'minw'), c.limits.maxWindowPoints, false) }],
  ['maxw', { min: 2, max: 2, signature: 'maxw(x, N | duration)', build: (c, a) => new ExtremeWindow(c.span(a[1], 'maxw'), c.limits.maxWindowPoints, true) }],
  ['twa', { min: 2, max: 2, signature: 'twa(x, duration)', build: (c, a) => new TwaWindow(c.duration(a[1], 'the window of twa'), c.limits.maxWindowPoints) }],
  ['delay', { min: 2, max: 2, signature: 'delay(x, duration)', build: (c, a) => new DelayWindow(c.duration(a[1], 'the delay of delay'), c.limits.maxWindowPoints) }],
  ['ewma', {
    min: 2, max: 2, signature: 'ewma(x, alpha)',
    build: (c, a) => {
      const alpha = c.constNumber(a[1], 'alpha of ewma');
      if (!(alpha > 0 && alpha <= 1)) c.fail(`alpha of ewma must be in (0, 1] (got ${alpha})`, a[1]);
      return new EwmaWindow(alpha);
    },
  }],
  ['diff', { min: 1, max: 1, signature: 'diff(x)', build: () => new DeltaWindow(false) }],
  ['rate', { min: 1, max: 1, signature: 'rate(x)', build: () => new DeltaWindow(true) }],
  ['integral', {
    min: 1, max: 2, signature: 'integral(x, unit?)',
    build: (c, a) => new IntegralWindow(a.length > 1 ? c.duration(a[1], 'the time unit of integral', true) : 1000),
  }],
  ['deadband', {
    min: 2, max: 2, signature: 'deadband(x, band)',
    build: (c, a) => {
      const band = c.constNumber(a[1], 'band of deadband');
      if (!(band >= 0)) c.fail(`band of deadband must be >= 0 (got ${band})`, a[1]);
      return new DeadbandWindow(band);
    },
  }],
  ['timeSinceTrue', { min: 1, max: 1, signature: 'timeSinceTrue(cond)', build: () => new TimeSinceTrueWindow() }],
]);

function plural(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

function arityText(min: number, max: number): string {
  if (max === Infinity) return `at least ${plural(min)}`;
  if (min === max) return plural(min);
  return `${min} to ${max} arguments`;
}

/** One compilation: holds the shared evaluation state the closures close over. */
class CompilerRun {
  readonly st: EvalState = { ctx: { now: 0, get: () => undefined }, now: 0, q: GOOD };
  readonly inputs: string[] = [];
  private readonly seen = new Set<string>();
  stateful = false;

  constructor(
    readonly src: string,
    readonly aliases: Map<string, string>,
    readonly limits: CalcLimits,
    readonly staleAfterMs: number,
  ) {}

  fail(msg: string, node: Node): never {
    throw new CalcError(msg, this.src, node.pos);
  }

  read(tag: string): Fn {
    if (!this.seen.has(tag)) { this.seen.add(tag); this.inputs.push(tag); }
    const st = this.st;
    const stale = this.staleAfterMs;
    return () => {
      const smp = st.ctx.get(tag);
      if (smp === undefined) {
        st.q = worstQuality(st.q, BAD_NO_DATA);
        return NaN;
      }
      let q = smp.quality;
      if (st.now - smp.ts > stale) q = worstQuality(q, UNCERTAIN_STALE);
      st.q = worstQuality(st.q, q);
      const v = smp.value;
      return typeof v === 'number' ? v : v === true ? 1 : v === false ? 0 : NaN;
    };
  }

  value(node: Node): Compiled {
    switch (node.kind) {
      case 'num':
        if (!Number.isFinite(node.value)) this.fail("number is too large (beyond float64)", node);
        return constant(node.value);
      case 'bool': return constant(node.value ? 1 : 0);
      case 'dur':
        return this.fail(`a duration (${node.text}) is only allowed as a window length, delay or time unit`, node);
      case 'str':
        return this.fail(`a string is only allowed as a tag name in tag('...') or as a duration such as '5m'`, node);
      case 'ident': return this.ident(node.name, node);
      case 'unary': return this.unary(node);
      case 'binary': return this.binary(node);
      case 'logic': return this.logic(node);
      case 'cond': return this.cond(this.value(node.test), this.value(node.then), this.value(node.else));
      case 'call': return this.call(node);
    }
  }

  private ident(name: string, node: Node): Compiled {
    const c = CONSTANTS.get(name);
    if (c !== undefined) return constant(c);
    const tag = this.aliases.get(name);
    if (tag !== undefined) return { fn: this.read(tag) };
    if (PURE_FUNCTIONS.has(name) || WINDOWS.has(name)) {
      return this.fail(`"${name}" is a function; call it as ${name}(...)`, node);
    }
    return this.fail(`unknown alias "${name}"`, node);
  }

  private fold(fn: Fn, node: Node): Compiled {
    const v = fn();
    if (!Number.isFinite(v)) this.fail(`constant expression is not a finite number (${v})`, node);
    return constant(v);
  }

  private unary(node: Node & { kind: 'unary' }): Compiled {
    const a = this.value(node.arg);
    const f = a.fn;
    let fn: Fn;
    if (node.op === '-') fn = () => -f();
    else if (node.op === '+') fn = f;
    else fn = () => { const x = f(); return x !== x ? NaN : x === 0 ? 1 : 0; };
    return a.konst !== undefined ? this.fold(fn, node) : { fn };
  }

  private binary(node: Node & { kind: 'binary' }): Compiled {
    const l = this.value(node.left);
    const r = this.value(node.right);
    const a = l.fn;
    const b = r.fn;
    const k = r.konst;
    let fn: Fn;
    // a constant right operand is common (x * 2, x > 5): skip one closure call
    switch (node.op) {
      case '+': fn = k !== undefined ? () => a() + k : () => a() + b(); break;
      case '-': fn = k !== undefined ? () => a() - k : () => a() - b(); break;
      case '*': fn = k !== undefined ? () => a() * k : () => a() * b(); break;
      case '/': fn = k !== undefined ? () => a() / k : () => a() / b(); break;
      case '%': fn = () => a() % b(); break;
      case '^': fn = () => Math.pow(a(), b()); break;
      // comparisons of NaN stay NaN so a missing input cannot turn into a valid 0
      case '<': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x < y ? 1 : 0; }; break;
      case '<=': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x <= y ? 1 : 0; }; break;
      case '>': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x > y ? 1 : 0; }; break;
      case '>=': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x >= y ? 1 : 0; }; break;
      case '==': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x === y ? 1 : 0; }; break;
      case '!=': fn = () => { const x = a(); const y = b(); return x !== x || y !== y ? NaN : x !== y ? 1 : 0; }; break;
    }
    return l.konst !== undefined && k !== undefined ? this.fold(fn, node) : { fn };
  }

  private logic(node: Node & { kind: 'logic' }): Compiled {
    const l = this.value(node.left);
    const r = this.value(node.right);
    const a = l.fn;
    const b = r.fn;
    // short-circuit: the right side is not evaluated (its inputs not read) when not needed
    const fn: Fn = node.op === '&&'
      ? () => { const x = a(); if (x !== x) return NaN; if (x === 0) return 0; const y = b(); return y !== y ? NaN : y !== 0 ? 1 : 0; }
      : () => { const x = a(); if (x !== x) return NaN; if (x !== 0) return 1; const y = b(); return y !== y ? NaN : y !== 0 ? 1 : 0; };
    if (l.konst !== undefined) {
      const decided = node.op === '&&' ? !truthy(l.konst) : truthy(l.konst);
      if (decided || r.konst !== undefined) return this.fold(fn, node);
    }
    return { fn };
  }

  private cond(t: Compiled, a: Compiled, b: Compiled): Compiled {
    if (t.konst !== undefined) return truthy(t.konst) ? a : b;
    const test = t.fn;
    const x = a.fn;
    const y = b.fn;
    return { fn: () => { const c = test(); return c !== c ? NaN : c !== 0 ? x() : y(); } };
  }

  private call(node: Node & { kind: 'call' }): Compiled {
    const { name, args } = node;
    if (name === 'tag') {
      if (args.length !== 1 || args[0].kind !== 'str') {
        return this.fail(`tag expects one quoted tag name, e.g. tag('acme.izmir.plant1.line2.pump3.flow')`, node);
      }
      const err = tagError(args[0].value);
      if (err) this.fail(`invalid tag ${JSON.stringify(args[0].value)}: ${err}`, args[0]);
      return { fn: this.read(args[0].value) };
    }
    if (name === 'if') {
      if (args.length !== 3) this.fail(`if expects 3 arguments (if(cond, then, else)) but got ${args.length}`, node);
      return this.cond(this.value(args[0]), this.value(args[1]), this.value(args[2]));
    }
    const pure = PURE_FUNCTIONS.get(name);
    if (pure) {
      this.arity(node, pure.min, pure.max, pure.signature);
      return this.pureCall(pure.fn, args.map((a) => this.value(a)), node);
    }
    const win = WINDOWS.get(name);
    if (win) {
      this.arity(node, win.min, win.max, win.signature);
      return this.windowCall(win, node);
    }
    if (this.aliases.has(name)) return this.fail(`"${name}" is an alias, not a function`, node);
    return this.fail(`unknown function "${name}"`, node);
  }

  private arity(node: Node & { kind: 'call' }, min: number, max: number, signature: string): void {
    const n = node.args.length;
    if (n < min || n > max) {
      this.fail(`${node.name} expects ${arityText(min, max)} (${signature}) but got ${n}`, node);
    }
  }

  private pureCall(f: (...xs: number[]) => number, cs: Compiled[], node: Node): Compiled {
    const fs = cs.map((c) => c.fn);
    let fn: Fn;
    if (fs.length === 1) { const [a] = fs; fn = () => f(a()); }
    else if (fs.length === 2) { const [a, b] = fs; fn = () => f(a(), b()); }
    else if (fs.length === 3) { const [a, b, c] = fs; fn = () => f(a(), b(), c()); }
    else {
      const xs = new Array<number>(fs.length);
      fn = () => { for (let i = 0; i < fs.length; i++) xs[i] = fs[i](); return f(...xs); };
    }
    return cs.every((c) => c.konst !== undefined) ? this.fold(fn, node) : { fn };
  }

  private windowCall(def: WindowDef, node: Node & { kind: 'call' }): Compiled {
    const arg = this.value(node.args[0]).fn;
    const w = def.build(this, node.args, node);
    this.stateful = true;
    const st = this.st;
    return {
      fn: () => {
        // the argument's own quality decides whether it may enter the window
        const outer = st.q;
        st.q = GOOD;
        const v = arg();
        const qa = st.q;
        if (qualityRank(qa) === 2 || !Number.isFinite(v)) {
          st.q = worstQuality(outer, qa);
          return NaN;
        }
        const out = w.step(st.now, v, qa);
        st.q = worstQuality(outer, w.q);
        return out;
      },
    };
  }

  // ---- compile-time parameters of window functions ----

  constNumber(node: Node, what: string): number {
    if (node.kind === 'dur' || node.kind === 'str') this.fail(`${what} must be a number`, node);
    const c = this.value(node);
    if (c.konst === undefined) this.fail(`${what} must be a constant`, node);
    return c.konst as number;
  }

  duration(node: Node, what: string, allowAny = false): number {
    let ms: number;
    if (node.kind === 'dur') ms = node.ms;
    else if (node.kind === 'str') {
      const d = parseDuration(node.value);
      if (typeof d === 'string') return this.fail(d, node);
      ms = d;
    } else return this.fail(`${what} must be a duration such as 30s, 5m or '1h'`, node);
    if (!allowAny && ms > this.limits.maxWindowMs) {
      this.fail(`${what} is longer than the limit of ${this.limits.maxWindowMs} ms`, node);
    }
    return ms;
  }

  span(node: Node, fname: string): WindowSpan {
    if (node.kind === 'dur' || node.kind === 'str') return { ms: this.duration(node, `the window of ${fname}`) };
    const n = this.constNumber(node, `the window of ${fname}`);
    if (!Number.isInteger(n) || n < 1 || n > this.limits.maxWindowSamples) {
      this.fail(`the window of ${fname} must be a whole number of samples from 1 to ${this.limits.maxWindowSamples}, or a duration such as 5m (got ${n})`, node);
    }
    return { count: n };
  }
}

class Expression implements CompiledExpression {
  readonly inputs: readonly string[];
  readonly stateful: boolean;
  private readonly root: Fn;
  private readonly st: EvalState;

  constructor(
    readonly source: string,
    private readonly ast: Node,
    private readonly aliases: Map<string, string>,
    private readonly limits: CalcLimits,
    readonly staleAfterMs: number,
  ) {
    const run = new CompilerRun(source, aliases, limits, staleAfterMs);
    const c = run.value(ast);
    this.root = c.fn;
    this.st = run.st;
    this.inputs = Object.freeze(run.inputs);
    this.stateful = run.stateful;
  }

  evaluate(ctx: EvalContext): CalcResult {
    const now = ctx.now;
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new CalcError(`evaluation time ctx.now must be a finite epoch-ms number (got ${String(now)})`);
    }
    const st = this.st;
    st.ctx = ctx;
    st.now = now;
    st.q = GOOD;
    const v = this.root();
    if (v - v !== 0) return { value: null, quality: worstQuality(st.q, BAD) };
    return { value: v, quality: st.q };
  }

  clone(): CompiledExpression {
    return new Expression(this.source, this.ast, this.aliases, this.limits, this.staleAfterMs);
  }
}

/** Parses and compiles an expression; throws CalcError (with a position) when it is not valid. */
export function compile(source: string, options: CompileOptions = {}): CompiledExpression {
  const limits = resolveLimits(options.limits);
  const staleAfterMs = options.staleAfterMs ?? Infinity;
  if (typeof staleAfterMs !== 'number' || Number.isNaN(staleAfterMs) || staleAfterMs < 0) {
    throw new CalcError(`staleAfterMs must be a non-negative number of milliseconds (got ${String(staleAfterMs)})`);
  }
  const aliases = normaliseAliases(options.aliases);
  const ast = parse(source, limits);
  return new Expression(source, ast, aliases, limits, staleAfterMs);
}
