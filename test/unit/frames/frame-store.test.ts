import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameStore, FrameError, ftsPhrase, ftsQuery } from '../../../runtime/frames';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir: string;
let store: FrameStore;
beforeEach(async () => { dir = await makeTempDir('historian-frames-'); store = FrameStore.openIn(dir); });
afterEach(async () => { store.shutdown(); await removeTempDir(dir); });

const H = 3_600_000;

describe('FrameStore', () => {
  it('stores open frames and closes them with end attributes', () => {
    const f = store.add({ template: 'batch', name: 'Batch 4711', start: 1000, tags: ['acme.p.r1.temp'], attributes: { product: 'Aspirin', lot: 42 } });
    expect(f.end).toBeNull();
    expect(store.openFrames().map((x) => x.id)).toEqual([f.id]);
    const c = store.close(f.id, 5000, { attributes: { yield: 97.5 } });
    expect(c.end).toBe(5000);
    expect(c.attributes).toEqual({ product: 'Aspirin', lot: 42, yield: 97.5 });
    expect(store.openFrames()).toEqual([]);
    expect(() => store.close(f.id, 6000)).toThrow(/already closed/);
    expect(() => store.discard(f.id)).toThrow(/records/);
  });

  it('refuses bad input naming the field', () => {
    expect(() => store.add({ template: 'bad template', name: 'x', start: 0 })).toThrow(/^template:/);
    expect(() => store.add({ template: 'batch', name: '', start: 0 })).toThrow(/^name:/);
    expect(() => store.add({ template: 'batch', name: 'x', start: 10, end: 5 })).toThrow(/^end:/);
    expect(() => store.add({ template: 'batch', name: 'x', start: 0, attributes: { a: Number.NaN } })).toThrow(/attributes\.a/);
    expect(() => store.add({ template: 'batch', name: 'x', start: 0, attributes: { o: {} as never } })).toThrow(/attributes\.o/);
    expect(() => store.add({ template: 'batch', name: 'x', start: 0, tags: ['not a tag'] })).toThrow(/^tags:/);
    expect(() => store.add({ template: 'batch', name: 'x', start: 0, parent: 'nope' })).toThrow(/^parent:/);
    expect(() => store.close('nope', 1)).toThrow(FrameError);
  });

  it('finds frames overlapping a time range, including long and open ones', () => {
    const long = store.add({ template: 'campaign', name: 'long', start: 0, end: 100 * H });
    const a = store.add({ template: 'batch', name: 'a', start: 10 * H, end: 11 * H });
    const b = store.add({ template: 'batch', name: 'b', start: 12 * H, end: 13 * H });
    const open = store.add({ template: 'batch', name: 'open', start: 1 * H });
    const ids = (q: Parameters<FrameStore['query']>[0]) => store.query(q).map((f) => f.name).sort();
    expect(ids({ from: 50 * H, to: 60 * H })).toEqual(['long', 'open']);
    expect(ids({ from: 10.5 * H, to: 12.5 * H })).toEqual(['a', 'b', 'long', 'open']);
    expect(ids({ from: 11 * H, to: 12 * H })).toEqual(['long', 'open']); // [start, end) touches are not overlaps
    expect(ids({ from: 10.5 * H, to: 12.5 * H, template: 'batch' })).toEqual(['a', 'b', 'open']);
    expect(ids({ open: true })).toEqual(['open']);
    expect(store.query({ template: 'batch', order: 'asc' }).map((f) => f.name)).toEqual(['open', 'a', 'b']);
    expect(long.end).toBe(100 * H);
    expect([a.id, b.id, open.id].every(Boolean)).toBe(true);
  });

  it('filters by attributes and searches text', () => {
    store.add({ template: 'batch', name: 'B-1', start: 1 * H, end: 2 * H, attributes: { product: 'Aspirin', lot: 1, released: true } });
    store.add({ template: 'batch', name: 'B-2', start: 3 * H, end: 4 * H, attributes: { product: 'Ibuprofen', lot: 2 } });
    store.add({ template: 'coil', name: 'C-2231 hot strip', start: 5 * H, end: 6 * H, attributes: { grade: 'S355', operator: 'Ayse Yilmaz' } });
    expect(store.query({ attributes: { product: 'Aspirin' } }).map((f) => f.name)).toEqual(['B-1']);
    expect(store.query({ attributes: { lot: '2' } }).map((f) => f.name)).toEqual(['B-2']);
    expect(store.query({ attributes: { product: 'Aspirin', released: 'true' } }).map((f) => f.name)).toEqual(['B-1']);
    expect(store.query({ attributes: { product: 'Aspirin', lot: '2' } })).toEqual([]);
    expect(store.query({ attributes: { product: 'Ibuprofen' }, from: 0, to: 3 * H })).toEqual([]);
    expect(store.query({ text: 'yilmaz' }).map((f) => f.name)).toEqual(['C-2231 hot strip']);
    expect(store.query({ text: 'ibu*' }).map((f) => f.name)).toEqual(['B-2']);
    expect(store.query({ text: 'S355 "OR 1=1' }).map((f) => f.name)).toEqual([]);
    expect(() => store.query({ text: '"()' })).toThrow(/^text:/);
  });

  it('re-indexes edited attributes and keeps nesting', () => {
    const batch = store.add({ template: 'batch', name: 'B', start: 0, attributes: { status: 'running' } });
    const phase = store.add({ template: 'phase', name: 'heat', start: 10, parent: batch.id });
    expect(store.children(batch.id).map((f) => f.id)).toEqual([phase.id]);
    const { before, after } = store.updateAttributes(batch.id, { status: 'released' });
    expect(before.attributes.status).toBe('running');
    expect(after.attributes.status).toBe('released');
    expect(store.query({ attributes: { status: 'running' } })).toEqual([]);
    expect(store.query({ attributes: { status: 'released' } }).map((f) => f.id)).toEqual([batch.id]);
    expect(store.query({ text: 'released' }).map((f) => f.id)).toEqual([batch.id]);
  });

  it('discards an open frame (chatter) and keeps it out of every index', () => {
    const f = store.add({ template: 'trip', name: 't', start: 0, attributes: { k: 'v' } });
    store.discard(f.id);
    expect(store.get(f.id)).toBeNull();
    expect(store.query({ attributes: { k: 'v' } })).toEqual([]);
    expect(store.query({ text: 't' })).toEqual([]);
  });

  it('searches names, not the digits of measured values; a store indexed the old way is indexed again at open', async () => {
    const trip = (name: string, tempAfter: number) => store.add({ template: 'trip', name, start: 1 * H, end: 2 * H, attributes: { flowBefore: 44, tempAfter } });
    trip('Line 1 pump 1 trip', 26.7);
    trip('Line 2 pump 3 trip', 29.1);
    store.add({ template: 'batch', name: 'Batch 4711', start: 3 * H, end: 4 * H, attributes: { lot: 815, yield: 97.5 } });
    const names = (text: string) => store.query({ text }).map((f) => f.name).sort();
    // the "1" of 29.1 is no word of the second trip
    expect(names('Line 1 pump 1')).toEqual(['Line 1 pump 1 trip']);
    expect(names('pump 3')).toEqual(['Line 2 pump 3 trip']);
    // several words match as a phrase first: "Line 1 pump 1" has every word of "Line 1 pump 2" too (by two 1s)
    trip('Line 1 pump 2 trip', 30.5);
    expect(names('Line 1 pump 2')).toEqual(['Line 1 pump 2 trip']);
    expect(names('Line 1 pump 1')).toEqual(['Line 1 pump 1 trip']);
    // words in no frame's order: every word anywhere
    expect(names('trip 1 pump')).toEqual(['Line 1 pump 1 trip', 'Line 1 pump 2 trip']);
    expect(names('line 2 pump 1')).toEqual(['Line 1 pump 2 trip']);
    // whole numbers (a lot, a batch id) and attribute names still are
    expect(names('815')).toEqual(['Batch 4711']);
    expect(names('tempAfter')).toEqual(['Line 1 pump 1 trip', 'Line 1 pump 2 trip', 'Line 2 pump 3 trip']);
    expect(store.query({ attributes: { tempAfter: '29.1' } }).map((f) => f.name)).toEqual(['Line 2 pump 3 trip']);
    // a store indexed by the release before (every value's digits, no text_index mark) is indexed again when it opens
    store.shutdown();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(`${dir}/frames.db`);
    db.exec("DELETE FROM frame_text; DELETE FROM frame_meta WHERE key = 'text_index'");
    db.exec("INSERT INTO frame_text (rowid, body) SELECT seq, name || ' ' || template || ' tempAfter 29.1' FROM frame");
    db.close();
    store = FrameStore.openIn(dir);
    expect(names('Line 1 pump 1')).toEqual(['Line 1 pump 1 trip']);
    expect(names('yield')).toEqual(['Batch 4711']);
  });

  it('keeps each attribute\'s unit: merged on close, kept when a value is set by hand, removed with its attribute; bad units refused by name', () => {
    const f = store.add({ template: 'trip', name: 'Pump 1 trip', start: 1000, attributes: { flowBefore: 44, operator: 'olga' }, units: { flowBefore: 'm3/h' } });
    expect(f.units).toEqual({ flowBefore: 'm3/h' });
    const c = store.close(f.id, 5000, { attributes: { tempAfter: 26.5 }, units: { tempAfter: '°C' } });
    expect(c.units).toEqual({ flowBefore: 'm3/h', tempAfter: '°C' });
    const { after } = store.updateAttributes(f.id, { flowBefore: 45 }, ['tempAfter']);
    expect(after.attributes).toEqual({ flowBefore: 45, operator: 'olga' });
    expect(after.units).toEqual({ flowBefore: 'm3/h' });
    expect(store.get(f.id)!.units).toEqual({ flowBefore: 'm3/h' });
    expect(store.add({ template: 'trip', name: 'no units', start: 0 }).units).toEqual({});
    expect(() => store.add({ template: 'trip', name: 'x', start: 0, attributes: { flowBefore: 1 }, units: { flowBefore: '' } })).toThrow(/^units\.flowBefore:/);
    expect(() => store.add({ template: 'trip', name: 'x', start: 0, units: { 'bad name': 'm' } })).toThrow(/^units\.bad name:/);
    expect(() => store.add({ template: 'trip', name: 'x', start: 0, attributes: { a: 1 }, units: { a: 'x'.repeat(51) } })).toThrow(/^units\.a:/);
    expect(() => store.add({ template: 'trip', name: 'x', start: 0, attributes: { a: 1 }, units: { b: 'kg' } })).toThrow(/^units\.b: the frame has no attribute "b"/);
  });

  it('opens a store from before attribute units: its frames read with none, new ones keep theirs', async () => {
    store.shutdown();
    const { DatabaseSync } = await import('node:sqlite');
    const old = `${dir}/old`;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(old);
    // the frame table as the release before created it (no units column), with one frame
    const db = new DatabaseSync(`${old}/frames.db`);
    db.exec(`CREATE TABLE frame (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, template TEXT NOT NULL, name TEXT NOT NULL,
      start INTEGER NOT NULL, "end" INTEGER, parent TEXT, source TEXT NOT NULL, tags TEXT NOT NULL, attributes TEXT NOT NULL,
      closed_by TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
    db.exec(`INSERT INTO frame (id, template, name, start, "end", parent, source, tags, attributes, closed_by, created_at, updated_at)
      VALUES ('0190a000-0000-7000-8000-000000000001', 'trip', 'Old trip', 1000, 2000, NULL, 'api', '[]', '{"flowBefore":44}', NULL, 1, 1)`);
    db.close();
    store = FrameStore.openIn(old);
    expect(store.get('0190a000-0000-7000-8000-000000000001')).toMatchObject({ name: 'Old trip', attributes: { flowBefore: 44 }, units: {} });
    const f = store.add({ template: 'trip', name: 'New trip', start: 3000, attributes: { flowBefore: 50 }, units: { flowBefore: 'm3/h' } });
    store.shutdown();
    store = FrameStore.openIn(old);
    expect(store.get(f.id)!.units).toEqual({ flowBefore: 'm3/h' });
  });

  it('keeps frames and the longest-duration bound across reopening', () => {
    store.add({ template: 'campaign', name: 'long', start: 0, end: 100 * H });
    store.shutdown();
    store = FrameStore.openIn(dir);
    expect(store.query({ from: 99 * H, to: 101 * H }).map((f) => f.name)).toEqual(['long']);
  });

  it('adds replayed closed frames in one go: parents first, children under them, known ones skipped, nothing on a bad one', () => {
    const live = store.add({ template: 'batch', name: 'B1', start: 1000, end: 9000, source: 'n1/batch' });
    const changes: string[] = [];
    store.onChange((f, c) => changes.push(`${c} ${f.name}`));
    const r = store.addClosed([
      { key: 'b1', parentKey: null, frame: { template: 'batch', name: 'B1 again', start: 1000, end: 9000, source: 'n1/batch' } },
      { key: 'b2', parentKey: null, frame: { template: 'batch', name: 'B2', start: 10_000, end: 20_000, source: 'n1/batch', attributes: { lot: 7 } } },
      { key: 't1', parentKey: 'b1', frame: { template: 'trip', name: 'T1', start: 2000, end: 3000, source: 'n1/trip' } },
      { key: 't2', parentKey: 'b2', frame: { template: 'trip', name: 'T2', start: 12_000, end: 13_000, source: 'n1/trip' } },
    ]);
    expect(r).toEqual({ added: 3, existing: 1 });
    expect(changes).toEqual(['close B2', 'close T1', 'close T2']);
    // a child of a frame already stored lands under that frame
    expect(store.children(live.id).map((f) => f.name)).toEqual(['T1']);
    const b2 = store.query({ template: 'batch', attributes: { lot: '7' } })[0];
    expect(store.children(b2.id).map((f) => f.name)).toEqual(['T2']);
    // a child before its parent, or a bad field, stores nothing of the call
    const before = store.query({ limit: 100 }).length;
    expect(() => store.addClosed([
      { key: 'b3', parentKey: null, frame: { template: 'batch', name: 'B3', start: 30_000, end: 40_000, source: 'n1/batch' } },
      { key: 't3', parentKey: 'b4', frame: { template: 'trip', name: 'T3', start: 31_000, end: 32_000, source: 'n1/trip' } },
    ])).toThrow(/^parent:/);
    expect(() => store.addClosed([{ key: 'x', parentKey: null, frame: { template: 'bad template', name: 'x', start: 0, end: 1 } }])).toThrow(/^template:/);
    expect(store.query({ limit: 100 }).length).toBe(before);
  });

  it('quotes search words for FTS5', () => {
    expect(ftsPhrase('Line 1, pump "1"')).toBe('"Line 1 pump 1"');
    expect(ftsPhrase('pump')).toBeNull();
    expect(ftsPhrase('pump 1*')).toBeNull();
    expect(ftsQuery('pump trip')).toBe('"pump" "trip"');
    expect(ftsQuery('C-2231*')).toBe('"C" "2231"*');
    expect(ftsQuery('  ')).toBeNull();
  });
});
