import { describe, expect, it } from 'vitest';
import { compile } from '../../../runtime/calc';
import { evalWith, val } from './helpers';

// Each case is checked twice: with literal arguments (folded at compile time) and with
// the same numbers read from tags (evaluated by the closures), which must agree.
const FUNCTION_CASES: [string, number[], number][] = [
  ['abs', [-3.5], 3.5],
  ['sign', [-2], -1],
  ['trunc', [-2.7], -2],
  ['floor', [-2.5], -3],
  ['ceil', [2.1], 3],
  ['round', [2.5], 3],
  ['round', [-2.5], -3],
  ['round', [1.005, 2], 1.01],
  ['round', [1234.5, -2], 1200],
  ['sqrt', [16], 4],
  ['pow', [2, 10], 1024],
  ['exp', [0], 1],
  ['log', [Math.E], 1],
  ['log', [8, 2], 3],
  ['log10', [1000], 3],
  ['sin', [0], 0],
  ['cos', [0], 1],
  ['tan', [0], 0],
  ['asin', [1], Math.PI / 2],
  ['acos', [1], 0],
  ['atan', [1], Math.PI / 4],
  ['atan2', [1, 1], Math.PI / 4],
  ['hypot', [3, 4], 5],
  ['min', [3, -1, 2], -1],
  ['max', [3, -1, 2], 3],
  ['min', [7], 7],
  ['max', [1, 2, 3, 4, 5, 6], 6],
  ['clamp', [15, 0, 10], 10],
  ['clamp', [-5, 0, 10], 0],
  ['clamp', [5, 0, 10], 5],
];

describe('function library', () => {
  for (const [fn, args, expected] of FUNCTION_CASES) {
    it(`${fn}(${args.join(', ')}) = ${expected}`, () => {
      expect(val(`${fn}(${args.join(', ')})`)).toBeCloseTo(expected, 12);
      const tags: Record<string, number> = {};
      args.forEach((a, i) => { tags[`t.a${i}`] = a; });
      const viaTags = `${fn}(${args.map((_, i) => `tag('t.a${i}')`).join(', ')})`;
      expect(val(viaTags, tags)).toBeCloseTo(expected, 12);
    });
  }

  it('pi is a constant', () => {
    expect(val('pi')).toBe(Math.PI);
    expect(val('sin(pi / 2)')).toBe(1);
  });
});

const OPERATOR_CASES: [string, number][] = [
  ['1 + 2', 3], ['5 - 7', -2], ['3 * 4', 12], ['7 / 2', 3.5], ['7 % 3', 1], ['-7 % 3', -1],
  ['2 ^ 10', 1024], ['2 ** 10', 1024], ['2 ^ 3 ^ 2', 512], ['-2 ^ 2', -4], ['2 ^ -1', 0.5], ['(-2) ^ 2', 4],
  ['-3', -3], ['+3', 3], ['- -3', 3],
  ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['10 - 4 - 3', 3], ['100 / 10 / 5', 2], ['2 * 3 % 4', 2],
  ['1 < 2', 1], ['2 < 1', 0], ['2 <= 2', 1], ['3 <= 2', 0], ['3 > 2', 1], ['2 > 3', 0], ['2 >= 2', 1], ['1 >= 2', 0],
  ['2 == 2', 1], ['2 == 3', 0], ['2 != 3', 1], ['2 != 2', 0],
  ['1 + 1 == 2', 1], ['1 < 2 == 1', 1],
  ['true', 1], ['false', 0], ['true + true', 2],
  ['true && true', 1], ['true && false', 0], ['false && true', 0], ['2 && 3', 1],
  ['false || false', 0], ['false || true', 1], ['5 || 0', 1],
  ['!true', 0], ['!false', 1], ['!5', 0], ['!0', 1], ['!!7', 1],
  ['true and false', 0], ['false or true', 1], ['not false', 1], ['not 1 < 2', 1],
  ['1 || 0 && 0', 1], ['(1 || 0) && 0', 0],
  ['1 ? 10 : 20', 10], ['0 ? 10 : 20', 20], ['0 ? 1 : 0 ? 2 : 3', 3], ['1 < 2 ? 3 + 4 : 5', 7],
  ['if(1, 10, 20)', 10], ['if(0, 10, 20)', 20], ['if(2 > 1 && 3 > 2, 1, 2)', 1],
  ['1e3', 1000], ['.5', 0.5], ['2.5e-1', 0.25], ['1E+2', 100],
];

describe('operators', () => {
  for (const [expr, expected] of OPERATOR_CASES) {
    it(`${expr} = ${expected}`, () => {
      expect(val(expr)).toBeCloseTo(expected, 12);
    });
  }

  it('operators evaluated at run time agree with constant folding', () => {
    // replace every number literal with a tag holding it
    for (const [expr, expected] of OPERATOR_CASES) {
      const tags: Record<string, number> = {};
      let k = 0;
      const rewritten = expr.replace(/(?<![\w.])(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)/g, (m) => {
        tags[`t.n${k}`] = Number(m);
        return `tag('t.n${k++}')`;
      });
      expect(val(rewritten, tags), rewritten).toBeCloseTo(expected, 12);
    }
  });

  it('logic short-circuits: the right side is not read when the left decides', () => {
    const reads: string[] = [];
    const c = compile("tag('p.a') > 0 || tag('p.b') > 0");
    const m = new Map([['p.a', { value: 1, ts: 0, quality: 0 }], ['p.b', { value: 0, ts: 0, quality: 0 }]]);
    c.evaluate({ now: 0, get: (t) => { reads.push(t); return m.get(t); } });
    expect(reads).toEqual(['p.a']);
    expect(c.inputs).toEqual(['p.a', 'p.b']);
  });

  it('conditionals evaluate only the branch taken', () => {
    const reads: string[] = [];
    const c = compile("if(tag('p.c'), tag('p.a'), tag('p.b'))");
    const m = new Map([['p.c', { value: 0, ts: 0, quality: 0 }], ['p.b', { value: 9, ts: 0, quality: 0 }]]);
    const r = c.evaluate({ now: 0, get: (t) => { reads.push(t); return m.get(t); } });
    expect(r).toEqual({ value: 9, quality: 0 });
    expect(reads).toEqual(['p.c', 'p.b']);
  });

  it('aliases name tags; booleans read as 1/0', () => {
    const r = evalWith('flow * 2 + running', { 'a.flow': 3, 'a.run': true }, 0,
      { aliases: { flow: 'a.flow', running: 'a.run' } });
    expect(r).toEqual({ value: 7, quality: 0 });
  });

  it('aliases may be given as a Map, and inputs list each tag once in order', () => {
    const c = compile("b + a + tag('z.z') + a", { aliases: new Map([['a', 'x.a'], ['b', 'x.b']]) });
    expect(c.inputs).toEqual(['x.b', 'x.a', 'z.z']);
  });

  it('durations accept compound and quoted forms', () => {
    const a = compile('avg(x, 1h30m)', { aliases: { x: 'p.x' } });
    const b = compile("avg(x, '90min')", { aliases: { x: 'p.x' } });
    expect(a.stateful && b.stateful).toBe(true);
  });

  it('whitespace and newlines are free; positions count lines', () => {
    expect(val('1 +\n\t2')).toBe(3);
    expect(() => compile('1 +\n  foo(2)')).toThrow('unknown function "foo" at 2:3');
  });
});
