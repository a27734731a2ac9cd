import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { TagRegistry } from '../../../runtime/tsdb/tag-registry';
import { TsdbStore } from '../../../runtime/tsdb/store';

describe('tag registry', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-tags-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('stores metadata, persists it and searches with NATS wildcards', () => {
    const file = path.join(dir, 'tags.json');
    const r = TagRegistry.open(file, () => 42);
    for (const t of ['acme.izmir.line1.pump1.flow', 'acme.izmir.line1.pump1.speed', 'acme.izmir.line2.pump1.flow', 'acme.bursa.line1.x.flow']) r.ensure(t);
    const m = r.update('acme.izmir.line1.pump1.flow', { description: 'Flow', unit: 'm3/h', spanLow: 0, spanHigh: 120, interpolation: 'linear', retentionMs: 86_400_000 });
    expect(m).toMatchObject({ unit: 'm3/h', spanHigh: 120, interpolation: 'linear', valueType: 'number', loggingMode: 'every', updatedAt: 42 });
    r.save();
    const r2 = TagRegistry.open(file);
    expect(r2.get('acme.izmir.line1.pump1.flow')).toEqual(m);
    expect(r2.search('acme.*.line1.>').map((t) => t.tag)).toEqual(['acme.bursa.line1.x.flow', 'acme.izmir.line1.pump1.flow', 'acme.izmir.line1.pump1.speed']);
    expect(r2.search('acme.izmir.*.pump1.flow').length).toBe(2);
    expect(r2.search('>', 1).length).toBe(1);
  });

  it('writes version 2 without default fields and reads version-1 files as before', () => {
    const file = path.join(dir, 'tags.json');
    const r = TagRegistry.open(file, () => 1000);
    r.ensure('plain.tag');
    const described = r.update('described.tag', { unit: 'bar', spanHigh: 10, states: ['a', 'b'] });
    r.save();
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written.version).toBe(2);
    expect(written.tags.find((t: { tag: string }) => t.tag === 'plain.tag')).toEqual({ tag: 'plain.tag', createdAt: 1000 });
    expect(written.tags.find((t: { tag: string }) => t.tag === 'described.tag')).toEqual({ tag: 'described.tag', unit: 'bar', spanHigh: 10, states: ['a', 'b'], createdAt: 1000 });
    const back = TagRegistry.open(file);
    expect(back.get('plain.tag')).toEqual({ tag: 'plain.tag', description: '', unit: '', spanLow: null, spanHigh: null, valueType: 'number', interpolation: 'step', loggingMode: 'every', deviation: null, deviationPercent: null, maxIntervalMs: null, retentionMs: null, createdAt: 1000, updatedAt: 1000 });
    expect(back.get('described.tag')).toEqual(described);
    // a file written by the release before (version 1, every field)
    const v1 = { tag: 'old.tag', description: 'Old', unit: 'm', spanLow: 0, spanHigh: 5, valueType: 'number', interpolation: 'linear', loggingMode: 'deadband', deviation: 0.5, deviationPercent: null, maxIntervalMs: 60000, retentionMs: null, createdAt: 5, updatedAt: 9 };
    fs.writeFileSync(file, JSON.stringify({ version: 1, tags: [v1] }));
    expect(TagRegistry.open(file).get('old.tag')).toEqual(v1);
  });

  it('rejects bad metadata naming the field and leaves the tag unchanged', () => {
    const r = TagRegistry.open(path.join(dir, 'tags.json'));
    r.ensure('a.b');
    expect(() => r.update('a.b', { unit: 5 as never })).toThrow(/^unit:/);
    expect(() => r.update('a.b', { interpolation: 'cubic' as never })).toThrow(/^interpolation:/);
    expect(() => r.update('a.b', { retentionMs: -1 })).toThrow(/^retentionMs:/);
    expect(() => r.update('a.b', { spanLow: 10, spanHigh: 5 })).toThrow(/^spanHigh:/);
    expect(() => r.update('a.b', { colour: 'red' } as never)).toThrow(/^colour:/);
    expect(() => r.update('bad tag', {})).toThrow(/^tag:/);
    expect(() => r.search('a.>.b')).toThrow(/^pattern:/);
    expect(r.get('a.b')).toMatchObject({ unit: '', spanLow: null, interpolation: 'step', retentionMs: null });
  });

  it('registers tags seen on write automatically', async () => {
    const s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0 });
    await s.write([{ tag: 'auto.x.y', ts: Date.now(), value: 1, quality: 0 }]);
    expect(s.tags.search('auto.>').map((t) => t.tag)).toEqual(['auto.x.y']);
    await s.close();
    const s2 = await TsdbStore.open({ dir, maintenanceIntervalMs: 0 });
    expect(s2.tags.has('auto.x.y')).toBe(true);
    await s2.close();
  });
});
