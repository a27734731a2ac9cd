// Certificates for TLS on a JetStream cluster's routes, made with the openssl command line:
// a CA and one node certificate for 127.0.0.1 / localhost that is both a server and a client
// certificate (a route is a TLS connection in each direction, and with `verify` each side
// checks the other's certificate), plus a node certificate from an unrelated CA for a
// server the cluster must refuse.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OPENSSL, requireBinary } from './binaries';

export interface RoutePki {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** a CA the cluster does not trust, and a node certificate it signed */
  otherCaFile: string;
  strangerCertFile: string;
  strangerKeyFile: string;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync(requireBinary(OPENSSL), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() || err.message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const NODE_EXT = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1', ''].join('\n');

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function node(dir: string, name: string, caName: string): void {
  openssl(dir, ['req', ...EC, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), NODE_EXT);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
}

/** Generates the route certificates into `dir` (which must exist). */
export function makeRoutePki(dir: string): RoutePki {
  ca(dir, 'route-ca');
  ca(dir, 'other-route-ca');
  node(dir, 'route-node', 'route-ca');
  node(dir, 'stranger-node', 'other-route-ca');
  const f = (n: string) => path.join(dir, n);
  return {
    caFile: f('route-ca.pem'), certFile: f('route-node.pem'), keyFile: f('route-node.key'),
    otherCaFile: f('other-route-ca.pem'), strangerCertFile: f('stranger-node.pem'), strangerKeyFile: f('stranger-node.key'),
  };
}

/** The `tls { }` block of a `cluster { }`: mutual TLS on routes, each side verifying the other against `caFile`. */
export function routeTlsBlock(t: { certFile: string; keyFile: string; caFile: string }): string {
  return `tls { cert_file: ${JSON.stringify(t.certFile)}, key_file: ${JSON.stringify(t.keyFile)}, ca_file: ${JSON.stringify(t.caFile)}, verify: true, timeout: 5 }`;
}
