import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CalcError, compile } from '../../../runtime/calc';

/** Compiles and evaluates; returns the CalcError it failed with (anything else fails the test). */
function rejection(expr: string, opts: Parameters<typeof compile>[1] = {}): CalcError {
  try {
    compile(expr, opts).evaluate({ now: 0, get: () => ({ value: 1, ts: 0, quality: 0 }) });
  } catch (e) {
    expect(e).toBeInstanceOf(CalcError);
    return e as CalcError;
  }
  throw new Error(`expected ${JSON.stringify(expr.slice(0, 60))} to be rejected`);
}

describe('errors carry the position', () => {
  it.each([
    ['(1 + 2', 'expected ")" but found end of expression at 1:7'],
    ["max(tag('a.b'), 2", 'expected "," or ")" but found end of expression at 1:18'],
    ['foo(1)', 'unknown function "foo" at 1:1'],
    ['2 * x', 'unknown alias "x" at 1:5'],
    ['1 +', 'unexpected end of expression at 1:4'],
    ['1 2', 'unexpected number 2 at 1:3'],
    ['a = 1', 'unexpected "=" (use == to compare) at 1:3'],
    ['1 = 1', 'unexpected "=" (use == to compare) at 1:3'],
    ['1 & 1', 'unexpected "&" (use && or and) at 1:3'],
    ["'abc", 'unterminated string at 1:1'],
    ['5q', 'unknown duration unit "q" in "5q" (use ms, s, m (or min), h, d, w, y) at 1:1'],
    ['abs(1, 2)', 'abs expects 1 argument (abs(x)) but got 2 at 1:1'],
    ['clamp(1)', 'clamp expects 3 arguments (clamp(x, lo, hi)) but got 1 at 1:1'],
    ['max()', 'max expects at least 1 argument (max(x, y, ...)) but got 0 at 1:1'],
    ['if(1, 2)', 'if expects 3 arguments (if(cond, then, else)) but got 2 at 1:1'],
    ['1 < 2 < 3', 'comparisons cannot be chained; combine them with && (found "<") at 1:7'],
    ['1 ? 2', 'expected ":" but found end of expression at 1:6'],
    ['abs', '"abs" is a function; call it as abs(...) at 1:1'],
    ["tag('bad tag')", 'invalid tag "bad tag": tag segment 1 ("bad tag") must match [A-Za-z0-9_-]+ at 1:5'],
    ['tag(1)', "tag expects one quoted tag name, e.g. tag('acme.izmir.plant1.line2.pump3.flow') at 1:1"],
    ["tag('a.*')", 'invalid tag "a.*": tag segment 2 ("*") must match [A-Za-z0-9_-]+ at 1:5'],
  ])('%s', (expr, message) => {
    expect(rejection(expr).message).toBe(message);
  });

  it('type errors are found at compile time', () => {
    expect(rejection('5m + 1').message).toBe('a duration (5m) is only allowed as a window length, delay or time unit at 1:1');
    expect(rejection("'a.b' * 2").message).toMatch(/^a string is only allowed as a tag name/);
    expect(rejection("avg(tag('a.b'), tag('a.c'))").message).toBe('the window of avg must be a constant at 1:17');
    expect(rejection("avg(tag('a.b'), 2.5)").message).toMatch(/^the window of avg must be a whole number of samples/);
    expect(rejection("twa(tag('a.b'), 10)").message).toBe('the window of twa must be a duration such as 30s, 5m or \'1h\' at 1:17');
    expect(rejection("delay(tag('a.b'), 'soon')").message).toMatch(/^invalid duration "soon"/);
    expect(rejection("ewma(tag('a.b'), 2)").message).toBe('alpha of ewma must be in (0, 1] (got 2) at 1:18');
    expect(rejection("deadband(tag('a.b'), -1)").message).toBe('band of deadband must be >= 0 (got -1) at 1:22');
    expect(rejection("avg(tag('a.b'), 400d)").message).toMatch(/longer than the limit/);
    expect(rejection('x(1)', { aliases: { x: 'a.b' } }).message).toBe('"x" is an alias, not a function at 1:1');
  });

  it('the error exposes line and column separately', () => {
    const e = rejection('1 +\n  )');
    expect(e.reason).toBe('unexpected ")"');
    expect(e.pos).toEqual({ offset: 6, line: 2, col: 3 });
  });

  it('bad alias declarations are rejected', () => {
    expect(() => compile('1', { aliases: { 'not ok': 'a.b' } })).toThrow(/must be an identifier/);
    expect(() => compile('1', { aliases: { true: 'a.b' } })).toThrow('alias "true" is a reserved word');
    expect(() => compile('1', { aliases: { x: 'a..b' } })).toThrow(/alias "x": tag segment 2/);
  });
});

