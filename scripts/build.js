#!/usr/bin/env node
// Builds the distribution into dist/: TypeScript (runtime, nodes, editor plugins), the
// nodes' editor files (HTML, locales, icons) next to their compiled code, and the
// dashboard with Vite. `--if-stale` skips the build when dist/ is newer than every source.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const SOURCES = ['runtime', 'nodes', 'editor-plugins', 'dashboard', 'tsconfig.json', 'package.json'];

function newestMtime(p) {
  let st;
  try { st = fs.statSync(p); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e === 'dist') continue;
    max = Math.max(max, newestMtime(path.join(p, e)));
  }
  return max;
}

function isStale() {
  let built;
  try { built = fs.statSync(stamp).mtimeMs; } catch { return true; }
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

function run(what, file, args) {
  const t = Date.now();
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${what} failed`);
    process.exit(r.status || 1);
  }
  console.log(`build: ${what} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

function copyEditorFiles(srcDir, outDir) {
  if (!fs.existsSync(srcDir)) return;
  for (const e of fs.readdirSync(srcDir, { withFileTypes: true })) {
    const s = path.join(srcDir, e.name);
    const d = path.join(outDir, e.name);
    if (e.isDirectory()) copyEditorFiles(s, d);
    else if (/\.(html|json|png|svg)$/.test(e.name)) {
      fs.mkdirSync(outDir, { recursive: true });
      fs.copyFileSync(s, d);
    }
  }
}

function resolveBin(pkg, bin) {
  const pj = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const meta = JSON.parse(fs.readFileSync(pj, 'utf8'));
  const rel = typeof meta.bin === 'string' ? meta.bin : meta.bin[bin];
  return path.join(path.dirname(pj), rel);
}

if (process.argv.includes('--if-stale') && !isStale()) {
  console.log('build: dist/ is up to date');
  process.exit(0);
}
let tsc, vite;
try {
  tsc = resolveBin('typescript', 'tsc');
  vite = resolveBin('vite', 'vite');
} catch {
  if (fs.existsSync(stamp)) {
    console.log('build: build tools not installed (production install); using the shipped dist/');
    process.exit(0);
  }
  console.error('build: dist/ is missing and the build tools are not installed; run `npm ci` first');
  process.exit(1);
}
fs.rmSync(path.join(dist, 'runtime'), { recursive: true, force: true });
fs.rmSync(path.join(dist, 'nodes'), { recursive: true, force: true });
run('TypeScript', tsc, ['-p', 'tsconfig.json']);
copyEditorFiles(path.join(root, 'nodes'), path.join(dist, 'nodes'));
copyEditorFiles(path.join(root, 'editor-plugins'), path.join(dist, 'editor-plugins'));
run('dashboard (Vite)', vite, ['build', '--config', 'dashboard/vite.config.mts', '--logLevel', 'warn']);
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
