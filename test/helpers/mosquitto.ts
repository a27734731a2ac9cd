import fs from 'node:fs';
import path from 'node:path';
import { MOSQUITTO, requireBinary } from './binaries';
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
}

/** stop() sends SIGTERM, on which mosquitto saves its persistence file; kill() (SIGKILL) saves nothing. */
export interface MosquittoServer extends ServerControl {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly persistenceDir: string;
  /** The generated mosquitto.conf. */
  readonly configFile: string;
}

const ADDRESS_IN_USE = /address already in use/i;

function configText(port: number, persistenceDir: string, extra: string[]): string {
  const lines = [
    // mosquitto 2 listens nowhere useful and refuses anonymous clients unless told
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
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

  const launch = async (): Promise<void> => {
    await fs.promises.writeFile(configFile, configText(port, persistenceDir, options.extraConfig ?? []));
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
    url: `mqtt://127.0.0.1:${port}`,
    port,
    persistenceDir,
    configFile,
    ...serverControl(() => proc, launch, async () => { await removeTempDir(dir); }),
  };
}

