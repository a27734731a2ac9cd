// The production install path, as the Docker image does it: pack the distribution,
// install the tarball with --omit=dev into an empty directory, cut a head into blocks with
// the installed engine (its encoder thread is a file of its own), start it, check health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { startDistribution, REPO_ROOT, type Distribution } from '../helpers/distribution';

let work: string;
let dist: Distribution | undefined;

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => { work = await makeTempDir('historian-pack-'); });
afterAll(async () => {
  await dist?.stop();
  await removeTempDir(work);
});

describe('production install', () => {
  it('packs, installs with --omit=dev, starts and answers /health', async () => {
    // `npm test` built dist/ before the tests; --ignore-scripts skips prepack's rebuild so
    // that other test files using dist/ at the same time are not disturbed.
    const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT);
    const packed = JSON.parse(out.slice(out.search(/^\[/m))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('settings.js');
    expect(files).toContain('dist/runtime/server/main.js');
    expect(files).toContain('dist/nodes/plant-sim/plant-sim.html');
    expect(files.some((f) => f.startsWith('dist/dashboard/assets/'))).toBe(true);
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('runtime/'))).toBe(false);

    const app = join(work, 'app');
    spawnSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'historian-install-test', private: true }));
    npm(['install', '--omit=dev', '--no-package-lock', join(work, packed[0].filename)], app);
    const installed = join(app, 'node_modules', 'historian');
    expect(existsSync(join(installed, 'dist', 'runtime', 'server', 'main.js'))).toBe(true);
    // no build tools in a production install
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('typescript');
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('vitest');

    // the installed engine cuts a head into blocks with its chunk encoder thread (a file of its own in dist/)
    const cut = spawnSync(process.execPath, ['-e', `
      const { TsdbStore } = require(${JSON.stringify(join(installed, 'dist', 'runtime', 'tsdb', 'store.js'))});
      const { sharedChunkEncoder } = require(${JSON.stringify(join(installed, 'dist', 'runtime', 'tsdb', 'chunk-encoder.js'))});
      (async () => {
        const warnings = [];
        const s = await TsdbStore.open({ dir: ${JSON.stringify(join(work, 'engine'))}, maintenanceIntervalMs: 0, logger: { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
        const rows = [];
        for (let i = 0; i < 20000; i++) rows.push({ tag: 'pack.t' + (i % 2), ts: Date.now() - 3600000 + i * 100, value: (i % 100) / 10, quality: 0 });
        await s.write(rows);
        await s.flush();
        const out = { blocks: s.stats().blocks, thread: sharedChunkEncoder().constructor.name, threaded: sharedChunkEncoder().threaded, warnings };
        await s.close();
        console.log(JSON.stringify(out));
      })().catch((e) => { console.error(e); process.exit(1); });`], { encoding: 'utf8', timeout: 60_000 });
    expect(cut.status, cut.stderr).toBe(0);
    const engine = JSON.parse(cut.stdout.trim().split('\n').pop()!) as { blocks: number };
    expect(engine.blocks).toBeGreaterThan(0);
    expect(engine).toEqual({ blocks: engine.blocks, thread: 'ThreadEncoder', threaded: true, warnings: [] });

    dist = await startDistribution({ entry: join(installed, 'dist', 'runtime', 'server', 'main.js'), cwd: app, dataDir: join(work, 'data') });
    const health = await dist.request('/health');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect((await dist.request('/')).status).toBe(200);
    const editor = await dist.request('/editor/');
    expect(editor.status).toBe(200);
  });
});
