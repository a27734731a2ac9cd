#!/usr/bin/env node
'use strict';
// Command-line entry of the distribution (`npx historian ...`); the code is compiled from
// runtime/cli by `npm run build`.
require('../dist/runtime/cli/main.js')
  .run(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
