// Certificates for TLS on a JetStream cluster's routes, made with the openssl command line:
// a CA and one node certificate for 127.0.0.1 / localhost that is both a server and a client
// certificate (a route is a TLS connection in each direction, and with `verify` each side
// checks the other's certificate), plus a node certificate from an unrelated CA for a
// server the cluster must refuse.
import path from 'node:path';
import { ca, leaf } from './pki';

export interface RoutePki {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** a CA the cluster does not trust, and a node certificate it signed */
  otherCaFile: string;
  strangerCertFile: string;
  strangerKeyFile: string;
}

const NODE_EXT = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1', ''].join('\n');

/** Generates the route certificates into `dir` (which must exist). */
export function makeRoutePki(dir: string): RoutePki {
  ca(dir, 'route-ca');
  ca(dir, 'other-route-ca');
  leaf(dir, 'route-node', 'route-ca', 'route-node', NODE_EXT);
  leaf(dir, 'stranger-node', 'other-route-ca', 'stranger-node', NODE_EXT);
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
