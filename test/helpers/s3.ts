import path from 'node:path';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { outputBlock, spawnManaged, type ManagedProcess } from './process';
import { makeTempDir, removeTempDir } from './tmp';
import { serverControl, type ServerControl } from './server-control';

export interface StartS3Options {
  /** Port on 127.0.0.1; the kernel picks one when omitted (and it is kept across restarts). */
  port?: number;
  /** Where objects are stored; a fresh temp dir (removed by `dispose`) when omitted. */
  dir?: string;
  /** Credentials the server accepts (defaults below); requests signed otherwise get 403. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** How long to wait for the server to become ready (default 15 s). */
  startTimeoutMs?: number;
}

export interface S3Server extends ServerControl {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: true;
  /** Object storage directory, kept across restarts. */
  readonly dir: string;
  /** Everything an S3Client needs to talk to this server. */
  clientConfig(): S3ClientConfig;
  /** A new S3Client for this server (the caller destroys it). */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
}

const DEFAULT_ACCESS_KEY_ID = 'HISTORIANTEST';
const DEFAULT_SECRET_ACCESS_KEY = 'historian-test-secret';
const REGION = 'us-east-1';
const SERVER_MAIN = path.join(__dirname, 's3-server', 'main.ts');
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts the project's S3-API test server (test/helpers/s3-server: path-style, SigV4 checked,
 * objects atomic on disk) in a child Node process on 127.0.0.1.
 */
export async function startS3(options: StartS3Options = {}): Promise<S3Server> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await makeTempDir('historian-s3-'));
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const accessKeyId = options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY;
  let port = options.port ?? 0;
  let proc: ManagedProcess | undefined;

  const launch = async (): Promise<void> => {
    const env: NodeJS.ProcessEnv = { ...process.env, S3_TEST_ACCESS_KEY_ID: accessKeyId, S3_TEST_SECRET_ACCESS_KEY: secretAccessKey };
    // an inspector or loader meant for the test worker must not follow into the server
    delete env.NODE_OPTIONS;
    // cwd at the repository root so `--import tsx` resolves the project's tsx
    const started = spawnManaged('s3-server', process.execPath, ['--import', 'tsx', SERVER_MAIN, dir, String(port)], {
      env,
      cwd: REPO_ROOT,
    });
    proc = started;
    try {
      const match = await started.waitForOutput(/\{"ready":true,"port":(\d+)\}/, { timeoutMs: startTimeoutMs });
      port = Number(match[1]);
    } catch (err) {
      await started.stop(1000);
      const missing = /Cannot find (module|package) 'tsx'/.test(started.logs())
        ? ' The tsx package is missing: run `npm ci` (it is a dev dependency).'
        : '';
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`S3 server did not start on port ${port}: ${reason}.${missing}\n${outputBlock('s3-server', started.logs())}`);
    }
  };

  try {
    await launch();
  } catch (err) {
    if (ownsDir) await removeTempDir(dir);
    throw err;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = (): S3ClientConfig => ({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    // Newer SDKs add a CRC32 to every upload (streamed bodies become aws-chunked with a
    // trailer) and validate response checksums. The server handles both, but many
    // S3-compatible stores do not, so tests use what such stores need: checksums only where
    // S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    endpoint,
    port,
    region: REGION,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    dir,
    clientConfig,
    client: () => new S3Client(clientConfig()),
    async createBucket(name) {
      const client = new S3Client(clientConfig());
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    ...serverControl(() => proc, launch, async () => { if (ownsDir) await removeTempDir(dir); }),
  };
}
