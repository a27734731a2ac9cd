#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or stale, then starts Historian.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const major = Number(process.versions.node.split('.')[0]);
const minor = Number(process.versions.node.split('.')[1]);
if (major < 22 || (major === 22 && minor < 9)) {
  console.error(`Historian needs Node.js >= 22.9 (this is ${process.version}). Run it through npm (npm start), which uses the pinned Node 24.`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status || 1);
require('../dist/runtime/server/main.js');
