// Runs frame definitions over incoming samples and messages: opens and closes frames in the
// FrameStore, captures attributes, nests frames under their parent definition's open frame
// and drops chatter shorter than a minimum duration. Time is the samples' time (a message's
// time for message triggers), never the wall clock, except for tick(): a held condition
// (`for 30s`) whose inputs stop changing still becomes due.
//
// Every open frame is in the store before anything reports it, so after a crash resume()
// finds a definition's open frame again and its end condition closes it as usual.
import type { Sample } from '../model';
import type { InputSample } from '../calc';
import { Condition, type ConditionState } from './condition';
import { FrameError, TEMPLATE_RE, type AttributeUnits, type AttributeValue, type Attributes, type Frame } from './frame';
import type { FrameStore } from './frame-store';

export type TriggerMode = 'expression' | 'change' | 'message';

export interface AttributeCapture {
  /** attribute name */
  name: string;
  /** a tag path, an alias, or `msg.<path>` (a field of the message that triggered) */
  from: string;
  /**
   * start / end: the value at that instant (a sample at the same time counts); before: the
   * tag's last value from before the start instant, e.g. the flow before a trip whose
   * samples of the trip instant already show it falling (left out when unknown: only the
   * sample before the latest is kept, so a held start in the past may have none)
   */
  at: 'start' | 'end' | 'before';
}

export interface FrameDefinition {
  /** unique within one engine (one node); the store's `source` is `<engine source>/<key>` */
  key: string;
  template: string;
  /** name pattern: `{value}` (the new value of a change trigger), `{<attribute>}`, `{template}`, `{start}` (ISO time) */
  name?: string;
  mode: TriggerMode;
  /** expression mode: opens when true (`... for 30s` holds) */
  start?: string;
  /** expression mode: closes when true; default: when start is false */
  end?: string;
  /** change mode: the tag (or alias) whose value change closes the old frame and opens a new one; 0 means none */
  tag?: string;
  aliases?: Record<string, string>;
  attributes?: AttributeCapture[];
  /** key of the definition whose open frame becomes this one's parent (and closes this one with it) */
  parent?: string;
  /** frames shorter than this are discarded when they close (chatter) */
  minDurationMs?: number;
  /** tags the frame concerns; default: the tags its triggers and attributes read */
  tags?: string[];
}

/** A message command: `msg.frame = { action, key?, name?, attributes?, time? }`. */
export interface FrameCommand {
  action: 'start' | 'end';
  key?: string;
  name?: string;
  attributes?: Attributes;
  time?: number;
}

export interface FrameEvent { type: 'open' | 'close' | 'discard'; key: string; frame: Frame }

interface DefState {
  def: FrameDefinition;
  source: string;
  start: Condition | null;
  end: Condition | null;
  startSt: ConditionState;
  endSt: ConditionState;
  changeTag: string | null;
  inputs: Set<string>;
  tags: string[];
  open: Frame | null;
  children: DefState[];
  parent: DefState | null;
}

const KEY_RE = /^[A-Za-z0-9_-]{1,64}$/;

function fieldOf(msg: Record<string, unknown> | undefined, path: string): AttributeValue | undefined {
  if (!msg) return undefined;
  let v: unknown = msg;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return undefined;
}

export class FrameEngine {
  private readonly states: DefState[] = [];
  private readonly byKey = new Map<string, DefState>();
  private readonly byInput = new Map<string, DefState[]>();
  private readonly latest = new Map<string, InputSample>();
  /** each tag's sample before its latest one (for `@before` captures) */
  private readonly earlier = new Map<string, InputSample>();
  private readonly ctx = { now: 0, get: (t: string) => this.latest.get(t) };

