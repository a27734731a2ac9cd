import fs from 'node:fs';
import path from 'node:path';
import { NATS_SERVER, requireBinary } from './binaries';
import { freePort } from './ports';
import { describeExit, outputBlock, spawnManaged, type ManagedProcess } from './process';
import { makeTempDir, removeTempDir } from './tmp';
import { serverControl, type ServerControl } from './server-control';
import { waitForHttp } from './wait';

export interface StartNatsOptions {
  /** Run with JetStream (`-js`); default true. */
  jetstream?: boolean;
  /** Client port; a free one when omitted. */
  port?: number;
  /** JetStream store directory; a fresh temp dir (removed by `dispose`) when omitted. */
  storeDir?: string;
  /** Extra nats-server arguments, appended last. */
  args?: string[];
  /** How long to wait for the server to become ready (default 15 s). */
  startTimeoutMs?: number;
  /** TLS on the client port (clients must use TLS); `verify` demands a client certificate signed by `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
  /** Client authentication: user/password and NKey users, or one token, or operator mode (JWT / creds). */
  auth?: NatsAuthConfig;
  /** A whole nats-server.conf of the caller's (e.g. the shipped docker/nats.conf), given the store dir to use; replaces tls/auth. */
  configText?: (storeDir: string) => string;
}

export type NatsAuthConfig =
  | { users: Array<{ user: string; password: string } | { nkey: string }> }
  | { token: string }
  /** operator mode with a memory resolver: the operator JWT and the account JWTs by public key */
  | { operatorJwt: string; accounts: Record<string, string> };

/** nats-server configuration text (strings JSON-quoted: the format accepts them). */
function configText(o: StartNatsOptions): string {
  const q = JSON.stringify;
  const lines: string[] = [];
  if (o.tls) {
    lines.push('tls {', `  cert_file: ${q(o.tls.certFile)}`, `  key_file: ${q(o.tls.keyFile)}`);
    if (o.tls.caFile) lines.push(`  ca_file: ${q(o.tls.caFile)}`);
    if (o.tls.verify) lines.push('  verify: true');
    lines.push('  timeout: 5', '}');
  }
  const a = o.auth;
  if (a && 'users' in a) {
    lines.push('authorization {', '  users: [');
    for (const u of a.users) lines.push('    ' + ('nkey' in u ? `{ nkey: ${q(u.nkey)} }` : `{ user: ${q(u.user)}, password: ${q(u.password)} }`));
    lines.push('  ]', '}');
  } else if (a && 'token' in a) {
    lines.push('authorization {', `  token: ${q(a.token)}`, '}');
  } else if (a && 'operatorJwt' in a) {
    lines.push(`operator: ${q(a.operatorJwt)}`, 'resolver: MEMORY', 'resolver_preload: {');
    for (const [pub, jwt] of Object.entries(a.accounts)) lines.push(`  ${pub}: ${q(jwt)}`);
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}

export interface NatsServer extends ServerControl {
  /** nats://127.0.0.1:<port> (tls://127.0.0.1:<port> when started with TLS) */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring port (`-m`): /healthz, /varz, /jsz, /connz. */
  readonly monitorPort: number;
  /** http://127.0.0.1:<monitorPort> */
  readonly monitorUrl: string;
  readonly storeDir: string;
}

const ADDRESS_IN_USE = /address already in use/i;

/**
 * Starts the Debian `nats-server` on 127.0.0.1 as a child process and resolves once it
 * accepts clients (and, with JetStream, once JetStream reports healthy).
 */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const binary = requireBinary(NATS_SERVER);
  const jetstream = options.jetstream ?? true;
  const ownsStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await makeTempDir('historian-nats-'));
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;

  let port = options.port ?? (await freePort());
  let monitorPort = await freePort();
  let proc: ManagedProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
    // a caller's config names its own store dir (nats-server refuses it twice)
    if (!options.configText) args.push('-sd', storeDir);
    if (jetstream) args.unshift('-js');
    if (options.tls || options.auth || options.configText) {
      // command-line flags override what the file sets (port, monitor port)
      const conf = path.join(storeDir, 'nats-server.conf');
      await fs.promises.writeFile(conf, options.configText ? options.configText(storeDir) : configText(options));
      args.unshift('-c', conf);
    }
    args.push(...(options.args ?? []));
    const started = spawnManaged('nats-server', binary, args);
    proc = started;
    try {
      await started.waitForOutput(/Server is ready/, { timeoutMs: startTimeoutMs });
      const monitor = `http://127.0.0.1:${monitorPort}/healthz${jetstream ? '?js-enabled-only=true' : ''}`;
      await waitForHttp(monitor, 200, {
        timeoutMs: startTimeoutMs, what: `nats-server health at ${monitor}`,
        // a node that failed to bind a route or leaf port exits after "Server is ready"
        abortIf: () => { const x = started.exitInfo(); return x ? `nats-server ${describeExit(x)}` : undefined; },
      });
    } catch (err) {
      await started.stop(1000);
      const reason = err instanceof Error ? err.message : String(err);
      throw Object.assign(new Error(`nats-server did not start on port ${port}: ${reason}\n${outputBlock('nats-server', started.logs())}`), {
        addressInUse: ADDRESS_IN_USE.test(started.logs()),
      });
    }
  };

  // A port handed out by freePort can be taken before the server binds it; pick new ones then.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      const retry = (err as { addressInUse?: boolean }).addressInUse && options.port === undefined && attempt < 3;
      if (!retry) {
        if (ownsStore) await removeTempDir(storeDir);
        throw err;
      }
      port = await freePort();
      monitorPort = await freePort();
    }
  }


  return {
    url: `${options.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    port,
    monitorPort,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir,
    ...serverControl(() => proc, launch, async () => { if (ownsStore) await removeTempDir(storeDir); }),
  };
}
