import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameEngine, FrameStore, bareTagsToCalls, type FrameDefinition } from '../../../runtime/frames';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const RUN = 'acme.p.l1.pump1.running';
const TEMP = 'acme.p.l1.r1.temp';
const BATCH = 'acme.p.l1.r1.batch_id';
const PRODUCT = 'acme.p.l1.r1.product_code';
const s = (tag: string, ts: number, value: number) => ({ tag, ts, value, quality: 0 });

let dir: string;
let store: FrameStore;
beforeEach(async () => { dir = await makeTempDir('frames-engine-'); store = FrameStore.openIn(dir); });
afterEach(async () => { store.shutdown(); await removeTempDir(dir); });

const engine = (defs: FrameDefinition[]) => new FrameEngine(defs, store, 'node1');

describe('FrameEngine', () => {
  it('opens and closes by expression, with bare dotted tag paths', () => {
    const e = engine([{ key: 'run', template: 'run', mode: 'expression', start: `${RUN} == 1`, name: 'pump run' }]);
    expect(e.ingest([s(RUN, 1000, 0)])).toEqual([]);
    const [open] = e.ingest([s(RUN, 2000, 1)]);
    expect(open.type).toBe('open');
    expect(open.frame).toMatchObject({ template: 'run', name: 'pump run', start: 2000, end: null, tags: [RUN] });
    expect(e.ingest([s(RUN, 3000, 1)])).toEqual([]);
    const [close] = e.ingest([s(RUN, 5000, 0)]);
    expect(close.type).toBe('close');
    expect(store.get(open.frame.id)).toMatchObject({ start: 2000, end: 5000 });
  });

  it('an attribute captured from a tag keeps the tag\'s unit of that moment; message fields and texts have none', () => {
    const FLOW = 'acme.p.l1.pump1.flow';
    const units = new Map([[FLOW, 'm3/h'], [TEMP, '°C'], [PRODUCT, 'code']]);
    const e = new FrameEngine([{ key: 'trip', template: 'trip', mode: 'expression', start: `${RUN} == 0`, aliases: { t: TEMP },
      attributes: [{ name: 'flowBefore', from: FLOW, at: 'before' }, { name: 'tempAfter', from: 't', at: 'end' },
        { name: 'operator', from: 'msg.operator', at: 'start' }, { name: 'count', from: 'msg.count', at: 'start' }] }], store, 'node1', (t) => units.get(t));
    e.ingest([s(RUN, 1000, 1), s(FLOW, 1000, 60), s(TEMP, 1000, 50)]);
    const [open] = e.ingest([s(RUN, 2000, 0)], { operator: 'olga', count: 3 });
    expect(open.frame.attributes).toEqual({ flowBefore: 60, operator: 'olga', count: 3 });
    expect(open.frame.units).toEqual({ flowBefore: 'm3/h' });
    // the tag's unit changes while the frame is open: the start attribute keeps the unit it was captured in
    units.set(FLOW, 'l/min');
    e.ingest([s(TEMP, 3000, 27)]);
    const [close] = e.ingest([s(RUN, 4000, 1)]);
    expect(close.frame.units).toEqual({ flowBefore: 'm3/h', tempAfter: '°C' });
    expect(store.get(open.frame.id)!.units).toEqual({ flowBefore: 'm3/h', tempAfter: '°C' });
  });

  it('@before captures the value from before the start instant, @start the value at it', () => {
    const FLOW = 'acme.p.l1.pump1.flow';
    const e = engine([{ key: 'trip', template: 'trip', mode: 'expression', start: `${RUN} == 0`, aliases: {},
      attributes: [{ name: 'flowBefore', from: FLOW, at: 'before' }, { name: 'flowAtStart', from: FLOW, at: 'start' }, { name: 'flowAfter', from: FLOW, at: 'end' }] }]);
    e.ingest([s(RUN, 1000, 1), s(FLOW, 1000, 60), s(FLOW, 2000, 61)]);
    // the trip instant's samples arrive together: the flow of that instant is already falling
    const [open] = e.ingest([s(FLOW, 3000, 30), s(RUN, 3000, 0)]);
    expect(open.frame.attributes).toEqual({ flowBefore: 61, flowAtStart: 30 });
    e.ingest([s(FLOW, 4000, 0.4)]);
    const [close] = e.ingest([s(RUN, 9000, 1), s(FLOW, 9000, 12)]);
    expect(store.get(close.frame.id)!.attributes).toEqual({ flowBefore: 61, flowAtStart: 30, flowAfter: 12 });
    // a tag with no sample before the start leaves the attribute out rather than guessing
    const e2 = engine([{ key: 't2', template: 'trip', mode: 'expression', start: `${RUN} == 0`, attributes: [{ name: 'flowBefore', from: 'acme.p.l1.pump2.flow', at: 'before' }] }]);
    const [o2] = e2.ingest([s('acme.p.l1.pump2.flow', 5000, 44), s(RUN, 5000, 0)]);
    expect(o2.frame.attributes).toEqual({});
    expect(() => engine([{ key: 'm', template: 'x', mode: 'message', attributes: [{ name: 'op', from: 'msg.operator', at: 'before' }] }]))
      .toThrow(/attribute "op": @before reads a tag's earlier value/);
  });

  it('holds a condition (for 30s): starts when it became true, ignores shorter stretches, becomes due on tick', () => {
    const e = engine([{ key: 'hot', template: 'excursion', mode: 'expression', start: 'temp > 80 for 30s', end: 'temp < 75', aliases: { temp: TEMP } }]);
    e.ingest([s(TEMP, 0, 85), s(TEMP, 10_000, 86)]);
    expect(e.ingest([s(TEMP, 20_000, 70)])).toEqual([]); // 20 s only: nothing
    e.ingest([s(TEMP, 40_000, 81)]);
    expect(e.ingest([s(TEMP, 60_000, 82)])).toEqual([]);
    // no new sample, but 30 s have passed since 40 s
    expect(e.tick(69_999)).toEqual([]);
    const [open] = e.tick(70_000);
    expect(open.frame.start).toBe(40_000);
    expect(e.ingest([s(TEMP, 80_000, 78)])).toEqual([]); // not below 75 yet
    const [close] = e.ingest([s(TEMP, 90_000, 74)]);
    expect(close.frame).toMatchObject({ start: 40_000, end: 90_000 });
  });

  it('a batch id change closes the old frame and opens the new one, capturing attributes at start and end', () => {
    const e = engine([{
      key: 'batch', template: 'batch', mode: 'change', tag: 'id', aliases: { id: BATCH }, name: 'Batch {value}',
      attributes: [{ name: 'product', from: PRODUCT, at: 'start' }, { name: 'finalTemp', from: TEMP, at: 'end' }, { name: 'operator', from: 'msg.operator', at: 'start' }],
    }]);
    e.ingest([s(PRODUCT, 500, 7), s(TEMP, 500, 20)]);
    const [o1] = e.ingest([s(BATCH, 1000, 4711)], { operator: 'ayse' });
    expect(o1.frame).toMatchObject({ name: 'Batch 4711', attributes: { value: 4711, product: 7, operator: 'ayse' } });
    e.ingest([s(TEMP, 1500, 64.5), s(BATCH, 1500, 4711), s(PRODUCT, 1600, 8)]);
    const ev = e.ingest([s(BATCH, 2000, 4712)]);
    expect(ev.map((x) => x.type)).toEqual(['close', 'open']);
    expect(store.get(o1.frame.id)).toMatchObject({ end: 2000, attributes: { value: 4711, product: 7, finalTemp: 64.5, operator: 'ayse' } });
    expect(ev[1].frame).toMatchObject({ name: 'Batch 4712', start: 2000, attributes: { product: 8 } });
    // 0 = no batch: close only
    expect(e.ingest([s(BATCH, 3000, 0)]).map((x) => x.type)).toEqual(['close']);
    expect(store.openFrames()).toEqual([]);
  });

  it('nests phases in their batch and closes them with it', () => {
    const e = engine([
      { key: 'heat', template: 'phase', mode: 'expression', start: `${TEMP} > 50`, parent: 'batch', name: 'heat' },
      { key: 'batch', template: 'batch', mode: 'change', tag: BATCH },
    ]);
    const [b] = e.ingest([s(BATCH, 0, 1)]);
    const [p] = e.ingest([s(TEMP, 100, 60)]);
    expect(p.frame.parent).toBe(b.frame.id);
    const ev = e.ingest([s(BATCH, 500, 0)]);
    expect(ev.map((x) => `${x.type}:${x.key}`)).toEqual(['close:heat', 'close:batch']);
    expect(store.children(b.frame.id).map((f) => f.end)).toEqual([500]);
  });

  it('discards frames shorter than the minimum duration', () => {
    const e = engine([{ key: 'trip', template: 'trip', mode: 'expression', start: `${RUN} == 0`, minDurationMs: 5000 }]);
    const [o] = e.ingest([s(RUN, 0, 0)]);
    const [d] = e.ingest([s(RUN, 4999, 1)]);
    expect(d.type).toBe('discard');
    expect(store.get(o.frame.id)).toBeNull();
    e.ingest([s(RUN, 10_000, 0)]);
    const [c] = e.ingest([s(RUN, 15_000, 1)]);
    expect(c.type).toBe('close');
    expect(store.query({ template: 'trip' }).map((f) => [f.start, f.end])).toEqual([[10_000, 15_000]]);
  });

  it('opens and closes from message commands', () => {
    const e = engine([{ key: 'shift', template: 'shift', mode: 'message' }]);
    const [o] = e.command({ action: 'start', name: 'Shift A', attributes: { crew: 'A' }, time: 100 }, undefined, 0);
    expect(o.frame).toMatchObject({ name: 'Shift A', start: 100, attributes: { crew: 'A' } });
    const ev = e.command({ action: 'start', name: 'Shift B', time: 200 }, undefined, 0);
    expect(ev.map((x) => x.type)).toEqual(['close', 'open']);
    e.command({ action: 'end', attributes: { output: 12 } }, undefined, 300);
    expect(store.query({ template: 'shift', order: 'asc' }).map((f) => [f.name, f.start, f.end])).toEqual([['Shift A', 100, 200], ['Shift B', 200, 300]]);
    expect(() => e.command({ action: 'start', key: 'nope' }, undefined, 0)).toThrow(/msg\.frame\.key/);
  });

  it('resumes its open frames in a new engine (restart) and closes them on the end condition', () => {
    const defs: FrameDefinition[] = [{ key: 'run', template: 'run', mode: 'expression', start: `${RUN} == 1` }];
    const [o] = engine(defs).ingest([s(RUN, 1000, 1)]);
    store.shutdown();
    store = FrameStore.openIn(dir);
    const e2 = engine(defs);
    expect(e2.resume().map((f) => f.id)).toEqual([o.frame.id]);
    expect(e2.ingest([s(RUN, 2000, 1)])).toEqual([]);
    const [c] = e2.ingest([s(RUN, 3000, 0)]);
    expect(c.frame).toMatchObject({ id: o.frame.id, start: 1000, end: 3000 });
  });

  it('reports configuration mistakes naming the definition and field', () => {
    expect(() => engine([{ key: 'a', template: 'x', mode: 'expression', start: 'nope > 1' }])).toThrow(/frame #1 start: unknown alias "nope"/);
    expect(() => engine([{ key: 'a', template: 'x', mode: 'expression', start: 'x > 1 for 3q', aliases: { x: TEMP } }])).toThrow(/frame #1 start: unknown duration unit/);
    expect(() => engine([{ key: 'a', template: 'x', mode: 'change' }])).toThrow(/frame #1 tag/);
    expect(() => engine([{ key: 'a', template: 'x', mode: 'message', parent: 'b' }])).toThrow(/parent: no frame definition "b"/);
    expect(() => engine([{ key: 'a', template: 'x', mode: 'message', parent: 'a' }])).toThrow(/cycle/);
  });

  it('rewrites bare dotted tag paths, not strings or numbers', () => {
    expect(bareTagsToCalls("a.b.c == 1 && tag('x.y') > 1.5 && 'p.q' != 0")).toBe("tag('a.b.c') == 1 && tag('x.y') > 1.5 && 'p.q' != 0");
  });
});
