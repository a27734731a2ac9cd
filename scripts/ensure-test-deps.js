#!/usr/bin/env node
'use strict';
// npm `pretest`: make sure the servers the integration and e2e tests start are installed
// (Debian packages nats-server, mosquitto, chromium). With `--bench`: the peer server of
// `npm run bench:peer` (victoria-metrics) instead, so `npm test` never waits for it. Installs the missing ones with apt when
// we may (root, or passwordless sudo); otherwise exits 1 printing the command to run.
// Plain CommonJS for any Node >= 18: npm may run it before the pinned Node is in use.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

/** Programs the tests run, each with the alternatives that will do and its Debian package. */
const REQUIRED = [
  { names: ['nats-server'], aptPackage: 'nats-server' },
  { names: ['mosquitto'], aptPackage: 'mosquitto' },
  { names: ['chromium', 'chromium-browser'], aptPackage: 'chromium' },
];

/** Programs the benchmarks run (scripts/bench.js calls this with --bench for `peer`). */
const BENCH_REQUIRED = [
  { names: ['victoria-metrics', 'victoria-metrics-prod'], aptPackage: 'victoria-metrics' },
];

// Debian puts daemons in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch (_) {
    return false;
  }
}

function locate(names, env) {
  const dirs = String((env || process.env).PATH || '')
    .split(path.delimiter)
    .filter(Boolean)
    .concat(EXTRA_DIRS);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * What to do, without doing it. `probe` supplies the facts (injectable for tests):
 * locate(names) -> path|undefined, isRoot() -> bool, hasApt() -> bool, canSudo() -> bool.
 * Returns { missing: [package], action: 'none'|'install'|'fail', commands: [[argv...]], message }.
 */
function plan(probe, required) {
  const missing = (required || REQUIRED).filter((r) => !probe.locate(r.names)).map((r) => r.aptPackage);
  const manual = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (missing.length === 0) return { missing, action: 'none', commands: [], message: '' };
  if (!probe.hasApt()) {
    return {
      missing,
      action: 'fail',
      commands: [],
      message:
        `The tests need ${missing.join(', ')} and apt-get is not available here. ` +
        `Install the packages with your system's package manager (on Debian/Ubuntu: ${manual}).`,
    };
  }
  const prefix = probe.isRoot() ? [] : probe.canSudo() ? ['sudo', '-n'] : undefined;
  if (!prefix) {
    return {
      missing,
      action: 'fail',
      commands: [],
      message: `The tests need ${missing.join(', ')}, which are not installed. Run:\n  ${manual}`,
    };
  }
  return {
    missing,
    action: 'install',
    commands: [
      prefix.concat(['apt-get', 'update']),
      prefix.concat(['apt-get', 'install', '-y', '--no-install-recommends'], missing),
    ],
    message: `Installing the test servers: ${missing.join(', ')}`,
  };
}

function systemProbe() {
  return {
    locate: (names) => locate(names),
    isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: () => Boolean(locate(['apt-get'])),
    canSudo: () => Boolean(locate(['sudo'])) && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  };
}

function main() {
  const probe = systemProbe();
  const required = process.argv.includes('--bench') ? BENCH_REQUIRED : REQUIRED;
  const todo = plan(probe, required);
  if (todo.action === 'none') return 0;
  if (todo.action === 'fail') {
    process.stderr.write(`ensure-test-deps: ${todo.message}\n`);
    return 1;
  }
  process.stdout.write(`ensure-test-deps: ${todo.message}\n`);
  const env = Object.assign({}, process.env, { DEBIAN_FRONTEND: 'noninteractive' });
  for (const argv of todo.commands) {
    process.stdout.write(`ensure-test-deps: $ ${argv.join(' ')}\n`);
    const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
    if (result.status !== 0) {
      process.stderr.write(
        `ensure-test-deps: "${argv.join(' ')}" failed (${result.error ? result.error.message : `exit ${result.status}`}). ` +
          `Install manually: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${todo.missing.join(' ')}\n`,
      );
      return 1;
    }
  }
  const still = plan(probe, required).missing;
  if (still.length > 0) {
    process.stderr.write(`ensure-test-deps: still missing after install: ${still.join(', ')}\n`);
    return 1;
  }
  process.stdout.write('ensure-test-deps: test servers installed\n');
  return 0;
}

module.exports = { REQUIRED, BENCH_REQUIRED, locate, plan };

if (require.main === module) process.exit(main());
