// SQLite persistence of alarm states and the append-only alarm journal (FORMAT-store.md).
// One writer (the service) in one process; WAL mode so readers (API, KPIs) never block it.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { configureSqlite, openSqlite } from '../platform';
import { compilePattern } from '../model';
import type { AlarmRecord, OutOfServiceInfo, ShelveInfo } from './record';
import type { AlarmEvent, AlarmState } from './states';
import type { JournalEntry } from './transition';
import type { Priority } from './definition';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarm (
  id TEXT PRIMARY KEY,
  grp TEXT NOT NULL,
  definition TEXT NOT NULL,
  state TEXT NOT NULL,
  since INTEGER NOT NULL,
  active INTEGER NOT NULL,
  active_since INTEGER,
  raw INTEGER NOT NULL,
  raw_since INTEGER NOT NULL,
  suppressed_condition INTEGER NOT NULL,
  suppressed_manual INTEGER NOT NULL,
  shelve TEXT,
  out_of_service TEXT,
  last_value REAL,
  last_ts INTEGER
);
CREATE INDEX IF NOT EXISTS alarm_grp ON alarm (grp);
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  alarm_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  event TEXT NOT NULL,
  value REAL,
  limit_value REAL,
  user TEXT,
  comment TEXT,
  priority TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS journal_ts ON journal (ts);
