// The RS256 signing key pair. Generated into <dataDir>/secrets on first start (private key
// mode 0600, directory 0700) or loaded from files named by the configuration, e.g. a key
// mounted from a secret store. Only the private key is required: the public one is
// derived when not given.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JwtKeyOptions {
  /** PEM private key file to use instead of the generated one. */
  privateKeyFile?: string;
  /** PEM public key file; derived from the private key when absent. */
  publicKeyFile?: string;
}

export interface JwtKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Where the private key came from (for logs; never the key itself). */
  source: string;
}

export function loadOrCreateJwtKeys(dataDir: string, opts: JwtKeyOptions = {}): JwtKeyPair {
  if (opts.privateKeyFile) {
    const privateKey = readKey(opts.privateKeyFile, 'private');
    const publicKey = opts.publicKeyFile ? readKey(opts.publicKeyFile, 'public') : createPublicKey(privateKey);
    return checked({ privateKey, publicKey, source: opts.privateKeyFile });
  }
  const dir = join(dataDir, 'secrets');
  const privPath = join(dir, 'jwt-private.pem');
  const pubPath = join(dir, 'jwt-public.pem');
  if (!existsSync(privPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // flag 'wx': two processes starting at once must not overwrite each other's key.
    try {
      writeFileSync(privPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(privPath, 0o600);
  const privateKey = readKey(privPath, 'private');
  const publicKey = existsSync(pubPath) ? readKey(pubPath, 'public') : createPublicKey(privateKey);
  return checked({ privateKey, publicKey, source: privPath });
}

function readKey(file: string, kind: 'private' | 'public'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read JWT ${kind} key file ${file}: ${(e as Error).message}`);
  }
  try {
    return kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (e) {
    throw new Error(`JWT ${kind} key file ${file} is not a PEM ${kind} key: ${(e as Error).message}`);
  }
}

function checked(k: JwtKeyPair): JwtKeyPair {
  if (k.privateKey.asymmetricKeyType !== 'rsa') throw new Error(`JWT private key ${k.source} must be an RSA key (RS256)`);
  const a = k.publicKey.export({ type: 'spki', format: 'der' });
  const b = createPublicKey(k.privateKey).export({ type: 'spki', format: 'der' });
  if (!a.equals(b)) throw new Error(`JWT public key does not match the private key ${k.source}`);
  return k;
}
