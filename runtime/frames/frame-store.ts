// Event frames in SQLite (<dataDir>/frames.db, see FORMAT-frames-db.md). Every change is
// one transaction with synchronous=FULL: a frame acknowledged as open is on disk, so open
// frames survive a kill -9 and are closed when their end condition arrives after it.
//
// Time search: frames overlapping [from, to) are those with start < to and end > from (or
// still open). An index on start alone would have to scan every older frame for long ones,
// so the store remembers the longest closed frame and the oldest open start: no frame
// starting before min(from - longest, oldest open start) can overlap, which bounds the scan.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { transaction } from '../platform';
import {
  attributeText, checkAttributes, checkUnits, FrameError, MAX_FRAME_TAGS, MAX_NAME, TEMPLATE_RE,
  type Attributes, type AttributeUnits, type Frame, type FrameQuery, type NewFrame,
} from './frame';
import { tagError } from '../model';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS frame (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  template TEXT NOT NULL,
  name TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER,
  parent TEXT,
  source TEXT NOT NULL,
  tags TEXT NOT NULL,
  attributes TEXT NOT NULL,
  units TEXT NOT NULL DEFAULT '{}',
  closed_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS frame_start ON frame (start);
CREATE INDEX IF NOT EXISTS frame_template ON frame (template, start);
CREATE INDEX IF NOT EXISTS frame_parent ON frame (parent) WHERE parent IS NOT NULL;
CREATE INDEX IF NOT EXISTS frame_open ON frame (source, start) WHERE "end" IS NULL;
CREATE INDEX IF NOT EXISTS frame_open_start ON frame (start) WHERE "end" IS NULL;
CREATE TABLE IF NOT EXISTS frame_attr (
  seq INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  start INTEGER NOT NULL,
  PRIMARY KEY (seq, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS frame_attr_value ON frame_attr (key, value, start);
CREATE VIRTUAL TABLE IF NOT EXISTS frame_text USING fts5(body);
CREATE TABLE IF NOT EXISTS frame_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO frame_meta (key, value) VALUES ('format', '1');
`;

/** What frame_text holds (FORMAT-frames-db.md); a store indexed otherwise is indexed again at open. */
const TEXT_INDEX = '2';

/**
 * The searchable text of a frame: its name, template and attributes, where a measured value
 * (a number with decimals: `tempAfter=29.1`) gives only its name. Its digits would otherwise
 * be words of their own, so "Line 1 pump 1" also found "Line 2 pump 3" by the "1" of 29.1;
 * such values are found by the attribute filter. Whole numbers (batch 4711) stay words.
 */
function frameText(f: { name: string; template: string; attributes: Attributes }): string {
  const attrs = Object.entries(f.attributes).map(([k, v]) => (typeof v === 'number' && !Number.isInteger(v) ? k : `${k} ${attributeText(v)}`));
  return [f.name, f.template, ...attrs].join(' ');
}

interface Row {
  seq: number; id: string; template: string; name: string; start: number; end: number | null; parent: string | null;
  source: string; tags: string; attributes: string; units: string; closed_by: string | null; created_at: number; updated_at: number;
}

const toFrame = (r: Row): Frame => ({
  id: r.id, template: r.template, name: r.name, start: r.start, end: r.end, parent: r.parent,
  tags: JSON.parse(r.tags) as string[], attributes: JSON.parse(r.attributes) as Attributes,
  units: JSON.parse(r.units) as AttributeUnits, source: r.source,
  closedBy: r.closed_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

export const MAX_QUERY_LIMIT = 10_000;
/** Above this many text matches a search walks the time index instead of sorting every match. */
const TEXT_DRIVE_LIMIT = 1000;
const SEARCH_WORD = /[\p{L}\p{N}_]+\*?/gu;

/** Several words of a search, none a prefix, as one FTS5 phrase (the words in this order); null otherwise. */
export function ftsPhrase(text: string): string | null {
  const words = (text.match(SEARCH_WORD) ?? []).slice(0, 16);
  return words.length < 2 || words.some((w) => w.endsWith('*')) ? null : `"${words.join(' ')}"`;
}

/** Words of a search as an FTS5 query: each word quoted (no operators reach FTS5), `*` keeps a prefix search. */
export function ftsQuery(text: string): string | null {
  const words = text.match(SEARCH_WORD) ?? [];
  if (words.length === 0) return null;
  return words.slice(0, 16).map((w) => (w.endsWith('*') ? `"${w.slice(0, -1)}"*` : `"${w}"`)).join(' ');
}

export class FrameStore {
  private readonly byId: StatementSync;
  private readonly insertFrame: StatementSync;
  private readonly insertAttr: StatementSync;
  private readonly deleteAttrs: StatementSync;
  private readonly insertText: StatementSync;
  private readonly deleteText: StatementSync;
  private readonly oldestOpen: StatementSync;
  private longestClosed: number;
  private readonly statements = new Map<string, StatementSync>();
  private readonly listeners = new Set<(f: Frame, change: 'open' | 'close' | 'update' | 'discard') => void>();

  static open(path: string, clock?: () => number): FrameStore {
    return new FrameStore(new DatabaseSync(path), clock);
  }

  /** `<dataDir>/frames.db` */
  static openIn(dataDir: string, clock?: () => number): FrameStore {
    return FrameStore.open(join(dataDir, 'frames.db'), clock);
  }

  constructor(private readonly db: DatabaseSync, private readonly clock: () => number = Date.now) {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    // stores from before attribute units get the column; their frames have none
    if (!(db.prepare('PRAGMA table_info(frame)').all() as Array<{ name: string }>).some((c) => c.name === 'units')) {
      db.exec(`ALTER TABLE frame ADD COLUMN units TEXT NOT NULL DEFAULT '{}'`);
    }
    this.byId = db.prepare('SELECT * FROM frame WHERE id = ?');
    this.insertFrame = db.prepare(`INSERT INTO frame (id, template, name, start, "end", parent, source, tags, attributes, units, closed_by, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`);
    this.insertAttr = db.prepare('INSERT INTO frame_attr (seq, key, value, start) VALUES (?, ?, ?, ?)');
    this.deleteAttrs = db.prepare('DELETE FROM frame_attr WHERE seq = ?');
    this.insertText = db.prepare('INSERT INTO frame_text (rowid, body) VALUES (?, ?)');
    this.deleteText = db.prepare('DELETE FROM frame_text WHERE rowid = ?');
    // reads the first entry of the partial index of open frames, whatever the number of closed ones
    this.oldestOpen = db.prepare('SELECT start AS s FROM frame INDEXED BY frame_open_start WHERE "end" IS NULL ORDER BY start LIMIT 1');
    const m = db.prepare('SELECT MAX("end" - start) AS d FROM frame WHERE "end" IS NOT NULL').get() as { d: number | null };
    this.longestClosed = m.d ?? 0;
    this.reindexTextIfOld();
  }

  private reindexTextIfOld(): void {
    const v = this.db.prepare("SELECT value FROM frame_meta WHERE key = 'text_index'").get() as { value: string } | undefined;
    if (v?.value === TEXT_INDEX) return;
    transaction(this.db, () => {
      this.db.exec('DELETE FROM frame_text');
      for (const r of this.db.prepare('SELECT seq, name, template, attributes FROM frame').iterate() as Iterable<{ seq: number; name: string; template: string; attributes: string }>) {
        this.insertText.run(r.seq, frameText({ name: r.name, template: r.template, attributes: JSON.parse(r.attributes) as Attributes }));
      }
      this.db.prepare("INSERT INTO frame_meta (key, value) VALUES ('text_index', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(TEXT_INDEX);
    });
  }

  /** Called after every committed change (the live bus and the dashboard listen). */
  onChange(fn: (f: Frame, change: 'open' | 'close' | 'update' | 'discard') => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(f: Frame, change: 'open' | 'close' | 'update' | 'discard'): void {
    for (const l of this.listeners) {
      try { l(f, change); } catch { /* a listener never undoes a committed change */ }
    }
  }

  private indexText(seq: number, f: { name: string; template: string; attributes: Attributes }): void {
    this.deleteText.run(seq);
    this.insertText.run(seq, frameText(f));
  }

  private indexAttrs(seq: number, start: number, a: Attributes): void {
    this.deleteAttrs.run(seq);
    for (const [k, v] of Object.entries(a)) this.insertAttr.run(seq, k, attributeText(v), start);
  }

  /** Stores a frame (open when `end` is absent); returns it with its id. */
  add(n: NewFrame): Frame {
    const c = this.checked(n);
    if (c.parent !== null && !this.get(c.parent)) throw new FrameError('parent', `no frame "${c.parent}"`);
    const id = transaction(this.db, () => this.insert(c));
    const f = this.get(id)!;
    this.emit(f, c.end === null ? 'open' : 'close');
    return f;
  }

  /**
   * Closed frames recorded elsewhere (a replay of history), in one transaction: parents come
   * before their children and name them by `key`. A frame whose source already has a frame
   * starting at the same time is not added again; its key then stands for that frame.
   */
  addClosed(items: ReadonlyArray<{ key: string; parentKey: string | null; frame: NewFrame & { end: number } }>): { added: number; existing: number } {
    const checked = items.map((it) => ({ ...it, c: this.checked(it.frame) }));
    const ids = new Map<string, string>();
    const fresh: string[] = [];
    let existing = 0;
    transaction(this.db, () => {
      for (const { key, parentKey, c } of checked) {
        const parent = parentKey === null ? null : ids.get(parentKey);
        if (parent === undefined) throw new FrameError('parent', `frame "${key}" comes before its parent "${parentKey}"`);
        const there = this.findBySourceStart(c.source, c.start);
        if (there) { ids.set(key, there.id); existing++; continue; }
        const id = this.insert({ ...c, parent });
        ids.set(key, id);
        fresh.push(id);
      }
    });
    for (const id of fresh) this.emit(this.get(id)!, 'close');
    return { added: fresh.length, existing };
  }

  /** A new frame's fields, checked and normalized (the same rules for every way in). */
  private checked(n: NewFrame): { template: string; name: string; start: number; end: number | null; parent: string | null; tags: string[]; attributes: Attributes; units: AttributeUnits; source: string } {
    if (typeof n.template !== 'string' || !TEMPLATE_RE.test(n.template)) throw new FrameError('template', 'must be 1-64 of [A-Za-z0-9_.-]');
    if (typeof n.name !== 'string' || n.name.trim() === '' || n.name.length > MAX_NAME) throw new FrameError('name', `must be 1-${MAX_NAME} characters`);
    if (!Number.isSafeInteger(n.start)) throw new FrameError('start', 'must be epoch milliseconds');
    const end = n.end ?? null;
    if (end !== null && (!Number.isSafeInteger(end) || end < n.start)) throw new FrameError('end', 'must be epoch milliseconds not before start');
    const tags = [...new Set(n.tags ?? [])];
    if (tags.length > MAX_FRAME_TAGS) throw new FrameError('tags', `at most ${MAX_FRAME_TAGS} tags`);
    for (const t of tags) { const e = tagError(t); if (e) throw new FrameError('tags', e); }
    const attributes = checkAttributes(n.attributes);
    const units = checkUnits(n.units, attributes);
    return { template: n.template, name: n.name.trim(), start: n.start, end, parent: n.parent ?? null, tags, attributes, units, source: n.source ?? 'api' };
  }

  /** Inserts a checked frame (inside the caller's transaction); returns its id. */
  private insert(c: ReturnType<FrameStore['checked']>): string {
    const now = this.clock();
    const id = uuidv7();
    const r = this.insertFrame.run(id, c.template, c.name, c.start, c.end, c.parent, c.source, JSON.stringify(c.tags), JSON.stringify(c.attributes), JSON.stringify(c.units), now, now);
    const seq = Number(r.lastInsertRowid);
    this.indexAttrs(seq, c.start, c.attributes);
    this.indexText(seq, { name: c.name, template: c.template, attributes: c.attributes });
    if (c.end !== null) this.longestClosed = Math.max(this.longestClosed, c.end - c.start);
    return id;
  }

  get(id: string): Frame | null {
    const r = this.byId.get(id) as Row | undefined;
    return r ? toFrame(r) : null;
  }

  private row(id: string): Row {
    const r = this.byId.get(id) as Row | undefined;
    if (!r) throw new FrameError('id', `no frame "${id}"`, 'not_found');
    return r;
  }

  /** The frame a source (`<node id>/<definition>`) started at `start`, if stored (a replay's duplicate check). */
  findBySourceStart(source: string, start: number): Frame | null {
    const r = this.statement('SELECT * FROM frame WHERE start = ? AND source = ? ORDER BY seq LIMIT 1').get(start, source) as Row | undefined;
    return r ? toFrame(r) : null;
  }

  /** Closes an open frame at `end`, optionally merging end attributes (and their units). */
  close(id: string, end: number, opts: { closedBy?: string | null; attributes?: Attributes; units?: AttributeUnits } = {}): Frame {
    const r = this.row(id);
    if (r.end !== null) throw new FrameError('id', `frame "${id}" is already closed`, 'conflict');
    if (!Number.isSafeInteger(end) || end < r.start) throw new FrameError('end', 'must be epoch milliseconds not before the frame start');
    const attributes = { ...(JSON.parse(r.attributes) as Attributes), ...checkAttributes(opts.attributes) };
    const units = { ...(JSON.parse(r.units) as AttributeUnits), ...checkUnits(opts.units, attributes) };
    transaction(this.db, () => {
      this.db.prepare('UPDATE frame SET "end" = ?, closed_by = ?, attributes = ?, units = ?, updated_at = ? WHERE seq = ?')
        .run(end, opts.closedBy ?? null, JSON.stringify(attributes), JSON.stringify(units), this.clock(), r.seq);
      if (opts.attributes && Object.keys(opts.attributes).length) {
        this.indexAttrs(r.seq, r.start, attributes);
        this.indexText(r.seq, { name: r.name, template: r.template, attributes });
      }
    });
    this.longestClosed = Math.max(this.longestClosed, end - r.start);
    const f = this.get(id)!;
    this.emit(f, 'close');
    return f;
  }

  /** Sets (value) or removes (null... use `remove`) attributes; returns the frame before and after. */
  updateAttributes(id: string, set: Attributes, remove: readonly string[] = []): { before: Frame; after: Frame } {
    const r = this.row(id);
    const before = toFrame(r);
    const attributes: Attributes = { ...before.attributes, ...checkAttributes(set) };
    // a value set by hand keeps the unit it was captured in; a removed attribute takes its unit along
    const units: AttributeUnits = { ...before.units };
    for (const k of remove) { delete attributes[k]; delete units[k]; }
    checkAttributes(attributes);
    transaction(this.db, () => {
      this.db.prepare('UPDATE frame SET attributes = ?, units = ?, updated_at = ? WHERE seq = ?').run(JSON.stringify(attributes), JSON.stringify(units), this.clock(), r.seq);
      this.indexAttrs(r.seq, r.start, attributes);
      this.indexText(r.seq, { name: r.name, template: r.template, attributes });
    });
    const after = this.get(id)!;
    this.emit(after, 'update');
    return { before, after };
  }

  /**
   * Removes an open frame that turned out shorter than its definition's minimum duration
   * (chatter): such a frame never became a record. Closed frames are never removed.
   */
  discard(id: string): void {
    const r = this.row(id);
    if (r.end !== null) throw new FrameError('id', `frame "${id}" is closed; closed frames are records and are never removed`, 'conflict');
    transaction(this.db, () => {
      this.deleteAttrs.run(r.seq);
      this.deleteText.run(r.seq);
      this.db.prepare('DELETE FROM frame WHERE seq = ?').run(r.seq);
    });
    this.emit(toFrame(r), 'discard');
  }

  /** Open frames whose source starts with `sourcePrefix` (a node resumes its own after a restart). */
  openFrames(sourcePrefix = ''): Frame[] {
    const rows = this.db.prepare(`SELECT * FROM frame WHERE "end" IS NULL AND source >= ? AND source < ? ORDER BY start, seq`)
      .all(sourcePrefix, sourcePrefix + '\uffff') as unknown as Row[];
    return rows.map(toFrame);
  }

  children(id: string): Frame[] {
    return (this.db.prepare('SELECT * FROM frame WHERE parent = ? ORDER BY start, seq').all(id) as unknown as Row[]).map(toFrame);
  }

  /**
   * Frames matching every given criterion, newest start first unless order is 'asc'. Text
   * of several words matches them as a phrase first ("Line 1 pump 1" finds that pump's
   * frames, not "Line 1 pump 2"); where no frame has them in that order, frames with every
   * word anywhere.
   */
  query(q: FrameQuery = {}): Frame[] {
    if (q.text === undefined) return this.select(q, null);
    const words = ftsQuery(q.text);
    if (words === null) throw new FrameError('text', 'give at least one word to search for');
    const phrase = ftsPhrase(q.text);
    if (phrase !== null) {
      const found = this.select(q, phrase);
      if (found.length) return found;
    }
    return this.select(q, words);
  }

  private select(q: FrameQuery, match: string | null): Frame[] {
    const limit = Math.min(q.limit ?? 100, MAX_QUERY_LIMIT);
    if (!Number.isInteger(limit) || limit < 1) throw new FrameError('limit', `must be an integer 1-${MAX_QUERY_LIMIT}`);
    const where: string[] = [];
    const args: Array<string | number> = [];
    const attrs = Object.entries(q.attributes ?? {});
    let from = 'frame f';
    // the first attribute drives the search through its (key, value, start) index
    const startCol = attrs.length ? 'a0.start' : 'f.start';
    if (attrs.length) {
      from = 'frame_attr a0 JOIN frame f ON f.seq = a0.seq';
      where.push('a0.key = ?', 'a0.value = ?');
      args.push(attrs[0][0], attrs[0][1]);
      for (const [k, v] of attrs.slice(1)) {
        where.push('EXISTS (SELECT 1 FROM frame_attr a WHERE a.seq = f.seq AND a.key = ? AND a.value = ?)');
        args.push(k, v);
      }
    }
    if (q.to !== undefined) { where.push(`${startCol} < ?`); args.push(q.to); }
    if (q.from !== undefined) {
      const oldest = (this.oldestOpen.get() as { s: number } | undefined)?.s;
      const lo = Math.min(q.from - this.longestClosed, oldest ?? Infinity);
      where.push(`${startCol} >= ?`, '(f."end" IS NULL OR f."end" > ?)');
      args.push(lo, q.from);
    }
    if (q.template !== undefined) { where.push('f.template = ?'); args.push(q.template); }
    if (q.parent !== undefined) { where.push('f.parent = ?'); args.push(q.parent); }
    if (q.open !== undefined) where.push(q.open ? 'f."end" IS NULL' : 'f."end" IS NOT NULL');
    if (match !== null) {
      // few matches: start from them and sort; many: walk the time index and stop at the
      // limit, testing each frame against the (materialised) matches ('+' keeps SQLite from
      // driving the search by them)
      const matches = (this.statement('SELECT count(*) AS n FROM frame_text WHERE frame_text MATCH ?').get(match) as { n: number }).n;
      where.push(`${matches > TEXT_DRIVE_LIMIT ? '+' : ''}f.seq IN (SELECT rowid FROM frame_text WHERE frame_text MATCH ?)`);
      args.push(match);
    }
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    // ordered by the driving index's own columns, so SQLite stops after `limit` rows instead of sorting
    const seqCol = attrs.length ? 'a0.seq' : 'f.seq';
    const sql = `SELECT f.* FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${startCol} ${dir}, ${seqCol} ${dir} LIMIT ?`;
    args.push(limit);
    return (this.statement(sql).all(...args) as unknown as Row[]).map(toFrame);
  }

  /** Prepared statements by SQL text: a query shape is prepared once. */
  private statement(sql: string): StatementSync {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size > 256) this.statements.clear();
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Many frames in one transaction (imports, benchmarks); the same checks as add(). */
  addMany(frames: readonly NewFrame[]): number {
    let n = 0;
    transaction(this.db, () => {
      const now = this.clock();
      for (const f of frames) {
        const attributes = checkAttributes(f.attributes);
        const units = checkUnits(f.units, attributes);
        if (!TEMPLATE_RE.test(f.template)) throw new FrameError('template', 'must be 1-64 of [A-Za-z0-9_.-]');
        const end = f.end ?? null;
        if (end !== null && end < f.start) throw new FrameError('end', 'must not be before start');
        const r = this.insertFrame.run(uuidv7(), f.template, f.name, f.start, end, f.parent ?? null, f.source ?? 'api', JSON.stringify([...(f.tags ?? [])]), JSON.stringify(attributes), JSON.stringify(units), now, now);
        const seq = Number(r.lastInsertRowid);
        this.indexAttrs(seq, f.start, attributes);
        this.indexText(seq, { name: f.name, template: f.template, attributes });
        if (end !== null) this.longestClosed = Math.max(this.longestClosed, end - f.start);
        n++;
      }
    });
    return n;
  }

  /** Closes the database (not a frame). */
  shutdown(): void {
    if (this.db.isOpen) this.db.close();
  }

  get isOpen(): boolean { return this.db.isOpen; }
}
