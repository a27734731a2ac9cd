import { describe, expect, it } from 'vitest';
import { CalcConfigError, CalcGraph, dependencyOrder } from '../../../runtime/calc';
import { QUALITY_CODES } from '../../../runtime/model/quality';
import type { Sample } from '../../../runtime/model/sample';

const smp = (tag: string, ts: number, value: number, quality = 0): Sample => ({ tag, ts, value, quality });

describe('CalcGraph', () => {
  it('recomputes on any input change and keeps the latest of the others', () => {
    const g = new CalcGraph([{ output: 'p.eff', expression: 'out / inp', aliases: { out: 'p.out', inp: 'p.in' } }]);
    expect(g.inputs).toEqual(['p.out', 'p.in']);
    expect(g.ingest(smp('p.out', 1000, 8))).toEqual([smp('p.eff', 1000, 0, QUALITY_CODES.BAD_NO_DATA)]);
    expect(g.ingest(smp('p.in', 2000, 10))).toEqual([smp('p.eff', 2000, 0.8)]);
    expect(g.ingest(smp('p.out', 3000, 9))).toEqual([smp('p.eff', 3000, 0.9)]);
    expect(g.latest('p.eff')).toEqual(smp('p.eff', 3000, 0.9));
    expect(g.ingest(smp('p.unrelated', 4000, 1))).toEqual([]);
  });

  it('calc tags feed calc tags in dependency order, whatever the declaration order', () => {
    const g = new CalcGraph([
      { output: 'c.c3', expression: "tag('c.c2') + tag('c.c1')" },
      { output: 'c.c2', expression: "tag('c.c1') * 10" },
      { output: 'c.c1', expression: "tag('p.x') + 1" },
    ]);
    expect(g.outputs).toEqual(['c.c1', 'c.c2', 'c.c3']);
    expect(g.inputs).toEqual(['p.x']);
    expect(g.ingest(smp('p.x', 5, 1))).toEqual([smp('c.c1', 5, 2), smp('c.c2', 5, 20), smp('c.c3', 5, 22)]);
  });

  it('"all" waits until every input has updated since the last evaluation', () => {
    const g = new CalcGraph([{ output: 'p.sum', expression: "tag('p.a') + tag('p.b')", trigger: 'all' }]);
    expect(g.ingest(smp('p.a', 1, 1))).toEqual([]);
    expect(g.ingest(smp('p.a', 2, 2))).toEqual([]);
    expect(g.ingest(smp('p.b', 3, 10))).toEqual([smp('p.sum', 3, 12)]);
    expect(g.ingest(smp('p.b', 4, 20))).toEqual([]);
    expect(g.ingest(smp('p.a', 5, 3))).toEqual([smp('p.sum', 5, 23)]);
  });

  it('a period trigger evaluates on tick at the grid time, not on input', () => {
    const g = new CalcGraph([
      { output: 'p.avg', expression: "tag('p.a') * 2", trigger: { periodMs: 1000 } },
      { output: 'p.next', expression: "tag('p.avg') + 1" },
    ]);
    expect(g.ingest(smp('p.a', 100, 4))).toEqual([]);
    expect(g.nextDue()).toBe(-Infinity);
    expect(g.tick(500)).toEqual([smp('p.avg', 500, 8), smp('p.next', 500, 9)]);
    expect(g.nextDue()).toBe(1000);
    expect(g.tick(900)).toEqual([]);
    expect(g.tick(1003)).toEqual([smp('p.avg', 1003, 8), smp('p.next', 1003, 9)]);
    expect(g.nextDue()).toBe(2000);
  });

  it('a batch applies samples of one timestamp together', () => {
    const g = new CalcGraph([{ output: 'p.sum', expression: "tag('p.a') + tag('p.b')" }]);
    const out = g.ingestBatch([smp('p.a', 1, 1), smp('p.b', 1, 2), smp('p.a', 2, 5), smp('p.x', 3, 0)]);
    expect(out).toEqual([smp('p.sum', 1, 3), smp('p.sum', 2, 7)]);
  });

  it('late samples (older than the one held) are ignored', () => {
    const g = new CalcGraph([{ output: 'p.y', expression: "tag('p.a')" }]);
    g.ingest(smp('p.a', 10, 1));
    expect(g.ingest(smp('p.a', 5, 99))).toEqual([]);
    expect(g.latest('p.a')?.value).toBe(1);
  });

  it('seed sets latest values without evaluating', () => {
    const g = new CalcGraph([{ output: 'p.y', expression: "tag('p.a') + tag('p.b')" }]);
    g.seed([smp('p.a', 1, 1), smp('p.b', 1, 2)]);
    expect(g.ingest(smp('p.b', 2, 5))).toEqual([smp('p.y', 2, 6)]);
  });

  it('non-finite results are stored BAD with value 0 and propagate BAD downstream', () => {
    const g = new CalcGraph([
      { output: 'p.r', expression: "1 / tag('p.a')" },
      { output: 'p.s', expression: "tag('p.r') + 1" },
    ]);
    expect(g.ingest(smp('p.a', 1, 0))).toEqual([smp('p.r', 1, 0, QUALITY_CODES.BAD), smp('p.s', 1, 1, QUALITY_CODES.BAD)]);
  });

  it('each calc tag has its own window state', () => {
    const g = new CalcGraph([
      { output: 'p.d1', expression: "diff(tag('p.a'))" },
      { output: 'p.d2', expression: "diff(tag('p.a'))", trigger: 'all' },
    ]);
    g.ingest(smp('p.a', 1, 1));
    expect(g.ingest(smp('p.a', 2, 4)).map((s) => s.value)).toEqual([3, 3]);
  });

  it('stale inputs follow the graph option or the per-tag override', () => {
    const g = new CalcGraph([
      { output: 'p.y', expression: "tag('p.a') + tag('p.b')" },
      { output: 'p.z', expression: "tag('p.a') + tag('p.b')", staleAfterMs: 60_000 },
    ], { staleAfterMs: 5000 });
    g.ingest(smp('p.a', 0, 1));
    const out = g.ingest(smp('p.b', 10_000, 1));
    expect(out.map((s) => s.quality)).toEqual([QUALITY_CODES.UNCERTAIN_STALE, 0]);
  });
});

