// Starts the built distribution (dist/) as a child process on a free loopback port with
// a temp data directory, as a user would run it, and waits until /ready answers 200.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { httpsFetch } from './https-fetch';
import { freePort } from './ports';
import { spawnManaged, outputBlock, type ManagedProcess } from './process';
import { makeTempDir } from './tmp';
import { waitFor, WaitAbortedError } from './wait';

/** keep in step with scripts/start.js DEFAULT_NODE_FLAGS (test/unit/launcher checks it) */
export const LAUNCHER_NODE_FLAGS = ['--max-semi-space-size=2'];

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const ADMIN_PASSWORD = 'Plant-Operator-2026!';

export interface Distribution {
  url: string;
  port: number;
  dataDir: string;
  /** the PEM the requests trust (HTTPS only) */
  ca?: string;
  proc: ManagedProcess;
  /** Logs in and returns a session JWT. */
  login(username?: string, password?: string): Promise<string>;
  /** fetch() against the distribution with an optional bearer token. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export interface DistributionOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Script to run instead of dist/runtime/server/main.js (e.g. an installed package's). */
  entry?: string;
  cwd?: string;
  readyTimeoutMs?: number;
  /**
   * Serve HTTPS (the caller sets HISTORIAN_TLS / _CERT / _KEY in env). Requests then check
   * the server's certificate against `ca` (a PEM), or, when omitted, against the
   * certificate the distribution generated into <dataDir>/tls (trusted as itself).
   */
  https?: { ca?: string };
  /** Flows to start with instead of the demo (written next to the data directory as HISTORIAN_DEMO_FLOW). */
  flow?: object[];
}

export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? (await makeTempDir('historian-dist-'));
  let flowEnv: Record<string, string> = {};
  if (opts.flow) {
    const flowFile = `${dataDir}.flow.json`;
    writeFileSync(flowFile, JSON.stringify(opts.flow));
    flowEnv = { HISTORIAN_DEMO_FLOW: flowFile };
  }
  const entry = opts.entry ?? join(REPO_ROOT, 'dist', 'runtime', 'server', 'main.js');
  // the V8 flags `npm start` runs the server with (scripts/start.js), so tests and benchmarks
  // see its memory; HISTORIAN_NODE_FLAGS replaces them as it does for npm start (A/B runs)
  const env = process.env.HISTORIAN_NODE_FLAGS;
  const flags = env === undefined ? LAUNCHER_NODE_FLAGS : env.split(/\s+/).filter(Boolean);
  const proc = spawnManaged('historian', process.execPath, [...flags, entry], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: {
      ...process.env,
      HISTORIAN_PORT: String(port),
      HISTORIAN_HOST: '127.0.0.1',
      HISTORIAN_DATA_DIR: dataDir,
      HISTORIAN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...flowEnv,
      ...opts.env,
    },
  });
  const url = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  let ca = opts.https?.ca;
  // readiness only: the generated certificate is read (and then checked) once it exists
  const get = opts.https ? (u: string, init?: RequestInit) => httpsFetch(u, init, ca ?? null) : fetch;
  await waitFor(async () => {
    if (!proc.isRunning()) throw new WaitAbortedError(`historian exited before it was ready\n${outputBlock('historian', proc.logs())}`);
    const r = await get(`${url}/ready`);
    return r.status === 200;
  }, { timeoutMs: opts.readyTimeoutMs ?? 60_000, what: `${url}/ready` });
  if (opts.https && !ca) ca = readFileSync(join(dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
  const send = opts.https ? (u: string, init?: RequestInit) => httpsFetch(u, init, ca!) : fetch;

  const request = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
    return send(url + path, { ...init, headers });
  };
  return {
    url, port, dataDir, proc, request, ca,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const r = await request('/api/v1/login', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
      });
      if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { token: string }).token;
    },
    async stop() {
      await proc.stop(15_000);
    },
  };
}