describe('hostile expressions fail cleanly', () => {
  it.each([
    ['constructor', 'unknown alias "constructor" at 1:1'],
    ['__proto__', 'unknown alias "__proto__" at 1:1'],
    ['prototype', 'unknown alias "prototype" at 1:1'],
    ['this', 'unknown alias "this" at 1:1'],
    ['globalThis', 'unknown alias "globalThis" at 1:1'],
    ['process', 'unknown alias "process" at 1:1'],
    ['toString()', 'unknown function "toString" at 1:1'],
    ['valueOf()', 'unknown function "valueOf" at 1:1'],
    ['hasOwnProperty(1)', 'unknown function "hasOwnProperty" at 1:1'],
    ['constructor(1)', 'unknown function "constructor" at 1:1'],
    ["require('fs')", 'unknown function "require" at 1:1'],
    ["eval('1')", 'unknown function "eval" at 1:1'],
    ["Function('return 1')", 'unknown function "Function" at 1:1'],
    ["max(1)('return process')", 'unexpected "(" at 1:7'],
    ["tag('a.b').constructor", 'unexpected character "." at 1:11'],
    ["tag('a.b')['constructor']", 'unexpected character "[" at 1:11'],
    ['abs.constructor', 'unexpected character "." at 1:4'],
    ["constructor.constructor('return process')()", 'unexpected character "." at 1:12'],
    ['x => x', 'unexpected "=" (use == to compare) at 1:3'],
    ['`${1}`', 'unexpected character "`" at 1:1'],
    ['a; b', 'unexpected character ";" at 1:2'],
    ['{}', 'unexpected character "{" at 1:1'],
    ['\u0000', 'unexpected character "\\u0000" at 1:1'],
    ['1 ＋ 1', 'unexpected character "＋" at 1:3'],
    ['10^10^10', 'constant expression is not a finite number (Infinity) at 1:1'],
    ['1e309', 'number is too large (beyond float64) at 1:1'],
    ['1/0', 'constant expression is not a finite number (Infinity) at 1:1'],
    ['sqrt(-1)', 'constant expression is not a finite number (NaN) at 1:1'],
  ])('%s', (expr, message) => {
    expect(rejection(expr).message).toBe(message);
  });

  it('huge exponents on inputs make the result BAD, not Infinity', () => {
    const c = compile("tag('a.b') ^ tag('a.b') ^ tag('a.b')");
    expect(c.evaluate({ now: 0, get: () => ({ value: 10, ts: 0, quality: 0 }) })).toEqual({ value: null, quality: 0x8000 });
  });

  it('aliases are own properties only: inherited names are unknown, "__proto__" is just a name', () => {
    const inherited = Object.create({ x: 'a.b' }) as Record<string, string>;
    expect(() => compile('x', { aliases: inherited })).toThrow('unknown alias "x" at 1:1');
    const own = JSON.parse('{"__proto__": "a.b"}') as Record<string, string>;
    const c = compile('__proto__ * 2', { aliases: own });
    expect(c.inputs).toEqual(['a.b']);
    expect(c.evaluate({ now: 0, get: (t) => (t === 'a.b' ? { value: 21, ts: 0, quality: 0 } : undefined) }).value).toBe(42);
  });

  it('10,000 nested parentheses: a clean error, no stack overflow', () => {
    const deep = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    expect(rejection(deep).message).toBe('expression is too long (20001 characters; the limit is 4096)');
    // even with the length limit lifted the depth limit stops it
    expect(rejection(deep, { limits: { maxLength: 100_000, maxTokens: 100_000 } }).message)
      .toBe('expression is nested too deeply (the limit is 64) at 1:65');
    expect(rejection('-'.repeat(10_000) + '1', { limits: { maxLength: 100_000, maxTokens: 100_000 } }).message)
      .toMatch(/^expression is nested too deeply/);
    expect(rejection('abs('.repeat(5_000) + '1' + ')'.repeat(5_000), { limits: { maxLength: 100_000, maxTokens: 100_000 } }).message)
      .toMatch(/^expression is nested too deeply/);
    expect(rejection('2^'.repeat(5_000) + '1', { limits: { maxLength: 100_000, maxTokens: 100_000 } }).message)
      .toMatch(/^expression is nested too deeply/);
  });

  it('nesting within the limit still works', () => {
    expect(compile('('.repeat(60) + '1' + ')'.repeat(60)).evaluate({ now: 0, get: () => undefined }).value).toBe(1);
  });

  it('very long input: a clean error', () => {
    expect(rejection('1+'.repeat(100_000) + '1').message).toMatch(/^expression is too long \(200001 characters/);
    expect(rejection("'" + 'a'.repeat(1_000_000) + "'").message).toMatch(/^expression is too long/);
    expect(rejection('1+'.repeat(3_000) + '1', { limits: { maxLength: 100_000 } }).message)
      .toBe('expression has too many tokens (the limit is 2048) at 1:2049');
  });

  it('a long flat chain within the limits evaluates', () => {
    const c = compile(Array.from({ length: 1000 }, () => 'a').join('+'), { aliases: { a: 'a.b' } });
    expect(c.evaluate({ now: 0, get: () => ({ value: 1, ts: 0, quality: 0 }) }).value).toBe(1000);
  });

  it('non-string input is rejected', () => {
    expect(() => compile(42 as unknown as string)).toThrow('the expression must be a string');
  });

  it('the engine never evaluates generated source', () => {
    const dir = resolve(__dirname, '../../../runtime/calc');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8').replace(/\/\/.*$/gm, '');
      expect(src, f).not.toMatch(/\beval\s*\(|new\s+Function|\bFunction\s*\(|node:vm|require\(/);
    }
  });

  it('random input either compiles and evaluates to a finite value or null, or fails with a CalcError', () => {
    const piece = fc.constantFrom(
      '1', '2.5', '.5', '1e3', 'x', 'y', 'tag(\'a.b\')', '+', '-', '*', '/', '%', '^', '**', '(', ')', ',', '?', ':',
      '<', '<=', '==', '!=', '&&', '||', '!', 'and', 'not', 'true', 'abs(', 'max(', 'avg(', 'diff(', 'if(', '5m', "'1s'",
      'constructor', '__proto__', '.', '[', ' ', '1e308', '0',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 40, size: 'max' }), fc.double({ noNaN: true }), (parts, v) => {
      const expr = parts.join('');
      let c;
      try {
        c = compile(expr, { aliases: { x: 'p.x', y: 'p.y' } });
      } catch (e) {
        return e instanceof CalcError;
      }
      for (let t = 0; t < 3; t++) {
        const r = c.evaluate({ now: t * 1000, get: () => ({ value: v, ts: 0, quality: 0 }) });
        if (r.value !== null && !Number.isFinite(r.value)) return false;
      }
      return true;
    }), { numRuns: 3000 });
  });
});
