#!/usr/bin/env node
// Runs benchmarks: `npm run bench` runs every test/bench/<name>.bench.ts in turn,
// `npm run bench -- <name>` (or `npm run bench:<name>`) runs one. Each writes
// test/bench/results/<name>.json and prints its summary.
'use strict';
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = join(__dirname, '..', 'test', 'bench');
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!all.includes(w)) {
    console.error(`unknown benchmark "${w}"; available: ${all.join(', ')}`);
    process.exit(2);
  }
}
// the peer benchmark runs VictoriaMetrics: install it (apt) or stop with the command to run
if (wanted.includes('peer') || wanted.length === 0) {
  const r = spawnSync(process.execPath, [join(__dirname, 'ensure-test-deps.js'), '--bench'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(dir, `${name}.bench.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.error(`bench ${name} failed (exit ${r.status})`); }
}
process.exit(failed ? 1 : 0);
