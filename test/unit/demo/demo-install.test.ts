// First-start installation of the demo (or of an empty workspace) and tag metadata carried
// by flow messages.
import { afterEach, describe, expect, it } from 'vitest';
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFileOf, demoDisabled, installDemoFlow } from '../../../runtime/server/demo-flow';
import { applyMessageMeta } from '../../../runtime/tsdb/message-meta';
import { TagRegistry } from '../../../runtime/tsdb/tag-registry';
import { LayoutStore } from '../../../runtime/layouts/layout-store';
import { installDemoLayout } from '../../../runtime/server/demo-layout';

const root = join(__dirname, '..', '..', '..');
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'demo-install-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** Decrypts a credentials file the way Node-RED does. */
function decrypt(secret: string, file: string): unknown {
  const enc = (JSON.parse(readFileSync(file, 'utf8')) as { $: string }).$;
  const key = createHash('sha256').update(secret).digest();
  const d = createDecipheriv('aes-256-ctr', key, Buffer.from(enc.slice(0, 32), 'hex'));
  return JSON.parse(d.update(enc.slice(32), 'base64', 'utf8') + d.final('utf8'));
}

describe('first-start install', () => {
  it('installs the demo flows and an encrypted empty credentials file into an empty data directory, once', () => {
    const d = tmp();
    const demo = join(root, 'flows', 'demo-plant.json');
    expect(installDemoFlow(d, 'flows.json', demo, 's3cret')).toBe('installed');
    expect(readFileSync(join(d, 'flows.json'), 'utf8')).toBe(readFileSync(demo, 'utf8'));
    expect(decrypt('s3cret', join(d, 'flows_cred.json'))).toEqual({});
    writeFileSync(join(d, 'flows.json'), '[{"id":"mine","type":"tab"}]');
    expect(installDemoFlow(d, 'flows.json', demo, 's3cret')).toBe('existing');
    expect(readFileSync(join(d, 'flows.json'), 'utf8')).toContain('mine');
  });

  it('HISTORIAN_DEMO_FLOW=none gives an empty workspace; a missing demo file is a clear error', () => {
    expect(['none', 'NONE', ' off ', 'false', 'no'].every(demoDisabled)).toBe(true);
    expect(demoDisabled('flows/demo-plant.json')).toBe(false);
    const d = tmp();
    expect(installDemoFlow(d, 'flows.json', 'none', 'k')).toBe('empty');
    expect(JSON.parse(readFileSync(join(d, 'flows.json'), 'utf8'))).toEqual([]);
    expect(existsSync(join(d, 'flows_cred.json'))).toBe(true);
    expect(() => installDemoFlow(tmp(), 'flows.json', join(d, 'nope.json'))).toThrow(/^HISTORIAN_DEMO_FLOW: no flow file at .*nope\.json/);
    expect(credentialsFileOf('flows.json')).toBe('flows_cred.json');
    expect(credentialsFileOf('my-flows')).toBe('my-flows_cred.json');
  });

  it('installs the Plant overview as the shared home layout; a personal layout cannot be home', () => {
    const store = LayoutStore.openIn(tmp());
    try {
      const l = installDemoLayout(store, join(root, 'flows', 'demo-plant.layout.json'));
      expect(l).toMatchObject({ name: 'Plant overview', shared: true });
      expect(store.home()?.id).toBe(l.id);
      const eng = { username: 'emre', mayWrite: true, mayWriteShared: true };
      const mine = store.create({ name: 'mine', shared: false, widgets: [] }, eng);
      expect(() => store.setHome(mine.id, eng)).toThrow(/personal/);
      expect(() => store.setHome(l.id, { username: 'olga', mayWrite: true, mayWriteShared: false })).toThrow(/layouts\.shared\.write/);
      expect(store.setHome(null, eng)).toBeNull();
      expect(store.home()).toBeNull();
    } finally { store.close(); }
  });
});

describe('tag metadata on messages', () => {
  it('registers msg.unit & co for one sample and msg.tagMeta for a batch, writing only what differs', () => {
    const reg = TagRegistry.open(join(tmp(), 'tags.json'));
    const r1 = applyMessageMeta(reg, { topic: 'a.b.temp', payload: 21.5, unit: '°C', description: 'Room', interpolation: 'linear', spanLow: 0, spanHigh: 50 });
    expect(r1).toEqual({ updated: ['a.b.temp'], errors: [] });
    expect(reg.get('a.b.temp')).toMatchObject({ unit: '°C', description: 'Room', interpolation: 'linear', spanLow: 0, spanHigh: 50 });
    const before = reg.get('a.b.temp')!.updatedAt;
    expect(applyMessageMeta(reg, { topic: 'a.b.temp', payload: 22, unit: '°C' }).updated).toEqual([]);
    expect(reg.get('a.b.temp')!.updatedAt).toBe(before);
    const r2 = applyMessageMeta(reg, { payload: [], tagMeta: { 'a.b.run': { valueType: 'boolean', interpolation: 'step', states: ['off', 'on'] }, 'a.b.bad': { interpolation: 'cubic' } } });
    expect(r2.updated).toEqual(['a.b.run']);
    expect(r2.errors).toEqual(['metadata of a.b.bad: interpolation: must be one of step, linear']);
    expect(reg.get('a.b.run')).toMatchObject({ states: ['off', 'on'], interpolation: 'step' });
    expect(reg.has('a.b.bad')).toBe(false);
    expect(applyMessageMeta(reg, { payload: [], tagMeta: [1] }).errors).toEqual(['msg.tagMeta: must be an object of tag → metadata']);
    // a batch message's topic is not a tag: msg.unit there means nothing
    expect(applyMessageMeta(reg, { topic: 'plant-sim', payload: [{ tag: 'x.y', ts: 1, value: 1 }], unit: 'bar' }).updated).toEqual([]);
  });
});
