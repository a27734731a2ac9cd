// Discrete state names in the tag registry: kept across reopen, cleared with null or an
// empty list, and a bad list is refused naming the field without changing the tag.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { TagRegistry } from '../../../runtime/tsdb/tag-registry';

describe('tag state names', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-states-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('stores, persists and clears state names', () => {
    const file = path.join(dir, 'tags.json');
    const r = TagRegistry.open(file);
    const tag = 'acme.izmir.line1.pump1.running';
    expect(r.update(tag, { valueType: 'boolean', states: ['Stopped', 'Running'] }).states).toEqual(['Stopped', 'Running']);
    expect(TagRegistry.open(file).get(tag)?.states).toEqual(['Stopped', 'Running']);
    expect(r.update(tag, { states: [] }).states).toBeNull();
    r.update(tag, { states: ['A'] });
    expect(r.update(tag, { states: null }).states).toBeNull();
  });

  it('refuses a bad list naming the field', () => {
    const r = TagRegistry.open(path.join(dir, 'tags.json'));
    const tag = 'acme.izmir.line1.pump1.mode';
    r.update(tag, { states: ['Auto', 'Manual'] });
    for (const bad of ['Auto', [1, 2], Array.from({ length: 65 }, (_, i) => `s${i}`), ['x'.repeat(51)]]) {
      expect(() => r.update(tag, { states: bad as never })).toThrow(/^states: /);
    }
    expect(r.get(tag)?.states).toEqual(['Auto', 'Manual']);
  });
});
