// Every node type keeps its help and labels in its folder's message catalog
// (nodes/<type>/locales/en-US/<type>.html and .json), the editor HTML only refers to them, and
// every key it refers to exists, so the editor never shows a raw key such as `eip-poll.label.x`.
// The e2e test test/e2e/node-locales.test.ts checks one node in the real editor; this one holds
// the convention for every node, including the ones added later.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const types = Object.keys(pkg['node-red'].nodes as Record<string, string>);

function editorHtml(type: string): string {
  return readFileSync(join(root, 'nodes', type, `${type}.html`), 'utf8');
}
function locale(type: string, ext: 'html' | 'json'): string {
  return join(root, 'nodes', type, 'locales', 'en-US', `${type}.${ext}`);
}
function lookup(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), catalog);
}

// Keys the editor HTML uses: data-i18n="[attr]key;key2" in the dialog template and this._('key')
// / _('key') in the definition; a key built at run time ('x.mode.' + m) is checked by its prefix.
function referencedKeys(html: string): { keys: string[]; prefixes: string[] } {
  const keys: string[] = [];
  const prefixes: string[] = [];
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(';')) keys.push(part.replace(/^\[[^\]]+\]/, '').trim());
  }
  for (const m of html.matchAll(/\b_\('([^']+)'\s*(\+)?/g)) (m[2] ? prefixes : keys).push(m[1]);
  return { keys, prefixes };
}

describe('node help and labels live in the node folder', () => {
  it('finds the registered node types', () => {
    expect(types.length).toBeGreaterThan(20);
    expect(types).toEqual(expect.arrayContaining(['historian-query', 'eip-poll', 'event-frame']));
  });

  it.each(types)('%s: help in locales/en-US/<type>.html, none in the editor HTML', (type) => {
    expect(existsSync(locale(type, 'html')), `nodes/${type}/locales/en-US/${type}.html`).toBe(true);
    const help = readFileSync(locale(type, 'html'), 'utf8');
    const block = new RegExp(`<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`).exec(help);
    expect(block, `data-help-name="${type}" script in the help file`).not.toBeNull();
    expect(block![1].replace(/<[^>]*>/g, '').trim().length, 'help text').toBeGreaterThan(40);
    expect(editorHtml(type)).not.toMatch(/data-help-name=/);
  });

  it.each(types)('%s: labels in locales/en-US/<type>.json, every referenced key present', (type) => {
    expect(existsSync(locale(type, 'json')), `nodes/${type}/locales/en-US/${type}.json`).toBe(true);
    const catalog = JSON.parse(readFileSync(locale(type, 'json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(catalog), 'the catalog is keyed by the node type').toContain(type);
    const html = editorHtml(type);
    // config nodes have no palette entry; every other node takes its palette label from the catalog
    if (/category:\s*'config'/.test(html)) {
      expect(typeof lookup(catalog, `${type}.label.name`)).toBe('string');
    } else {
      expect(typeof lookup(catalog, `${type}.paletteLabel`)).toBe('string');
      // the editor escapes the palette label in its dialog title: "store & forward" read "Edit store &amp; forward node"
      expect(lookup(catalog, `${type}.paletteLabel`), 'palette label without & < >').not.toMatch(/[&<>]/);
      expect(html).toMatch(new RegExp(`paletteLabel:\\s*function\\s*\\(\\)\\s*\\{\\s*return this\\._\\('${type}\\.paletteLabel'\\)`));
    }
    const { keys, prefixes } = referencedKeys(html);
    expect(keys.length, 'the dialog labels come from the catalog').toBeGreaterThan(0);
    const missing = keys.filter((k) => typeof lookup(catalog, k) !== 'string');
    expect(missing, `keys used in nodes/${type}/${type}.html but missing from the catalog`).toEqual([]);
    for (const p of prefixes) {
      const parent = lookup(catalog, p.replace(/\.$/, ''));
      expect(parent && typeof parent === 'object', `catalog section ${p}`).toBeTruthy();
    }
  });

  it('reads a key the catalog lacks as missing', () => {
    const { keys } = referencedKeys(`<label data-i18n="[placeholder]t.label.a;t.label.b"></label> this._('t.label.c')`);
    expect(keys).toEqual(['t.label.a', 't.label.b', 't.label.c']);
    expect(keys.filter((k) => typeof lookup({ t: { label: { a: 'A', c: 'C' } } }, k) !== 'string')).toEqual(['t.label.b']);
  });
});