  /**
   * `unitOf` answers a tag's unit (its metadata in the store); an attribute captured from a
   * tag keeps the unit the tag had then, so the record says "44 m3/h" however the tag changes later.
   */
  constructor(defs: readonly FrameDefinition[], private readonly store: FrameStore, readonly source: string,
    private readonly unitOf: (tag: string) => string | undefined = () => undefined) {
    if (defs.length === 0) throw new Error('frames: define at least one frame');
    defs.forEach((d, i) => {
      const where = `frame #${i + 1}`;
      if (!KEY_RE.test(d.key ?? '')) throw new Error(`${where} key: must be 1-64 of [A-Za-z0-9_-]`);
      if (this.byKey.has(d.key)) throw new Error(`${where} key: "${d.key}" is used twice`);
      if (!TEMPLATE_RE.test(d.template ?? '')) throw new Error(`${where} template: must be 1-64 of [A-Za-z0-9_.-]`);
      const aliases = d.aliases ?? {};
      const resolve = (t: string) => aliases[t] ?? t;
      let start: Condition | null = null;
      let end: Condition | null = null;
      let changeTag: string | null = null;
      if (d.mode === 'expression') {
        start = new Condition(d.start ?? '', aliases, `${where} start`);
        if (d.end !== undefined && d.end.trim() !== '') end = new Condition(d.end, aliases, `${where} end`);
      } else if (d.mode === 'change') {
        if (!d.tag) throw new Error(`${where} tag: give the tag whose value change starts a new frame`);
        changeTag = resolve(d.tag);
      } else if (d.mode !== 'message') throw new Error(`${where} mode: must be expression, change or message`);
      if (d.minDurationMs !== undefined && !(d.minDurationMs >= 0)) throw new Error(`${where} minDurationMs: must not be negative`);
      const inputs = new Set<string>([...(start?.inputs ?? []), ...(end?.inputs ?? []), ...(changeTag ? [changeTag] : [])]);
      const attrTags: string[] = [];
      for (const a of d.attributes ?? []) {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(a.name ?? '')) throw new Error(`${where} attribute "${a.name}": name must be 1-64 of [A-Za-z0-9_.-]`);
        if (a.at !== 'start' && a.at !== 'end' && a.at !== 'before') throw new Error(`${where} attribute "${a.name}": at must be start, end or before`);
        if (!a.from) throw new Error(`${where} attribute "${a.name}": from must name a tag, an alias or msg.<field>`);
        if (a.at === 'before' && a.from.startsWith('msg.')) throw new Error(`${where} attribute "${a.name}": @before reads a tag's earlier value; a message field has none (use @start)`);
        if (!a.from.startsWith('msg.')) attrTags.push(resolve(a.from));
      }
      const st: DefState = {
        def: d, source: `${source}/${d.key}`, start, end, startSt: { since: null, last: null }, endSt: { since: null, last: null },
        changeTag, inputs, tags: d.tags?.length ? [...d.tags] : [...new Set([...inputs, ...attrTags])], open: null, children: [], parent: null,
      };
      this.states.push(st);
      this.byKey.set(d.key, st);
      // attribute tags are remembered too, so a capture at start reads their latest value
      for (const t of new Set([...inputs, ...attrTags])) {
        const list = this.byInput.get(t) ?? [];
        if (inputs.has(t)) list.push(st);
        this.byInput.set(t, list);
      }
    });
    for (const st of this.states) {
      if (!st.def.parent) continue;
      const p = this.byKey.get(st.def.parent);
      if (!p) throw new Error(`frame "${st.def.key}" parent: no frame definition "${st.def.parent}"`);
      for (let q: DefState | null = p; q; q = q.parent) if (q === st) throw new Error(`frame "${st.def.key}" parent: nesting forms a cycle`);
      st.parent = p;
      p.children.push(st);
    }
    // parents are evaluated before their children, so a child opening at the same instant finds its parent
    const depth = (st: DefState): number => (st.parent ? 1 + depth(st.parent) : 0);
    this.states.sort((a, b) => depth(a) - depth(b));
  }

  get definitions(): number { return this.states.length; }
  /** every tag the engine reads (triggers and attribute captures) */
  get inputs(): string[] { return [...this.byInput.keys()]; }
  get openCount(): number { return this.states.filter((s) => s.open).length; }
  openFrame(key: string): Frame | null { return this.byKey.get(key)?.open ?? null; }

  /** Picks up this engine's frames left open by a previous run (restart, crash). */
  resume(): Frame[] {
    const out: Frame[] = [];
    for (const st of this.states) {
      const open = this.store.openFrames(st.source).filter((f) => f.source === st.source);
      st.open = open.at(-1) ?? null;
      if (st.open) out.push(st.open);
    }
    return out;
  }

  /** Last values of tags (e.g. from the store at start-up) without evaluating anything. */
  seed(samples: readonly Sample[]): void {
    for (const s of samples) this.remember(s);
  }

  private remember(s: Sample): boolean {
    if (!this.byInput.has(s.tag)) return false;
    const prev = this.latest.get(s.tag);
    if (prev && prev.ts > s.ts) return false;
    if (prev && prev.ts < s.ts) this.earlier.set(s.tag, prev);
    this.latest.set(s.tag, { value: s.value, ts: s.ts, quality: s.quality });
    return true;
  }

  /** Applies samples in time order and evaluates the definitions they concern. */
  ingest(samples: readonly Sample[], msg?: Record<string, unknown>): FrameEvent[] {
    const events: FrameEvent[] = [];
    const sorted = samples.length > 1 ? [...samples].sort((a, b) => a.ts - b.ts) : samples;
    let i = 0;
    while (i < sorted.length) {
      // samples sharing a timestamp are applied together, then evaluated once
      const ts = sorted[i].ts;
      const touched = new Set<DefState>();
      const changes: Array<[DefState, Sample]> = [];
      for (; i < sorted.length && sorted[i].ts === ts; i++) {
        const s = sorted[i];
        const prev = this.latest.get(s.tag);
        if (!this.remember(s)) continue;
        for (const st of this.byInput.get(s.tag) ?? []) {
          if (st.changeTag === s.tag) { if (!prev || prev.value !== s.value || !st.open) changes.push([st, s]); }
          else touched.add(st);
        }
      }
      for (const [st, s] of changes) this.onChange(st, s, msg, events);
      for (const st of this.states) if (touched.has(st)) this.evaluate(st, ts, msg, events);
    }
    return events;
  }

  /** Held conditions that have become due by `now` (call about once a second). */
  tick(now: number): FrameEvent[] {
    const events: FrameEvent[] = [];
    for (const st of this.states) {
      if (!st.start) continue;
      if (!st.open) {
        const at = st.start.due(now, st.startSt);
        if (at !== null) this.open(st, at, undefined, events);
      } else if (st.end) {
        const at = st.end.due(now, st.endSt);
        if (at !== null) this.close(st, at, undefined, events);
      }
    }
    return events;
  }

  /** A message command opens or closes a frame of a definition (any mode). */
  command(cmd: FrameCommand, msg: Record<string, unknown> | undefined, now: number): FrameEvent[] {
    const events: FrameEvent[] = [];
    let st: DefState | undefined;
    if (cmd.key !== undefined) st = this.byKey.get(cmd.key);
    else {
      const m = this.states.filter((s) => s.def.mode === 'message');
      if (m.length === 1) st = m[0];
      else throw new FrameError('msg.frame.key', `name the frame definition (${this.states.map((s) => s.def.key).join(', ')})`);
    }
    if (!st) throw new FrameError('msg.frame.key', `no frame definition "${cmd.key}"`);
    if (cmd.action !== 'start' && cmd.action !== 'end') throw new FrameError('msg.frame.action', 'must be start or end');
    const at = cmd.time ?? now;
    if (!Number.isSafeInteger(at)) throw new FrameError('msg.frame.time', 'must be epoch milliseconds');
    if (cmd.action === 'start') {
      if (st.open) this.close(st, at, msg, events);
      this.open(st, at, msg, events, cmd.name, cmd.attributes);
    } else if (st.open) this.close(st, at, msg, events, cmd.attributes);
    return events;
  }

  private evaluate(st: DefState, ts: number, msg: Record<string, unknown> | undefined, events: FrameEvent[]): void {
    if (!st.start) return;
    this.ctx.now = ts;
    const startAt = st.start.step(this.ctx, st.startSt);
    const endAt = st.end ? st.end.step(this.ctx, st.endSt) : null;
    if (!st.open) {
      if (startAt !== null) this.open(st, startAt, msg, events);
      return;
    }
    if (st.end) {
      if (endAt !== null) this.close(st, endAt, msg, events);
    } else if (st.startSt.last === false) this.close(st, ts, msg, events);
  }

  private onChange(st: DefState, s: Sample, msg: Record<string, unknown> | undefined, events: FrameEvent[]): void {
    if (st.open && st.open.attributes.value === s.value) return; // the same batch, e.g. after a restart
    if (st.open) this.close(st, s.ts, msg, events);
    if (s.value !== 0) this.open(st, s.ts, msg, events, undefined, { value: s.value });
  }

  private capture(st: DefState, at: 'start' | 'end', msg: Record<string, unknown> | undefined, time: number): { attributes: Attributes; units: AttributeUnits } {
    const attributes: Attributes = {};
    const units: AttributeUnits = {};
    const aliases = st.def.aliases ?? {};
    for (const a of st.def.attributes ?? []) {
      if (a.at !== at && !(a.at === 'before' && at === 'start')) continue;
      const fromMsg = a.from.startsWith('msg.');
      const tag = aliases[a.from] ?? a.from;
      const v = fromMsg ? fieldOf(msg, a.from.slice(4)) : a.at === 'before' ? this.valueBefore(tag, time) : this.latest.get(tag)?.value;
      if (v === undefined) continue;
      attributes[a.name] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      const unit = fromMsg || typeof v !== 'number' ? undefined : this.unitOf(tag);
      if (unit) units[a.name] = unit;
    }
    return { attributes, units };
  }

  private valueBefore(tag: string, time: number): AttributeValue | undefined {
    const l = this.latest.get(tag);
    if (l && l.ts < time) return l.value;
    const e = this.earlier.get(tag);
    return e && e.ts < time ? e.value : undefined;
  }

  private nameOf(st: DefState, start: number, attributes: Attributes, given?: string): string {
    if (given && given.trim()) return given.trim().slice(0, 200);
    const pattern = st.def.name?.trim() || (st.def.mode === 'change' ? '{template} {value}' : '{template} {start}');
    const name = pattern.replace(/\{([A-Za-z0-9_.-]+)\}/g, (m, k: string) => {
      if (k === 'template') return st.def.template;
      if (k === 'start') return new Date(start).toISOString();
      const v = attributes[k];
      return v === undefined || v === null ? m : String(v);
    });
    return name.slice(0, 200) || st.def.template;
  }

  private open(st: DefState, at: number, msg: Record<string, unknown> | undefined, events: FrameEvent[], name?: string, extra?: Attributes): void {
    const captured = this.capture(st, 'start', msg, at);
    const attributes = { ...captured.attributes, ...(extra ?? {}) };
    const frame = this.store.add({
      template: st.def.template, name: this.nameOf(st, at, attributes, name), start: at, parent: st.parent?.open?.id ?? null,
      tags: st.tags, attributes, units: captured.units, source: st.source,
    });
    st.open = frame;
    st.endSt = { since: null, last: null };
    events.push({ type: 'open', key: st.def.key, frame });
  }

  private close(st: DefState, at: number, msg: Record<string, unknown> | undefined, events: FrameEvent[], extra?: Attributes, discardAll = false): void {
    const f = st.open;
    if (!f) return;
    const end = Math.max(at, f.start);
    const discard = discardAll || end - f.start < (st.def.minDurationMs ?? 0);
    // children end with their parent; a discarded parent takes its open children along
    for (const c of st.children) this.close(c, end, msg, events, undefined, discard);
    st.open = null;
    st.startSt = { since: null, last: st.startSt.last };
    if (discard) {
      this.store.discard(f.id);
      events.push({ type: 'discard', key: st.def.key, frame: f });
      return;
    }
    const captured = this.capture(st, 'end', msg, end);
    const closed = this.store.close(f.id, end, { attributes: { ...captured.attributes, ...(extra ?? {}) }, units: captured.units });
    events.push({ type: 'close', key: st.def.key, frame: closed });
  }
}
