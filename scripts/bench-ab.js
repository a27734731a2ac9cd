#!/usr/bin/env node
// Paired before/after benchmark: runs benchmark cases (test/bench/lib/ab-case.ts) on two
// checkouts alternately — A B, B A, A B, … so a drift in the shared machine's load hits both
// sides alike — each run in a fresh process under `nice -n 10`, and prints every run's
// figures with the load average at its start, then per metric the median of each side and
// the ratio B/A. Use it when a change must stay "within noise" of its base:
//   git worktree add /tmp/base <base commit>; cp -al node_modules /tmp/base/node_modules
//   (cd /tmp/base && node scripts/build.js); node scripts/build.js
//   node_modules/.bin/node scripts/bench-ab.js --a /tmp/base --b . --runs 4 --cases tsdb-ingest,http
// (Node 22+: the checkouts' code needs node:sqlite; npm run puts node_modules/.bin first.)
// Writes test/bench/results/ab.json as well.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const sides = { A: path.resolve(arg('a', '')), B: path.resolve(arg('b', '.')) };
const runs = Number(arg('runs', '4'));
const cases = arg('cases', 'tsdb-ingest,http').split(',');
// --tmp /dev/shm: data directories on a tmpfs (the disk's fsync stalls out of the figures)
const tmp = arg('tmp', '');
if (!arg('a') || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: bench-ab.js --a <base checkout> --b <changed checkout> [--runs 4] [--cases tsdb-ingest,http] [--tmp /dev/shm]');
  process.exit(2);
}
const runner = path.join(__dirname, '..', 'test', 'bench', 'lib', 'ab-case.ts');
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));

const results = []; // {case, side, round, load, metrics}
for (const c of cases) {
  console.log(`case ${c}: A = ${sides.A}, B = ${sides.B}`);
  for (let round = 0; round < runs; round++) {
    // alternate which side goes first, so neither always runs on the warmer/cooler machine
    for (const side of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const load = os.loadavg()[0];
      const r = spawnSync('nice', ['-n', '10', process.execPath, '--import', 'tsx', runner, sides[side], c], { encoding: 'utf8', cwd: path.join(__dirname, '..'), env: { ...process.env, AB_TMP: tmp } });
      if (r.status !== 0) {
        // one failed run (a reset connection on a loaded machine) is reported, not fatal
        console.log(`  round ${round + 1} ${side} (load ${load.toFixed(2)}): failed: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
        continue;
      }
      const { metrics } = JSON.parse(r.stdout.trim().split('\n').pop());
      results.push({ case: c, side, round: round + 1, load, metrics });
      console.log(`  round ${round + 1} ${side} (load ${load.toFixed(2)}): ${Object.entries(metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
    }
  }
}
const summary = [];
for (const c of cases) {
  const first = results.find((r) => r.case === c);
  if (!first) continue;
  const names = Object.keys(first.metrics);
  for (const n of names) {
    const of = (side) => results.filter((r) => r.case === c && r.side === side).map((r) => r.metrics[n]);
    const a = median(of('A'));
    const b = median(of('B'));
    summary.push({ metric: n, medianA: a, medianB: b, ratio: a === 0 ? null : b / a, runsA: of('A'), runsB: of('B') });
    console.log(`${n}: median A ${fmt(a)}, median B ${fmt(b)}, B/A ${a === 0 ? '-' : (b / a).toFixed(3)}`);
  }
}
const out = path.join(__dirname, '..', 'test', 'bench', 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'ab.json'), JSON.stringify({ when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, sides, runs, tmp: tmp || os.tmpdir(), results, summary }, null, 2));
