// Child-process entry of the S3-API test server (started by test/helpers/s3.ts, run with
// `node --import tsx`). A separate process lets a test kill the server mid-upload.
//
// Usage: main.ts <dir> <port|0>; credentials come from S3_TEST_ACCESS_KEY_ID and
// S3_TEST_SECRET_ACCESS_KEY. Prints `{"ready":true,"port":N}` once it accepts connections.
import { S3ApiServer } from './server';

async function main(): Promise<void> {
  const [dir, portArg] = process.argv.slice(2);
  const accessKeyId = process.env.S3_TEST_ACCESS_KEY_ID;
  const secretAccessKey = process.env.S3_TEST_SECRET_ACCESS_KEY;
  if (!dir || !accessKeyId || !secretAccessKey) {
    process.stderr.write('usage: main.ts <dir> <port> (with S3_TEST_ACCESS_KEY_ID and S3_TEST_SECRET_ACCESS_KEY set)\n');
    process.exit(2);
  }
  const server = new S3ApiServer({ dir, credentials: [{ accessKeyId, secretAccessKey }] });
  const port = await server.listen(Number(portArg ?? 0));
  process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
  const shutdown = () => {
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // a test worker that dies without stopping us (SIGKILL, crash) must not leave a server behind
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown();
  }, 500).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`S3 test server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
