#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or stale, then starts Historian with the V8
// flags of README "Memory" (a young generation of at most 2 MB per semi-space: V8 otherwise
// grows it with the allocation rate, to tens of MB that the process keeps).
// HISTORIAN_NODE_FLAGS replaces those flags ("" for none). package.json's start script
// passes the default flags to this process, which then runs the server in-process; any
// other flags need a fresh Node process, so this one then starts the server in a child and
// relays signals and the exit code (the child stops too if this process dies).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

/** keep in step with package.json "start" */
const DEFAULT_NODE_FLAGS = ['--max-semi-space-size=2'];
const MAIN = path.join(__dirname, '..', 'dist', 'runtime', 'server', 'main.js');

if (process.env.LAUNCHED_BY_START_JS === '1' && process.send) {
  // the server under a launcher that passed other flags: stop when the launcher is gone
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.channel.unref(); // the channel alone must not keep the server's process alive
  delete process.env.LAUNCHED_BY_START_JS;
  require(MAIN);
  return;
}

const major = Number(process.versions.node.split('.')[0]);
const minor = Number(process.versions.node.split('.')[1]);
if (major < 22 || (major === 22 && minor < 9)) {
  console.error(`Historian needs Node.js >= 22.9 (this is ${process.version}). Run it through npm (npm start), which uses the pinned Node 24.`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status || 1);

const env = process.env.HISTORIAN_NODE_FLAGS;
const flags = env === undefined ? DEFAULT_NODE_FLAGS : env.split(/\s+/).filter(Boolean);
const bad = flags.find((f) => !f.startsWith('--'));
if (bad !== undefined) {
  console.error(`HISTORIAN_NODE_FLAGS: "${bad}" is not a Node/V8 option (options start with --)`);
  process.exit(2);
}
if (flags.length === process.execArgv.length && flags.every((f, i) => f === process.execArgv[i])) {
  require(MAIN);
} else {
  // its own process group: Ctrl-C in a terminal signals the foreground group, and the
  // server would get it twice (directly and relayed), the second forcing its exit before the
  // stores are flushed; now only this process gets it and relays it once
  const child = spawn(process.execPath, [...flags, __filename], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LAUNCHED_BY_START_JS: '1' },
    detached: true,
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (require('node:os').constants.signals[signal] ?? 0)));
}
