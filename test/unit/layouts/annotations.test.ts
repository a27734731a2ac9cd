import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../runtime/annotations/annotation-store';
import { annotationRoutes } from '../../../runtime/server/routes/annotation-routes';
import { makeTempDir } from '../../helpers/tmp';
import { serveRoutes, type TestApp } from '../export/fixtures';
import { cleanup, makeTrail, type TrailFixture } from '../audit/fixture';

let store: AnnotationStore;
let app: TestApp;
let t: TrailFixture;
const A = 'acme.line1.pump1.flow';
const B = 'acme.line1.pump2.flow';

async function call(method: string, path: string, who: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(app.url + path, {
    method, headers: { Authorization: `Bearer ${who}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  store = AnnotationStore.openIn(await makeTempDir('annotations-'));
  t = makeTrail();
  app = await serveRoutes(annotationRoutes({ store, trail: t.trail }));
});
afterAll(async () => { await app.close(); store.close(); t.trail.close(); cleanup(); });

describe('annotations API', () => {
  it('stores notes and lists those of the asked tags and the tag-less ones in range', async () => {
    expect((await call('POST', '/annotations', 'OPERATOR:olga', { ts: 1000, text: 'pump 1 seal replaced', tag: A })).status).toBe(201);
    await call('POST', '/annotations', 'OPERATOR:olga', { ts: 2000, text: 'shift change' });
    await call('POST', '/annotations', 'ENGINEER:erin', { ts: 3000, text: 'pump 2 trip', tag: B });
    await call('POST', '/annotations', 'ENGINEER:erin', { ts: 9000, text: 'later', tag: A });
    const r = await call('GET', `/annotations?from=0&to=5000&tags=${A}`, 'AUDITOR:ada');
    expect(r.status).toBe(200);
    expect(r.body.annotations.map((a: any) => [a.ts, a.text, a.author])).toEqual([[1000, 'pump 1 seal replaced', 'olga'], [2000, 'shift change', 'olga']]);
    expect(r.body.annotations[0].authorName).toBe('olga name');
  });

  it('permissions and validation', async () => {
    expect((await call('POST', '/annotations', 'AUDITOR:ada', { ts: 1, text: 'x' })).status).toBe(403);
    const empty = await call('POST', '/annotations', 'OPERATOR:olga', { ts: 1, text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^body\.text/);
    expect((await call('POST', '/annotations', 'OPERATOR:olga', { ts: 'soon', text: 'x' })).body.message).toMatch(/^body\.ts/);
    expect((await call('GET', '/annotations?from=5&to=1', 'OPERATOR:olga')).body.message).toMatch(/^to: /);
  });

  it('only the author removes a note', async () => {
    const made = await call('POST', '/annotations', 'OPERATOR:olga', { ts: 4000, text: 'typo' });
    expect((await call('DELETE', `/annotations/${made.body.id}`, 'ENGINEER:erin')).status).toBe(403);
    expect((await call('DELETE', `/annotations/${made.body.id}`, 'OPERATOR:olga')).status).toBe(204);
    expect((await call('DELETE', `/annotations/${made.body.id}`, 'OPERATOR:olga')).status).toBe(404);
  });

  it('adding and removing a note are in the audit trail, the removed text with them', async () => {
    const made = await call('POST', '/annotations', 'OPERATOR:olga', { ts: 5000, text: 'valve V-12 stuck, bypassed', tag: A });
    await call('DELETE', `/annotations/${made.body.id}`, 'OPERATOR:olga');
    const entries = t.trail.query({ target: `annotation:${made.body.id}` }).entries;
    expect(entries.map((e) => [e.action, e.username])).toEqual(expect.arrayContaining([['annotations.add', 'olga'], ['annotations.remove', 'olga']]));
    expect(entries.find((e) => e.action === 'annotations.remove')!.previousValue).toMatchObject({ text: 'valve V-12 stuck, bypassed', tag: A, author: 'olga' });
    expect(entries.find((e) => e.action === 'annotations.add')!.newValue).toMatchObject({ text: 'valve V-12 stuck, bypassed', ts: 5000 });
  });
});
