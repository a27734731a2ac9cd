#!/usr/bin/env node
// `npm run dev`: builds, starts Historian, and on every source change rebuilds and
// restarts it (debounced). Ctrl-C stops both.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const WATCH = ['runtime', 'nodes', 'editor-plugins', 'dashboard/src', 'flows', 'settings.js'];
let child = null;
let timer = null;

function build() {
  return spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' }).status === 0;
}
function start() {
  child = spawn(process.execPath, [path.join(root, 'dist', 'runtime', 'server', 'main.js')], { cwd: root, stdio: 'inherit' });
  child.on('exit', () => { child = null; });
}
function restart() {
  const go = () => { if (build()) start(); else console.error('[dev] build failed; waiting for the next change'); };
  if (child) { child.once('exit', go); child.kill('SIGTERM'); } else go();
}
for (const w of WATCH) {
  const p = path.join(root, w);
  if (!fs.existsSync(p)) continue;
  fs.watch(p, { recursive: fs.statSync(p).isDirectory() }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => { console.log('[dev] change detected: rebuilding'); restart(); }, 300);
  });
}
process.on('SIGINT', () => { if (child) child.kill('SIGTERM'); process.exit(0); });
restart();
