'use strict';
// Child-process entry for the S3-API test server (started by test/helpers/s3.ts).
// It runs in its own process so a test can kill it mid-upload and so s3rver's old
// dependency tree never loads into the test worker.
//
// Usage: node s3-server-process.js <dir> <port|0>
// Prints one line `{"ready":true,"port":N}` on stdout once it accepts connections.

const S3rver = require('s3rver');

const [dir, portArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: s3-server-process.js <dir> <port>\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg ?? 0),
  directory: dir,
  silent: true,
  vhostBuckets: false,
});

server.run().then(
  (address) => {
    process.stdout.write(JSON.stringify({ ready: true, port: address.port }) + '\n');
  },
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

// Exit when the parent goes away, so an aborted test run leaves no orphan server.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
