// Trend annotations (a note at a time, optionally on one tag) in SQLite
// (<dataDir>/annotations.db, see FORMAT-annotations-db.md).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { configureSqlite, openSqlite } from '../platform';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';

export interface Annotation {
  id: string;
  ts: number;
  /** null: a note for the whole time (every trend shows it) */
  tag: string | null;
  text: string;
  author: string;
  authorName: string;
  createdAt: number;
}

export interface NewAnnotation { ts: number; tag?: string | null; text: string }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS annotation (
  id TEXT PRIMARY KEY,
  ts INTEGER NOT NULL,
  tag TEXT,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  author_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS annotation_ts ON annotation (ts);
`;

interface Row { id: string; ts: number; tag: string | null; text: string; author: string; author_name: string; created_at: number }

const toAnnotation = (r: Row): Annotation => ({
  id: r.id, ts: r.ts, tag: r.tag, text: r.text, author: r.author, authorName: r.author_name, createdAt: r.created_at,
});

export class AnnotationStore {
  private readonly inRange: StatementSync;
  private readonly insert: StatementSync;

  static open(path: string): AnnotationStore {
    return new AnnotationStore(openSqlite(path));
  }

  /** `<dataDir>/annotations.db` */
  static openIn(dataDir: string): AnnotationStore {
    return AnnotationStore.open(join(dataDir, 'annotations.db'));
  }

  constructor(private readonly db: DatabaseSync, private readonly clock: () => number = Date.now) {
    configureSqlite(db);
    db.exec(SCHEMA);
    this.inRange = db.prepare('SELECT * FROM annotation WHERE ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?');
    this.insert = db.prepare('INSERT INTO annotation (id, ts, tag, text, author, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Notes in [from, to) on any of `tags` or on no tag; all notes when `tags` is undefined. */
  list(from: number, to: number, tags?: readonly string[], limit = 10_000): Annotation[] {
    const rows = (this.inRange.all(from, to, limit) as unknown as Row[]).map(toAnnotation);
    if (!tags) return rows;
    const want = new Set(tags);
    return rows.filter((a) => a.tag === null || want.has(a.tag));
  }

  add(a: NewAnnotation, author: { username: string; name: string }): Annotation {
    const row: Row = { id: uuidv7(), ts: a.ts, tag: a.tag ?? null, text: a.text, author: author.username, author_name: author.name, created_at: this.clock() };
    this.insert.run(row.id, row.ts, row.tag, row.text, row.author, row.author_name, row.created_at);
    return toAnnotation(row);
  }

  /** One note, or null. */
  get(id: string): Annotation | null {
    const r = this.db.prepare('SELECT * FROM annotation WHERE id = ?').get(id) as Row | undefined;
    return r ? toAnnotation(r) : null;
  }

  /** Removes a note; only its author may. Returns false when there is no such note. */
  remove(id: string, username: string): 'removed' | 'missing' | 'not-author' {
    const r = this.db.prepare('SELECT author FROM annotation WHERE id = ?').get(id) as { author: string } | undefined;
    if (!r) return 'missing';
    if (r.author !== username) return 'not-author';
    this.db.prepare('DELETE FROM annotation WHERE id = ?').run(id);
    return 'removed';
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
