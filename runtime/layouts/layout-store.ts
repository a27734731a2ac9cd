// Dashboard layouts in SQLite (<dataDir>/layouts.db, see FORMAT-layouts-db.md): personal
// layouts per user and shared ones. Who may see or change which layout is decided here,
// from the caller's user name and permissions, so every route applies the same rule.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { configureSqlite, openSqlite } from '../platform';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { LayoutDoc, Widget } from './layout-schema';

export interface Layout {
  id: string;
  name: string;
  owner: string;
  shared: boolean;
  widgets: Widget[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface LayoutCaller {
  username: string;
  /** has layouts.write (personal layouts) */
  mayWrite: boolean;
  /** has layouts.shared.write */
  mayWriteShared: boolean;
}

export class LayoutError extends Error {
  constructor(readonly status: 403 | 404 | 409, readonly field: string, message: string) { super(`${field}: ${message}`); }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS layout (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  shared INTEGER NOT NULL,
  widgets TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS layout_owner ON layout (owner);
CREATE INDEX IF NOT EXISTS layout_shared ON layout (shared);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
const SCHEMA_VERSION = 1;

interface Row { id: string; owner: string; name: string; shared: number; widgets: string; version: number; created_at: number; updated_at: number }

function toLayout(r: Row): Layout {
  return {
    id: r.id, name: r.name, owner: r.owner, shared: r.shared === 1, widgets: JSON.parse(r.widgets) as Widget[],
    version: r.version, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export class LayoutStore {
  private readonly byId: StatementSync;
  private readonly visible: StatementSync;

  static open(path: string): LayoutStore {
    return new LayoutStore(openSqlite(path));
  }

  /** `<dataDir>/layouts.db` */
  static openIn(dataDir: string): LayoutStore {
    return LayoutStore.open(join(dataDir, 'layouts.db'));
  }

  constructor(private readonly db: DatabaseSync, private readonly clock: () => number = Date.now) {
    configureSqlite(db);
    db.exec(SCHEMA);
    const v = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined;
    if (!v) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    else if (Number(v.value) !== SCHEMA_VERSION) throw new Error(`layouts database schema_version ${v.value} is not supported (expected ${SCHEMA_VERSION})`);
    this.byId = db.prepare('SELECT * FROM layout WHERE id = ?');
    this.visible = db.prepare('SELECT * FROM layout WHERE owner = ? OR shared = 1 ORDER BY shared DESC, name COLLATE NOCASE, id');
  }

  /** Whether the caller may change this layout. */
  static mayEdit(l: Layout, c: LayoutCaller): boolean {
    return l.shared ? c.mayWriteShared : l.owner === c.username && c.mayWrite;
  }

  /** The caller's own layouts and every shared one. */
  list(c: LayoutCaller): Layout[] {
    return (this.visible.all(c.username) as unknown as Row[]).map(toLayout);
  }

  get(id: string, c: LayoutCaller): Layout {
    const r = this.byId.get(id) as Row | undefined;
    if (!r || (r.shared !== 1 && r.owner !== c.username)) throw new LayoutError(404, 'id', `no layout "${id}"`);
    return toLayout(r);
  }

  create(doc: LayoutDoc, c: LayoutCaller): Layout {
    this.checkSharedWrite(doc.shared, c);
    if (!doc.shared && !c.mayWrite) throw new LayoutError(403, 'shared', 'this role may not save personal layouts');
    const id = uuidv7();
    const now = this.clock();
    this.db.prepare('INSERT INTO layout (id, owner, name, shared, widgets, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)')
      .run(id, c.username, doc.name, doc.shared ? 1 : 0, JSON.stringify(doc.widgets), now, now);
    return this.get(id, c);
  }

  update(id: string, doc: LayoutDoc, c: LayoutCaller): Layout {
    const cur = this.get(id, c);
    if (!LayoutStore.mayEdit(cur, c)) throw new LayoutError(403, 'id', cur.shared ? 'shared layouts are changed by engineers (layouts.shared.write)' : 'not your layout');
    if (doc.shared !== cur.shared) this.checkSharedWrite(true, c);
    if (doc.version !== undefined && doc.version !== cur.version) {
      throw new LayoutError(409, 'version', `layout changed meanwhile (now version ${cur.version}, you edited ${doc.version}); reload it`);
    }
    this.db.prepare('UPDATE layout SET name = ?, shared = ?, widgets = ?, version = version + 1, updated_at = ? WHERE id = ?')
      .run(doc.name, doc.shared ? 1 : 0, JSON.stringify(doc.widgets), this.clock(), id);
    return this.get(id, c);
  }

  delete(id: string, c: LayoutCaller): void {
    const cur = this.get(id, c);
    if (!LayoutStore.mayEdit(cur, c)) throw new LayoutError(403, 'id', cur.shared ? 'shared layouts are deleted by engineers (layouts.shared.write)' : 'not your layout');
    this.db.prepare('DELETE FROM layout WHERE id = ?').run(id);
  }

  /** The shared layout shown as the dashboard's home page after login, if one is set and still shared. */
  home(): Layout | null {
    const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('home_layout') as { value: string } | undefined;
    const r = v ? (this.byId.get(v.value) as Row | undefined) : undefined;
    return r && r.shared === 1 ? toLayout(r) : null;
  }

  /** Sets (or with null clears) the home layout; only a shared layout can be everyone's home. */
  setHome(id: string | null, c: LayoutCaller): Layout | null {
    if (!c.mayWriteShared) throw new LayoutError(403, 'id', 'the home layout is chosen by engineers (layouts.shared.write)');
    if (id === null) {
      this.db.prepare('DELETE FROM meta WHERE key = ?').run('home_layout');
      return null;
    }
    const l = this.get(id, c);
    if (!l.shared) throw new LayoutError(409, 'id', `layout "${l.name}" is personal; share it before making it the home layout`);
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('home_layout', id);
    return l;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private checkSharedWrite(shared: boolean, c: LayoutCaller): void {
    if (shared && !c.mayWriteShared) throw new LayoutError(403, 'shared', 'shared layouts are saved by engineers (layouts.shared.write)');
  }
}
