// A throw-away PKI for TLS tests, made with the openssl command line: one CA, a server
// certificate for 127.0.0.1 / localhost / ::1 signed by it, and a client certificate for
// mutual TLS. A second, unrelated CA lets a test present a certificate the server must refuse.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OPENSSL, requireBinary } from './binaries';

export interface TestPki {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** a CA that signed nothing the servers trust */
  otherCaFile: string;
  /** a client certificate signed by the other CA */
  strangerCertFile: string;
  strangerKeyFile: string;
}

export function openssl(dir: string, args: string[]): void {
  try {
    execFileSync(requireBinary(OPENSSL), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() || err.message}`);
  }
}

/** A self-signed CA `<name>.pem` / `<name>.key` in `dir`. */
export function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** `<name>.pem` / `<name>.key` signed by the CA `<caName>`, with the given X.509 extensions. */
export function leaf(dir: string, name: string, caName: string, cn: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

/** Generates the PKI into `dir` (which must exist). */
export function makeTestPki(dir: string): TestPki {
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  leaf(dir, 'server', 'ca', 'localhost', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', ''].join('\n'));
  leaf(dir, 'client', 'ca', 'historian-client', ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', ''].join('\n'));
  leaf(dir, 'stranger', 'other-ca', 'stranger', ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', ''].join('\n'));
  const f = (n: string) => path.join(dir, n);
  return {
    dir, caFile: f('ca.pem'), serverCertFile: f('server.pem'), serverKeyFile: f('server.key'),
    clientCertFile: f('client.pem'), clientKeyFile: f('client.key'), otherCaFile: f('other-ca.pem'),
    strangerCertFile: f('stranger.pem'), strangerKeyFile: f('stranger.key'),
  };
}
