// Frames from history: runs frame definitions over samples already stored, as the engine
// would have run them live, and keeps the frames that opened and closed inside the range.
// Used after a backfill (the demo's month of history, a gateway's delivered backlog) or
// when a definition is added and its past should have frames too.
//
// The replay runs its own FrameEngine over a scratch store in memory, so nothing half done
// reaches the frame store: a frame still open at the end of the range, or discarded as
// chatter, is never written, and the live engine's open frames are left alone. Replaying a
// range twice adds nothing the second time: a frame whose definition (source) and start are
// already stored is skipped, and its children are matched under it.
import { DatabaseSync } from 'node:sqlite';
import type { Sample } from '../model';
import { FrameError, type Frame } from './frame';
import { FrameEngine, type FrameDefinition, type FrameEvent } from './frame-engine';
import { FrameStore } from './frame-store';

/** Stored samples of one tag in [from, to), ascending, in batches of columns. */
export type HistoryReader = (tag: string, from: number, to: number) => AsyncIterable<{ ts: ArrayLike<number>; values: ArrayLike<number>; quality: ArrayLike<number> }>;

export interface ReplayResult {
  from: number;
  to: number;
  /** samples read from the store */
  samples: number;
  /** frames written */
  added: number;
  /** frames found already stored (same definition and start) */
  existing: number;
  /** frames still open at `to` (not written; the live engine carries on from the present) */
  open: number;
}

/** Longest range one replay may cover (ten years). */
export const MAX_REPLAY_MS = 3653 * 86_400_000;
/** Samples are read and replayed a window at a time, so memory stays bounded over years. */
const WINDOW_MS = 86_400_000;
/** samples replayed between two turns of the event loop (a day of 1 Hz tags is millions) */
const TURN_SAMPLES = 20_000;

interface Columns { ts: ArrayLike<number>; values: ArrayLike<number>; quality: ArrayLike<number> }

/** One tag's samples of [from, to) as one set of columns (a store answers in batches). */
async function readAll(read: HistoryReader, tag: string, from: number, to: number): Promise<Columns> {
  const parts: Columns[] = [];
  for await (const c of read(tag, from, to)) parts.push(c);
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((a, c) => a + c.ts.length, 0);
  const out = { ts: new Float64Array(n), values: new Float64Array(n), quality: new Uint16Array(n) };
  let j = 0;
  for (const c of parts) { out.ts.set(c.ts, j); out.values.set(c.values, j); out.quality.set(c.quality, j); j += c.ts.length; }
  return out;
}

/** Checks a replay range; `now` bounds its end (history, not the future). */
export function checkReplayRange(from: unknown, to: unknown, now: number): { from: number; to: number } {
  if (!Number.isSafeInteger(from)) throw new FrameError('msg.frame.from', 'must be epoch milliseconds');
  if (!Number.isSafeInteger(to)) throw new FrameError('msg.frame.to', 'must be epoch milliseconds');
  const f = from as number, t = to as number;
  if (t <= f) throw new FrameError('msg.frame.to', 'must be after from');
  if (t > now) throw new FrameError('msg.frame.to', 'must not be in the future (replay covers stored history)');
  if (t - f > MAX_REPLAY_MS) throw new FrameError('msg.frame.from', 'the range may cover at most ten years');
  return { from: f, to: t };
}

/**
 * Replays `defs` (the engine's definitions, `source` the node's id) over the stored history
 * of their input tags in [from, to) and writes the frames that closed into `target`.
 * `yieldTurn` is awaited after each window and every few thousand samples (the event
 * loop's turn in a server).
 */
export async function replayFrames(defs: readonly FrameDefinition[], source: string, target: FrameStore, read: HistoryReader,
  range: { from: number; to: number }, yieldTurn: () => Promise<void> = () => Promise.resolve(),
  unitOf?: (tag: string) => string | undefined): Promise<ReplayResult> {
  const scratch = new FrameStore(new DatabaseSync(':memory:'));
  try {
    const engine = new FrameEngine(defs, scratch, source, unitOf);
    // frames that closed, by their id in the scratch store (children close before their parent)
    const closed = new Map<string, Frame>();
    const keep = (events: FrameEvent[]) => { for (const e of events) if (e.type === 'close') closed.set(e.frame.id, e.frame); };
    const tags = engine.inputs;
    let samples = 0;
    let sinceTurn = 0;
    for (let w = range.from; w < range.to; w += WINDOW_MS) {
      const end = Math.min(range.to, w + WINDOW_MS);
      const cols: Columns[] = [];
      for (const tag of tags) cols.push(await readAll(read, tag, w, end));
      // the tags' columns merged by time, one instant at a time: held conditions (`for 30s`)
      // that matured before it first, as the live engine's one-second tick would have found
      // them, then the instant's samples (objects only for the instant being applied)
      const at = new Array<number>(tags.length).fill(0);
      for (;;) {
        let ts = Infinity;
        for (let k = 0; k < tags.length; k++) if (at[k] < cols[k].ts.length && cols[k].ts[at[k]] < ts) ts = cols[k].ts[at[k]];
        if (ts === Infinity) break;
        const group: Sample[] = [];
        for (let k = 0; k < tags.length; k++) {
          const c = cols[k];
          while (at[k] < c.ts.length && c.ts[at[k]] === ts) { group.push({ tag: tags[k], ts, value: c.values[at[k]], quality: c.quality[at[k]] }); at[k]++; }
        }
        keep(engine.tick(ts - 1));
        keep(engine.ingest(group));
        samples += group.length;
        if ((sinceTurn += group.length) >= TURN_SAMPLES) { sinceTurn = 0; await yieldTurn(); }
      }
      sinceTurn = 0;
      await yieldTurn();
    }
    keep(engine.tick(range.to - 1));
    const { added, existing } = copyClosed(closed, target);
    return { from: range.from, to: range.to, samples, added, existing, open: engine.openCount };
  } finally {
    scratch.shutdown();
  }
}

/**
 * The closed frames into the target in one transaction, parents before children, skipping
 * those already there. A child whose parent did not close (still open at the end) is left
 * out with it.
 */
function copyClosed(closed: ReadonlyMap<string, Frame>, target: FrameStore): { added: number; existing: number } {
  const depth = (f: Frame): number => {
    let d = 0;
    for (let p = f.parent; p !== null; d++) {
      const up = closed.get(p);
      if (!up) return -1;
      p = up.parent;
    }
    return d;
  };
  const order = [...closed.values()].map((f) => ({ f, d: depth(f) })).filter((x) => x.d >= 0).sort((a, b) => a.d - b.d || a.f.start - b.f.start);
  return target.addClosed(order.map(({ f }) => ({
    key: f.id, parentKey: f.parent,
    frame: { template: f.template, name: f.name, start: f.start, end: f.end!, tags: f.tags, attributes: f.attributes, units: f.units, source: f.source },
  })));
}
