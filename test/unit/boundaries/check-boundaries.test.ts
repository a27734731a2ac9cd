import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const repo = path.resolve(__dirname, '../../..');
const script = path.join(repo, 'scripts', 'check-boundaries.js');
const dirs: string[] = [];
afterEach(async () => { for (const d of dirs.splice(0)) await removeTempDir(d); });

/** A small tree with clean capabilities and nodes; each test plants one file in it. */
async function fixture(planted: Record<string, string> = {}): Promise<string> {
  const root = await makeTempDir('historian-boundaries-');
  dirs.push(root);
  const files: Record<string, string> = {
    'runtime/tsdb/index.ts': "export { TsdbStore } from './store';\n",
    'runtime/tsdb/store.ts': "import { tagError } from '../model';\nexport class TsdbStore {}\n",
    'runtime/model/index.ts': 'export const tagError = 1;\n',
    'runtime/devices/index.ts': 'export {};\n',
    'runtime/devices/modbus/index.ts': "export { ModbusConnection } from './connection';\n",
    'runtime/devices/modbus/connection.ts': 'export class ModbusConnection {}\n',
    'runtime/server/app.ts': "import RED from 'node-red';\nimport { TsdbStore } from '../tsdb';\n",
    'nodes/lib/red.ts': 'export type RED = unknown;\n',
    'nodes/a/a.ts': "import type { RED } from '../lib/red';\nimport { TsdbStore } from '../../runtime/tsdb';\nimport { ModbusConnection } from '../../runtime/devices/modbus';\n// see ../b/b.ts and '../../runtime/tsdb/store' (a comment, not an import)\n",
    'nodes/b/b.ts': "import { TsdbStore } from '../../runtime/tsdb/index';\n",
    ...planted,
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function run(root: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('boundary check', () => {
  it('passes a tree that keeps the rules (surfaces, sub-surfaces, nodes/lib, the composition root embedding Node-RED)', async () => {
    const r = run(await fixture());
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/check-boundaries: ok/);
    expect(r.status).toBe(0);
  });

  it('fails on a deep import into another capability, type-only ones included', async () => {
    const r = run(await fixture({
      'runtime/twin/model-store.ts': "import type { TsdbStore } from '../tsdb/store';\n",
      'nodes/c/c.ts': "const s = require('../../runtime/tsdb/store');\n",
    }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('runtime/twin/model-store.ts:1: deep import "../tsdb/store" into runtime/tsdb');
    expect(r.stderr).toContain('nodes/c/c.ts:1: deep import "../../runtime/tsdb/store" into runtime/tsdb');
    expect(r.stderr).toMatch(/2 violation\(s\)/);
  });

  it('fails on a Node-RED import in a runtime capability', async () => {
    const r = run(await fixture({
      'runtime/alarm/engine.ts': "export {};\nimport type { NodeAPI } from 'node-red';\nimport x from '@node-red/util';\n",
    }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('runtime/alarm/engine.ts:2: runtime imports Node-RED ("node-red")');
    expect(r.stderr).toContain('runtime/alarm/engine.ts:3: runtime imports Node-RED ("@node-red/util")');
  });

  it('fails on a node importing another node', async () => {
    const r = run(await fixture({ 'nodes/c/c.ts': "import { x } from '../a/a';\n" }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nodes/c/c.ts:1: node c imports node a');
  });

  it('fails on the platform folder importing a capability', async () => {
    const r = run(await fixture({ 'runtime/platform/duration.ts': "import { tagError } from '../model';\n" }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('runtime/platform/duration.ts:1: runtime/platform imports runtime/model');
  });

  it('the repository itself keeps the rules', () => {
    const r = run(repo);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
