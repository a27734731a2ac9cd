import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkReplayRange, FrameEngine, FrameError, FrameStore, replayFrames, type Frame, type FrameDefinition, type HistoryReader } from '../../../runtime/frames';
import type { Sample } from '../../../runtime/model';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const RUN = 'acme.p.l1.pump1.running';
const TEMP = 'acme.p.l1.pump1.temperature';
const BATCH = 'acme.p.l1.r1.batch_id';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

let dir: string;
let store: FrameStore;
beforeEach(async () => { dir = await makeTempDir('frames-replay-'); store = FrameStore.openIn(dir); });
afterEach(async () => { store.shutdown(); await removeTempDir(dir); });

/** A pump over `days`, one sample a minute per tag: trips of 3–9 min every ~5 h, a batch id changing every 8 h, temperature with excursions. */
function history(days: number): Sample[] {
  const out: Sample[] = [];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let tripLeft = 0;
  for (let t = T0; t < T0 + days * DAY; t += 60_000) {
    if (tripLeft > 0) tripLeft--;
    else if (rnd() < 1 / 300) tripLeft = 3 + Math.floor(rnd() * 7);
    out.push({ tag: RUN, ts: t, value: tripLeft > 0 ? 0 : 1, quality: 0 });
    out.push({ tag: TEMP, ts: t, value: Math.round((50 + 25 * Math.sin((t - T0) / 3_000_000) + rnd() * 4) * 10) / 10, quality: 0 });
    out.push({ tag: BATCH, ts: t, value: 1000 + Math.floor((t - T0) / (8 * 3_600_000)), quality: 0 });
  }
  return out;
}

const DEFS: FrameDefinition[] = [
  { key: 'batch', template: 'batch', mode: 'change', tag: BATCH, name: 'Batch {value}' },
  {
    key: 'trip', template: 'trip', mode: 'expression', start: `${RUN} == 0`, parent: 'batch', minDurationMs: 120_000,
    attributes: [{ name: 'tempBefore', from: TEMP, at: 'start' }, { name: 'tempAfter', from: TEMP, at: 'end' }],
  },
  { key: 'hot', template: 'excursion', mode: 'expression', start: `${TEMP} > 70 for 90s`, end: `${TEMP} < 65` },
];

function reader(samples: readonly Sample[]): HistoryReader {
  return async function* (tag, from, to) {
    const mine = samples.filter((s) => s.tag === tag && s.ts >= from && s.ts < to);
    // two batches, as a store answers long ranges
    const half = Math.ceil(mine.length / 2);
    for (const part of [mine.slice(0, half), mine.slice(half)]) {
      if (part.length) yield { ts: part.map((s) => s.ts), values: part.map((s) => s.value), quality: part.map((s) => s.quality) };
    }
  };
}

/** What a frame is, without its store identity (ids, record times). */
function shape(f: Frame, byId: Map<string, Frame>) {
  return { template: f.template, name: f.name, start: f.start, end: f.end, source: f.source, tags: f.tags, attributes: f.attributes, parent: f.parent ? byId.get(f.parent)!.start : null };
}

/** Closed frames whose parents (all the way up) closed too: what a replay of the same samples records. */
function closedFrames(s: FrameStore): ReturnType<typeof shape>[] {
  const all = s.query({ order: 'asc', limit: 10_000 });
  const byId = new Map(all.map((f) => [f.id, f]));
  const complete = (f: Frame): boolean => f.end !== null && (f.parent === null || complete(byId.get(f.parent)!));
  return all.filter(complete).map((f) => shape(f, byId)).sort((a, b) => a.start - b.start || a.source.localeCompare(b.source));
}