describe('CalcGraph configuration errors', () => {
  const err = (f: () => unknown) => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(CalcConfigError); return e as CalcConfigError; }
    throw new Error('expected a CalcConfigError');
  };

  it('names the cycle', () => {
    const e = err(() => new CalcGraph([
      { output: 'p.a', expression: "tag('p.b') + tag('p.in')" },
      { output: 'p.b', expression: "tag('p.c') * 2" },
      { output: 'p.c', expression: "tag('p.a') - 1" },
    ]));
    expect(e.message).toBe('dependency cycle between calc tags: p.a -> p.b -> p.c -> p.a (each reads the next)');
    expect(err(() => new CalcGraph([{ output: 'p.a', expression: "tag('p.a') + 1" }])).message)
      .toBe('dependency cycle between calc tags: p.a -> p.a (each reads the next)');
  });

  it('finds a cycle hidden behind an acyclic part and through aliases', () => {
    const e = err(() => new CalcGraph([
      { output: 'p.ok', expression: "tag('p.in')" },
      { output: 'p.x', expression: "tag('p.ok') + y", aliases: { y: 'p.y' } },
      { output: 'p.y', expression: 'x', aliases: { x: 'p.x' } },
    ]));
    expect(e.message).toBe('dependency cycle between calc tags: p.x -> p.y -> p.x (each reads the next)');
  });

  it('names the calc tag with a bad expression, output or trigger', () => {
    const e = err(() => new CalcGraph([{ output: 'p.ok', expression: '1' }, { output: 'p.bad', expression: 'foo(1)' }]));
    expect(e.message).toBe('calc tag "p.bad": unknown function "foo" at 1:1');
    expect(e.output).toBe('p.bad');
    expect(e.index).toBe(1);
    expect(err(() => new CalcGraph([{ output: 'bad tag', expression: '1' }])).message).toMatch(/^calc tag #1: output: tag segment 1/);
    expect(err(() => new CalcGraph([{ output: 'p.a', expression: '1' }, { output: 'p.a', expression: '2' }])).message)
      .toBe('calc tag "p.a": output "p.a" is also produced by calc tag #1');
    expect(err(() => new CalcGraph([{ output: 'p.a', expression: '1', trigger: 'sometimes' as 'any' }])).message)
      .toBe('calc tag "p.a": trigger must be "any", "all" or { periodMs } (got "sometimes")');
    expect(err(() => new CalcGraph([{ output: 'p.a', expression: '1', trigger: { periodMs: 0 } }])).message)
      .toMatch(/periodMs must be a positive integer/);
    expect(err(() => new CalcGraph([{ output: 'p.a', expression: '  ' }])).message).toMatch(/expression must be a non-empty string/);
  });

  it('orders a long chain without recursion', () => {
    const n = 20_000;
    const deps = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : []));
    const r = dependencyOrder(deps);
    expect('order' in r && r.order[0]).toBe(n - 1);
  });
});
