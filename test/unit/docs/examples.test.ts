// Every example flow (examples/<node type>/*.json, the editor's import menu) and the demo
// flow is valid flow JSON whose Historian nodes are registered by this package.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ours = new Set(Object.keys(pkg['node-red'].nodes));
const core = new Set(['tab', 'inject', 'debug', 'change', 'function', 'switch', 'http request', 'mqtt in', 'mqtt out', 'mqtt-broker', 'catch', 'status', 'comment', 'template', 'delay', 'split', 'join', 'link in', 'link out', 'group', 'json', 'http in', 'http response', 'complete', 'rbe', 'trigger', 'range', 'file in', 'file', 'csv']);

function flows(): Array<[string, any[]]> {
  const out: Array<[string, any[]]> = [[join(root, 'flows', 'demo-plant.json'), []]];
  const ex = join(root, 'examples');
  if (existsSync(ex)) for (const d of readdirSync(ex)) for (const f of readdirSync(join(ex, d))) if (f.endsWith('.json')) out.push([join(ex, d, f), []]);
  return out.map(([f]) => [f, JSON.parse(readFileSync(f, 'utf8'))]);
}

describe('example flows', () => {
  it.each(flows())('%s uses only known node types, unique ids and existing wires', (_file, flow) => {
    expect(Array.isArray(flow)).toBe(true);
    const ids = new Set(flow.map((n: any) => n.id));
    expect(ids.size).toBe(flow.length);
    for (const n of flow) {
      expect(ours.has(n.type) || core.has(n.type) || n.type.startsWith('subflow:') || n.type.startsWith('OpcUa') || n.type.startsWith('s7'), `type ${n.type}`).toBe(true);
      for (const out of n.wires ?? []) for (const target of out) expect(ids.has(target), `wire ${n.id} → ${target}`).toBe(true);
      if (typeof n.store === 'string' && n.store) expect(ids.has(n.store), `store ${n.store}`).toBe(true);
    }
  });
});
