import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { MOSQUITTO, MOSQUITTO_PASSWD, requireBinary } from './binaries';
import { freePort } from './ports';
import { outputBlock, spawnManaged, type ManagedProcess } from './process';
import { makeTempDir, removeTempDir } from './tmp';
import { serverControl, type ServerControl } from './server-control';

export interface StartMosquittoOptions {
  /** Listener port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Where mosquitto keeps its persistence file; inside the helper's temp dir when omitted. */
  persistenceDir?: string;
  /** Extra lines appended to the generated mosquitto.conf. */
  extraConfig?: string[];
  /** How long to wait for the broker to become ready (default 10 s). */
  startTimeoutMs?: number;
  /** TLS on the listener (the URL becomes mqtts://); `requireCertificate` demands a client certificate signed by `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string; requireCertificate?: boolean };
  /** Password users (user name -> password); anonymous clients are refused when given. */
  users?: Record<string, string>;
}

/** stop() sends SIGTERM, on which mosquitto saves its persistence file; kill() (SIGKILL) saves nothing. */
export interface MosquittoServer extends ServerControl {
  /** mqtt://127.0.0.1:<port> (mqtts:// when started with TLS) */
  readonly url: string;
  readonly port: number;
  readonly persistenceDir: string;
  /** The generated mosquitto.conf. */
  readonly configFile: string;
}

const ADDRESS_IN_USE = /address already in use/i;

function configText(port: number, persistenceDir: string, extra: string[], security: { tls?: StartMosquittoOptions['tls']; passwordFile?: string }): string {
  const tls = security.tls;
  const lines = [
    // mosquitto 2 listens nowhere useful and refuses anonymous clients unless told
    `listener ${port} 127.0.0.1`,
    ...(tls ? [`cafile ${tls.caFile}`, `certfile ${tls.certFile}`, `keyfile ${tls.keyFile}`, `require_certificate ${tls.requireCertificate ? 'true' : 'false'}`] : []),
    ...(security.passwordFile ? ['allow_anonymous false', `password_file ${security.passwordFile}`] : ['allow_anonymous true']),
    'persistence true',
    // the trailing slash matters: mosquitto concatenates the file name to it
    `persistence_location ${persistenceDir.endsWith('/') ? persistenceDir : `${persistenceDir}/`}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
  ];
  // Started as root, mosquitto drops to the `mosquitto` user, which cannot write our temp dir.
  if (process.getuid?.() === 0) lines.push('user root');
  return [...lines, ...extra, ''].join('\n');
}

/** Starts the Debian `mosquitto` broker on 127.0.0.1 with a generated config file. */
export async function startMosquitto(options: StartMosquittoOptions = {}): Promise<MosquittoServer> {
  const binary = requireBinary(MOSQUITTO);
  const dir = await makeTempDir('historian-mosquitto-');
  const persistenceDir = options.persistenceDir ?? path.join(dir, 'data');
  await fs.promises.mkdir(persistenceDir, { recursive: true });
  const configFile = path.join(dir, 'mosquitto.conf');
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let port = options.port ?? (await freePort());
  let proc: ManagedProcess | undefined;
  let passwordFile: string | undefined;
  if (options.users) {
    passwordFile = path.join(dir, 'passwords');
    await fs.promises.writeFile(passwordFile, '', { mode: 0o600 });
    const tool = requireBinary(MOSQUITTO_PASSWD);
    // -b: password on the command line (test only); mosquitto stores a salted hash
    for (const [user, password] of Object.entries(options.users)) execFileSync(tool, ['-b', passwordFile, user, password]);
  }

  const launch = async (): Promise<void> => {
    await fs.promises.writeFile(configFile, configText(port, persistenceDir, options.extraConfig ?? [], { tls: options.tls, passwordFile }));
    const started = spawnManaged('mosquitto', binary, ['-c', configFile]);
    proc = started;
    try {
      // printed only after every listener is open
      await started.waitForOutput(/mosquitto version \S+ running/, { timeoutMs: startTimeoutMs });
    } catch (err) {
      await started.stop(1000);
      const reason = err instanceof Error ? err.message : String(err);
      throw Object.assign(new Error(`mosquitto did not start on port ${port}: ${reason}\n${outputBlock('mosquitto', started.logs())}`), {
        addressInUse: ADDRESS_IN_USE.test(started.logs()),
      });
    }
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      const retry = (err as { addressInUse?: boolean }).addressInUse && options.port === undefined && attempt < 3;
      if (!retry) {
        await removeTempDir(dir);
        throw err;
      }
      port = await freePort();
    }
  }


  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    persistenceDir,
    configFile,
    ...serverControl(() => proc, launch, async () => { await removeTempDir(dir); }),
  };
}

