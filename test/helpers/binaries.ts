import fs from 'node:fs';
import path from 'node:path';

/** A program a test server helper runs, and the Debian package that provides it. */
export interface BinarySpec {
  /** Names tried in order, e.g. ['chromium', 'chromium-browser']. */
  names: string[];
  aptPackage: string;
}

export const NATS_SERVER: BinarySpec = { names: ['nats-server'], aptPackage: 'nats-server' };
export const MOSQUITTO: BinarySpec = { names: ['mosquitto'], aptPackage: 'mosquitto' };
export const OPENSSL: BinarySpec = { names: ['openssl'], aptPackage: 'openssl' };
export const MOSQUITTO_PASSWD: BinarySpec = { names: ['mosquitto_passwd'], aptPackage: 'mosquitto' };
export const CHROMIUM: BinarySpec = { names: ['chromium', 'chromium-browser'], aptPackage: 'chromium' };
/** the peer TSDB of `npm run bench:peer` (not needed by `npm test`) */
export const VICTORIA_METRICS: BinarySpec = { names: ['victoria-metrics', 'victoria-metrics-prod'], aptPackage: 'victoria-metrics' };

// Debian installs daemons in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Raised when a server a test needs is not installed; the message says how to install it. */
export class MissingBinaryError extends Error {
  constructor(readonly spec: BinarySpec) {
    super(
      `${spec.names[0]} is not installed (looked on PATH and in ${EXTRA_DIRS.join(', ')}). ` +
        `Install it with: sudo apt-get install -y ${spec.aptPackage}  ` +
        `(or run \`npm run pretest\`, which installs every test server when apt is available)`,
    );
    this.name = 'MissingBinaryError';
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of the first executable found for `spec`, or undefined. */
export function locateBinary(spec: BinarySpec): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const name of spec.names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Absolute path of the program; throws MissingBinaryError naming the install command. */
export function requireBinary(spec: BinarySpec): string {
  const found = locateBinary(spec);
  if (!found) throw new MissingBinaryError(spec);
  return found;
}
