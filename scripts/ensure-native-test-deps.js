#!/usr/bin/env node
'use strict';
// npm `pretest`, second step: native dev dependencies the tests load (node-snap7, Snap7's
// S7 server) must be built for the Node that runs the tests. `npm ci` builds them with the
// Node that runs npm, which may be the system's older Node while the tests run on the
// pinned Node 24 (the `node` dev dependency); a module built for another Node's ABI does
// not load. This rebuilds such a module with node-gyp against the pinned Node's own headers
// (shipped inside the `node` package), so no download is needed.
// Plain CommonJS: it runs before anything is compiled.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const NATIVE = ['node-snap7'];

function loads(name) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(name)})`], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, error: (r.stderr || '').split('\n').find((l) => /Error|error/.test(l)) || `exit ${r.status}` };
}

/** Headers of the running Node: the pinned `node` package's platform package, else none (node-gyp's default). */
function nodeDir() {
  const candidates = [
    path.join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`),
    path.join(root, 'node_modules', `node-${process.platform}-${process.arch}`),
    path.dirname(path.dirname(process.execPath)),
  ];
  return candidates.find((d) => fs.existsSync(path.join(d, 'include', 'node', 'node_version.h')) && fs.existsSync(path.join(d, 'include', 'node', 'common.gypi')));
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p));
}

function main() {
  for (const name of NATIVE) {
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir)) continue; // not installed (production install): nothing to do
    const before = loads(name);
    if (before.ok) continue;
    const gyp = nodeGyp();
    const headers = nodeDir();
    if (!gyp) {
      process.stderr.write(`ensure-native-test-deps: ${name} does not load under Node ${process.version} (${before.error}) and node-gyp was not found; run: npx node-gyp rebuild --directory node_modules/${name}\n`);
      return 1;
    }
    const argv = [gyp, 'rebuild', `--directory=${dir}`, ...(headers ? [`--nodedir=${headers}`] : [])];
    process.stdout.write(`ensure-native-test-deps: ${name} was built for another Node (${before.error}); rebuilding for ${process.version}\n`);
    const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit', env: Object.assign({}, process.env, { npm_config_nodedir: headers || '' }) });
    const after = loads(name);
    if (r.status !== 0 || !after.ok) {
      process.stderr.write(`ensure-native-test-deps: rebuilding ${name} failed (${after.error}); it needs g++, make and python3: sudo apt-get install -y g++ make python3\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) process.exit(main());