describe('replayFrames', () => {
  it('records from stored history the frames the live engine records from the same samples, nested and with attributes', async () => {
    const samples = history(6);
    // live: the samples as a flow delivers them, one minute at a time, ticking each second between
    const liveDir = await makeTempDir('frames-live-');
    const live = FrameStore.openIn(liveDir);
    try {
      const engine = new FrameEngine(DEFS, live, 'node1');
      for (let i = 0; i < samples.length; i += 3) {
        const ts = samples[i].ts;
        for (let t = ts - 59_000; t < ts; t += 1000) engine.tick(t);
        engine.ingest(samples.slice(i, i + 3));
      }
      const end = samples[samples.length - 1].ts + 1;
      engine.tick(end - 1);
      const r = await replayFrames(DEFS, 'node1', store, reader(samples), { from: T0, to: end });
      const expected = closedFrames(live);
      expect(expected.filter((f) => f.template === 'trip').length).toBeGreaterThan(10);
      expect(expected.filter((f) => f.template === 'batch').length).toBeGreaterThan(10);
      expect(expected.filter((f) => f.template === 'excursion').length).toBeGreaterThan(3);
      // a trip's parent is the batch it happened in; attributes were captured at start and end
      expect(expected.find((f) => f.template === 'trip')).toMatchObject({ parent: expect.any(Number), attributes: { tempBefore: expect.any(Number), tempAfter: expect.any(Number) } });
      expect(closedFrames(store)).toEqual(expected);
      expect(r).toMatchObject({ from: T0, to: end, samples: samples.length, added: expected.length, existing: 0 });
      // the frame open at the end (the last batch) is left to the live engine, not written
      expect(r.open).toBe(engine.openCount);
      expect(store.query({ open: true })).toEqual([]);
    } finally {
      live.shutdown();
      await removeTempDir(liveDir);
    }
  });

  it('adds nothing when the same range is replayed again, and only the new frames of a longer range', async () => {
    const samples = history(4);
    const first = await replayFrames(DEFS, 'node1', store, reader(samples), { from: T0, to: T0 + 2 * DAY });
    expect(first.added).toBeGreaterThan(0);
    const again = await replayFrames(DEFS, 'node1', store, reader(samples), { from: T0, to: T0 + 2 * DAY });
    expect(again).toMatchObject({ added: 0, existing: first.added });
    const before = closedFrames(store);
    const longer = await replayFrames(DEFS, 'node1', store, reader(samples), { from: T0, to: T0 + 4 * DAY });
    const after = closedFrames(store);
    expect(after.length).toBe(before.length + longer.added);
    expect(longer.existing).toBeGreaterThan(0);
    // every frame once
    expect(new Set(after.map((f) => `${f.source} ${f.start}`)).size).toBe(after.length);
    // children of frames found already stored are matched under them
    const all = store.query({ open: false, limit: 10_000 });
    const ids = new Set(all.map((f) => f.id));
    for (const f of all) if (f.parent) expect(ids.has(f.parent)).toBe(true);
  });

  it('leaves the live engine\'s open frame alone', async () => {
    const samples = history(2);
    const engine = new FrameEngine([{ key: 'batch', template: 'batch', mode: 'change', tag: BATCH }], store, 'node1');
    const [open] = engine.ingest([{ tag: BATCH, ts: T0 + 3 * DAY, value: 4242, quality: 0 }]);
    const r = await replayFrames([{ key: 'batch', template: 'batch', mode: 'change', tag: BATCH }], 'node1', store, reader(samples), { from: T0, to: T0 + 2 * DAY });
    expect(r.added).toBeGreaterThan(0);
    expect(store.query({ open: true }).map((f) => f.id)).toEqual([open.frame.id]);
    expect(engine.openFrame('batch')!.id).toBe(open.frame.id);
  });

  it('hands the event loop back between windows and reads each window once per tag', async () => {
    const samples = history(3);
    const reads: string[] = [];
    let turns = 0;
    const read: HistoryReader = (tag, from, to) => { reads.push(`${tag} ${from}`); return reader(samples)(tag, from, to); };
    await replayFrames(DEFS, 'node1', store, read, { from: T0, to: T0 + 3 * DAY }, async () => { turns++; });
    expect(turns).toBe(3);
    expect(reads.length).toBe(3 * 3);
    expect(new Set(reads).size).toBe(reads.length);
    // a day of a 1 Hz tag is 86,400 samples in one window: the turns come inside it too
    const dense: Sample[] = Array.from({ length: 86_400 }, (_, i) => ({ tag: RUN, ts: T0 + i * 1000, value: i % 3600 < 300 ? 0 : 1, quality: 0 }));
    let inside = 0;
    const r = await replayFrames([DEFS[1]].map((d) => ({ ...d, parent: undefined })), 'node2', store, reader(dense), { from: T0, to: T0 + DAY }, async () => { inside++; });
    expect(r.samples).toBe(86_400);
    expect(r.added).toBe(24); // a 5-minute stop at the top of each hour
    expect(inside).toBeGreaterThanOrEqual(5);
  });
});

describe('checkReplayRange', () => {
  const now = T0 + 10 * DAY;
  it('accepts a past range and names the field of a bad one', () => {
    expect(checkReplayRange(T0, T0 + DAY, now)).toEqual({ from: T0, to: T0 + DAY });
    const field = (f: () => unknown) => { try { f(); } catch (e) { expect(e).toBeInstanceOf(FrameError); return (e as FrameError).field; } return null; };
    expect(field(() => checkReplayRange('x', T0, now))).toBe('msg.frame.from');
    expect(field(() => checkReplayRange(T0, 1.5, now))).toBe('msg.frame.to');
    expect(field(() => checkReplayRange(T0, T0, now))).toBe('msg.frame.to');
    expect(field(() => checkReplayRange(T0, now + 1, now))).toBe('msg.frame.to');
    expect(field(() => checkReplayRange(now - 3700 * DAY, now, now))).toBe('msg.frame.from');
  });
});
