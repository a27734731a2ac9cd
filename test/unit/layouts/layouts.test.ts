import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LayoutStore } from '../../../runtime/layouts/layout-store';
import { layoutRoutes } from '../../../runtime/server/routes/layout-routes';
import { makeTempDir } from '../../helpers/tmp';
import { serveRoutes, type TestApp } from '../export/fixtures';

let dir: string;
let store: LayoutStore;
let app: TestApp;

const widgets = [
  { id: 'w1', type: 'trend', x: 0, y: 0, w: 8, h: 4, config: { tags: ['acme.a.flow'], range: '8h' } },
  { id: 'w2', type: 'value', x: 8, y: 0, w: 4, h: 2, config: { tag: 'acme.a.flow' } },
  { id: 'w3', type: 'text', x: 8, y: 2, w: 4, h: 2, config: { markdown: '# Shift notes\n<script>alert(1)</script>' } },
];

async function call(method: string, path: string, who: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(app.url + path, {
    method, headers: { Authorization: `Bearer ${who}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  dir = await makeTempDir('layouts-');
  store = LayoutStore.openIn(dir);
  app = await serveRoutes(layoutRoutes({ store }));
});
afterAll(async () => { await app.close(); store.close(); });

describe('layouts API', () => {
  it('saves a personal layout that only its owner sees and edits', async () => {
    const made = await call('POST', '/layouts', 'OPERATOR:olga', { name: 'Pumps', widgets });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Pumps', owner: 'olga', shared: false, version: 1, editable: true });
    expect(made.body.widgets[0].title).toBe('');
    expect((await call('GET', '/layouts', 'OPERATOR:otto')).body.layouts).toEqual([]);
    expect((await call('GET', `/layouts/${made.body.id}`, 'OPERATOR:otto')).status).toBe(404);
    expect((await call('PUT', `/layouts/${made.body.id}`, 'ENGINEER:erin', { name: 'x', widgets: [] })).status).toBe(404);
    const upd = await call('PUT', `/layouts/${made.body.id}`, 'OPERATOR:olga', { name: 'Pumps 2', widgets: widgets.slice(0, 1), version: 1 });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'Pumps 2', version: 2 });
    const stale = await call('PUT', `/layouts/${made.body.id}`, 'OPERATOR:olga', { name: 'Pumps 3', widgets, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^version: /);
  });

  it('shared layouts: everyone reads them, only engineers change them, auditors cannot save', async () => {
    expect((await call('POST', '/layouts', 'OPERATOR:olga', { name: 'Plant', shared: true, widgets })).status).toBe(403);
    const made = await call('POST', '/layouts', 'ENGINEER:erin', { name: 'Plant', shared: true, widgets });
    expect(made.status).toBe(201);
    const seen = await call('GET', '/layouts', 'OPERATOR:otto');
    expect(seen.body.layouts.map((l: any) => [l.name, l.editable])).toEqual([['Plant', false]]);
    expect((await call('PUT', `/layouts/${made.body.id}`, 'OPERATOR:otto', { name: 'Mine', shared: true, widgets })).status).toBe(403);
    expect((await call('DELETE', `/layouts/${made.body.id}`, 'OPERATOR:otto')).status).toBe(403);
    expect((await call('GET', '/layouts', 'AUDITOR:ada')).status).toBe(200);
    expect((await call('POST', '/layouts', 'AUDITOR:ada', { name: 'A', widgets })).status).toBe(403);
    expect((await call('PUT', `/layouts/${made.body.id}`, 'ENGINEER:eve', { name: 'Plant v2', shared: true, widgets })).status).toBe(200);
    expect((await call('DELETE', `/layouts/${made.body.id}`, 'ENGINEER:eve')).status).toBe(204);
    expect((await call('GET', `/layouts/${made.body.id}`, 'ENGINEER:eve')).status).toBe(404);
  });

  it('an exported layout imports back as is', async () => {
    const made = await call('POST', '/layouts', 'OPERATOR:olga', { name: 'Export me', widgets });
    const file = JSON.parse(JSON.stringify((await call('GET', `/layouts/${made.body.id}`, 'OPERATOR:olga')).body));
    const imported = await call('POST', '/layouts', 'OPERATOR:otto', file);
    expect(imported.status).toBe(201);
    expect(imported.body.id).not.toBe(made.body.id);
    expect(imported.body).toMatchObject({ owner: 'otto', name: 'Export me', widgets: made.body.widgets, version: 1 });
  });

  it('rejects bad widgets naming the field', async () => {
    const bad = async (w: unknown) => (await call('POST', '/layouts', 'OPERATOR:olga', { name: 'B', widgets: [w] })).body.message as string;
    expect(await bad({ id: 'a', type: 'clock', x: 0, y: 0, w: 1, h: 1, config: {} })).toMatch(/^body\.widgets\.0\.type/);
    expect(await bad({ id: 'a', type: 'value', x: 10, y: 0, w: 4, h: 1, config: { tag: 'a.b' } })).toMatch(/^body\.widgets\.0\.w: x \+ w/);
    expect(await bad({ id: 'a', type: 'value', x: 0, y: 0, w: 4, h: 1, config: { tag: 'a..b' } })).toMatch(/^body\.widgets\.0\.config\.tag/);
    expect(await bad({ id: 'a', type: 'image', x: 0, y: 0, w: 4, h: 1, config: { src: 'javascript:alert(1)' } })).toMatch(/^body\.widgets\.0\.config\.src/);
    expect(await bad({ id: 'a', type: 'image', x: 0, y: 0, w: 4, h: 1, config: { src: 'data:image/svg+xml;base64,PHN2Zz4=' } })).toMatch(/config\.src/);
    expect(await bad({ id: 'a', type: 'gauge', x: 0, y: 0, w: 4, h: 1, config: { tag: 'a.b', min: 5, max: 1 } })).toMatch(/config\.max/);
    const dup = await call('POST', '/layouts', 'OPERATOR:olga', { name: 'B', widgets: [widgets[1], widgets[1]] });
    expect(dup.body.message).toMatch(/^body\.widgets\.1\.id: duplicate/);
  });

  it('layouts survive reopening the database', async () => {
    const made = await call('POST', '/layouts', 'OPERATOR:keep', { name: 'Durable', widgets });
    const again = LayoutStore.open(join(dir, 'layouts.db'));
    try {
      expect(again.get(made.body.id, { username: 'keep', mayWrite: true, mayWriteShared: false }).widgets).toEqual(made.body.widgets);
    } finally { again.close(); }
  });
});
