// Every node type of the palette has at least one example flow, so the editor's
// Import → Examples → historian menu (examples/<node type>/*.json) covers the whole palette.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function category(type: string): string | null {
  const html = readFileSync(join(root, 'nodes', type, `${type}.html`), 'utf8');
  return /category:\s*'([^']+)'/.exec(html)?.[1] ?? null;
}

describe('examples cover the palette', () => {
  const palette = Object.keys(pkg['node-red'].nodes).filter((t) => category(t) !== 'config');
  it('finds the palette nodes', () => {
    expect(palette).toEqual(expect.arrayContaining(['historian-query', 'isa-alarm', 'live-publish']));
  });
  it.each(palette)('%s has an example flow that uses it', (type) => {
    const dir = join(root, 'examples', type);
    expect(existsSync(dir), `examples/${type}/`).toBe(true);
    const flows = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Array<{ type: string }>);
    expect(flows.some((f) => f.some((n) => n.type === type))).toBe(true);
  });
  it('puts every palette node in the Historian category', () => {
    expect(palette.filter((t) => category(t) !== 'historian')).toEqual([]);
  });
});