CREATE INDEX IF NOT EXISTS journal_alarm ON journal (alarm_id, seq);
`;

/** A persisted alarm state row. */
export interface StoredAlarm {
  id: string;
  group: string;
  definition: string;
  state: AlarmState;
  since: number;
  active: boolean;
  activeSince: number | null;
  raw: boolean;
  rawSince: number;
  suppressedByCondition: boolean;
  suppressedManually: boolean;
  shelve: ShelveInfo | null;
  outOfService: OutOfServiceInfo | null;
  lastValue: number | null;
  lastTs: number | null;
}

export interface JournalFilter {
  alarmId?: string;
  /** tag pattern with NATS wildcards */
  tag?: string;
  /** inclusive lower bound on ts */
  from?: number;
  /** exclusive upper bound on ts */
  to?: number;
  event?: AlarmEvent | AlarmEvent[];
  user?: string;
  /** the priority recorded with the entry (the alarm's at the time) */
  priority?: Priority | Priority[];
}

export interface JournalPage {
  /** 1..1000, default 100 */
  limit?: number;
  /** exclusive seq bound: entries after it (asc) or before it (desc) */
  cursor?: number;
  /** default 'desc' (newest first) */
  order?: 'asc' | 'desc';
}

export interface JournalResult {
  entries: JournalEntry[];
  /** cursor for the next page, null when this was the last */
  next: number | null;
}

/** State of one alarm at a point in time, reconstructed from the journal. */
export interface JournalSnapshot {
  alarmId: string;
  tag: string;
  state: AlarmState;
  priority: Priority;
  /** start of the current uninterrupted stay in B/C, null when not in B/C */
  activeSince: number | null;
}

type Row = Record<string, unknown>;

const b = (v: boolean) => (v ? 1 : 0);
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function entryOf(r: Row): JournalEntry {
  return {
    seq: Number(r.seq), ts: Number(r.ts), alarmId: r.alarm_id as string, tag: r.tag as string,
    from: r.from_state as AlarmState, to: r.to_state as AlarmState, event: r.event as AlarmEvent,
    value: num(r.value), limit: num(r.limit_value), user: (r.user as string | null) ?? null,
    comment: (r.comment as string | null) ?? null, priority: r.priority as Priority,
    detail: parse<Record<string, unknown>>(r.detail),
  };
}

function storedOf(r: Row): StoredAlarm {
  return {
    id: r.id as string, group: r.grp as string, definition: r.definition as string,
    state: r.state as AlarmState, since: Number(r.since), active: r.active === 1,
    activeSince: num(r.active_since), raw: r.raw === 1, rawSince: Number(r.raw_since),
    suppressedByCondition: r.suppressed_condition === 1, suppressedManually: r.suppressed_manual === 1,
    shelve: parse<ShelveInfo>(r.shelve), outOfService: parse<OutOfServiceInfo>(r.out_of_service),
    lastValue: num(r.last_value), lastTs: num(r.last_ts),
  };
}

// Tag segments never contain GLOB metacharacters, so a NATS pattern becomes a GLOB that
// matches a superset (`*` in GLOB also spans dots); the exact check runs afterwards.
function globOf(pattern: string): string {
  return pattern.split('.').map((s) => (s === '*' || s === '>' ? '*' : s)).join('.');
}

export class AlarmStore {
  private depth = 0;
  private readonly upsert: StatementSync;
  private readonly insertJournal: StatementSync;
  private readonly selectOne: StatementSync;
  private readonly selectGroup: StatementSync;
  private readonly deleteOne: StatementSync;

  /** Opens (creating if needed) the alarm database at `path` (':memory:' for tests). */
  static open(path: string): AlarmStore {
    return new AlarmStore(openSqlite(path));
  }

  constructor(readonly db: DatabaseSync) {
    configureSqlite(db);
    db.exec(SCHEMA);
    const v = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as Row | undefined;
    if (v === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    else if (Number(v.value) !== SCHEMA_VERSION) {
      throw new Error(`alarm database schema_version ${String(v.value)} is not supported (expected ${SCHEMA_VERSION})`);
    }
    this.upsert = db.prepare(`INSERT INTO alarm (id, grp, definition, state, since, active, active_since, raw, raw_since,
      suppressed_condition, suppressed_manual, shelve, out_of_service, last_value, last_ts)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, definition = excluded.definition, state = excluded.state,
      since = excluded.since, active = excluded.active, active_since = excluded.active_since, raw = excluded.raw,
      raw_since = excluded.raw_since, suppressed_condition = excluded.suppressed_condition,
      suppressed_manual = excluded.suppressed_manual, shelve = excluded.shelve, out_of_service = excluded.out_of_service,
      last_value = excluded.last_value, last_ts = excluded.last_ts`);
    this.insertJournal = db.prepare(`INSERT INTO journal (ts, alarm_id, tag, from_state, to_state, event, value,
      limit_value, user, comment, priority, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectOne = db.prepare('SELECT * FROM alarm WHERE id = ?');
    this.selectGroup = db.prepare('SELECT * FROM alarm WHERE grp = ? ORDER BY id');
    this.deleteOne = db.prepare('DELETE FROM alarm WHERE id = ?');
  }

  /** Runs `fn` in one transaction (nested calls join the outer one); rolls back on throw. */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
      }
    }
    this.db.exec('BEGIN IMMEDIATE');
    this.depth = 1;
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.depth = 0;
    }
  }

  load(id: string): StoredAlarm | undefined {
    const r = this.selectOne.get(id) as Row | undefined;
    return r && storedOf(r);
  }

  loadGroup(group: string): StoredAlarm[] {
    return (this.selectGroup.all(group) as Row[]).map(storedOf);
  }

  save(r: AlarmRecord, definitionJson: string): void {
    this.upsert.run(
      r.def.id, r.group, definitionJson, r.state, r.since, b(r.active), r.activeSince, b(r.track.raw), r.rawSince,
      b(r.suppressedByCondition), b(r.suppressedManually), json(r.shelve), json(r.outOfService), r.lastValue, r.lastTs,
    );
  }

  delete(id: string): void {
    this.deleteOne.run(id);
  }

  /** Appends one journal row and returns its sequence number. */
  append(e: Omit<JournalEntry, 'seq'>): number {
    const res = this.insertJournal.run(
      e.ts, e.alarmId, e.tag, e.from, e.to, e.event, e.value, e.limit, e.user, e.comment, e.priority, json(e.detail),
    );
    return Number(res.lastInsertRowid);
  }

  /** Journal entries matching `filter`, one page at a time. */
  journal(filter: JournalFilter = {}, page: JournalPage = {}): JournalResult {
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('limit: must be an integer 1..1000');
    const order = page.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new Error('order: must be "asc" or "desc"');
    let tagMatch: ((t: string) => boolean) | null = null;
    if (filter.tag !== undefined) {
      try {
        tagMatch = compilePattern(filter.tag);
      } catch (e) {
        throw new Error(`tag: ${(e as Error).message}`);
      }
    }
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.alarmId !== undefined) { where.push('alarm_id = ?'); args.push(filter.alarmId); }
    if (filter.tag !== undefined) { where.push('tag GLOB ?'); args.push(globOf(filter.tag)); }
    if (filter.from !== undefined) { where.push('ts >= ?'); args.push(filter.from); }
    if (filter.to !== undefined) { where.push('ts < ?'); args.push(filter.to); }
    if (filter.user !== undefined) { where.push('user = ?'); args.push(filter.user); }
    if (filter.event !== undefined) {
      const evs = Array.isArray(filter.event) ? filter.event : [filter.event];
      where.push(`event IN (${evs.map(() => '?').join(',')})`);
      args.push(...evs);
    }
    if (filter.priority !== undefined) {
      const ps = Array.isArray(filter.priority) ? filter.priority : [filter.priority];
      where.push(`priority IN (${ps.map(() => '?').join(',')})`);
      args.push(...ps);
    }
    const matched: JournalEntry[] = [];
    let cursor = page.cursor;
    // Read one row past the page to know whether another page exists; loop because the
    // tag pattern is only exact after the check in JS.
    const chunk = limit + 1;
    for (;;) {
      const w = [...where];
      const a = [...args];
      if (cursor !== undefined) { w.push(order === 'asc' ? 'seq > ?' : 'seq < ?'); a.push(cursor); }
      const sql = `SELECT * FROM journal ${w.length ? 'WHERE ' + w.join(' AND ') : ''} ORDER BY seq ${order} LIMIT ${chunk}`;
      const rows = this.db.prepare(sql).all(...a) as Row[];
      for (const r of rows) {
        cursor = Number(r.seq);
        if (tagMatch && !tagMatch(r.tag as string)) continue;
        matched.push(entryOf(r));
        if (matched.length > limit) break;
      }
      if (matched.length > limit || rows.length < chunk) break;
    }
    const entries = matched.slice(0, limit);
    return { entries, next: matched.length > limit ? entries[entries.length - 1].seq : null };
  }

  /** Every journal entry with from ≤ ts < to, in journal order. */
  entriesBetween(from: number, to: number): JournalEntry[] {
    return (this.db.prepare('SELECT * FROM journal WHERE ts >= ? AND ts < ? ORDER BY seq').all(from, to) as Row[]).map(entryOf);
  }

  /** Each journaled alarm's state just before `at`, from its last journal entry. */
  snapshotAt(at: number): JournalSnapshot[] {
    const rows = this.db.prepare(`SELECT j.* FROM journal j JOIN
      (SELECT alarm_id, MAX(seq) AS seq FROM journal WHERE ts < ? GROUP BY alarm_id) m ON j.seq = m.seq
      ORDER BY j.alarm_id`).all(at) as Row[];
    const streak = this.db.prepare(`SELECT MIN(ts) AS since FROM journal WHERE alarm_id = ? AND ts < ? AND seq > COALESCE(
      (SELECT MAX(seq) FROM journal WHERE alarm_id = ? AND ts < ? AND to_state NOT IN ('B', 'C')), 0)`);
    return rows.map((r) => {
      const state = r.to_state as AlarmState;
      let activeSince: number | null = null;
      if (state === 'B' || state === 'C') {
        const s = streak.get(r.alarm_id as string, at, r.alarm_id as string, at) as Row;
        activeSince = num(s.since);
      }
      return { alarmId: r.alarm_id as string, tag: r.tag as string, state, priority: r.priority as Priority, activeSince };
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
