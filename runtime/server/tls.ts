// HTTPS material for the one server (dashboard, API, WebSocket, editor): certificate and
// key files named by the settings, or a self-signed certificate generated into
// <dataDir>/tls on first start (EC P-256, SHA-256, made by the `selfsigned` package) and
// reused afterwards. Its SHA-256 fingerprint is printed at start-up so an operator can
// compare it with what the browser shows before trusting it.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../platform';

export interface TlsSettings {
  mode?: 'off' | 'files' | 'self-signed';
  certFile?: string;
  keyFile?: string;
  /** comma-separated names / addresses of a generated certificate */
  hostnames?: string;
  redirectPort?: number;
  hstsMaxAge?: number;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, colon-separated hex (as browsers show it) */
  fingerprint256: string;
  /** SHA-256 of the certificate's public key (SPKI), base64: what HPKP-style pins and Chromium's --ignore-certificate-errors-spki-list take */
  spkiSha256: string;
  validTo: Date;
  /** where the certificate came from, for the start-up log */
  certFile: string;
  generated: boolean;
  /** subject alternative names, e.g. "DNS:localhost, IP Address:127.0.0.1" */
  names: string;
}

/** Validity of a generated certificate; renewed on start when fewer than RENEW_DAYS remain. */
const VALID_DAYS = 397;
const RENEW_DAYS = 30;
const DAY = 86_400_000;

/** Names a generated certificate covers when none are configured. */
export function defaultHostnames(): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', hostname()].filter(Boolean))];
}

/** The TLS material the settings ask for, or null when HTTPS is off. */
export async function loadTls(s: TlsSettings, dataDir: string, log: (l: string) => void = () => undefined): Promise<TlsMaterial | null> {
  const mode = s.mode ?? (s.certFile ? 'files' : 'off');
  if (mode === 'off') {
    if (s.certFile || s.keyFile) throw new Error('tls.mode: "off" but a certificate is given (set HISTORIAN_TLS=files or remove HISTORIAN_TLS_CERT / _KEY)');
    return null;
  }
  if (mode === 'files') {
    if (!s.certFile) throw new Error('tls.certFile: required with tls.mode "files" (HISTORIAN_TLS_CERT: a PEM certificate chain)');
    if (!s.keyFile) throw new Error('tls.keyFile: required with tls.mode "files" (HISTORIAN_TLS_KEY: the PEM private key)');
    return material(read(s.certFile, 'tls.certFile'), read(s.keyFile, 'tls.keyFile'), s.certFile, false);
  }
  if (mode !== 'self-signed') throw new Error(`tls.mode: must be off, files or self-signed (got ${JSON.stringify(mode)})`);
  if (s.certFile || s.keyFile) throw new Error('tls.mode: "self-signed" but a certificate is given (set HISTORIAN_TLS=files to use it)');
  const names = s.hostnames ? s.hostnames.split(',').map((n) => n.trim()).filter(Boolean) : defaultHostnames();
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'self-signed-cert.pem');
  const keyFile = join(dir, 'self-signed-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const m = material(read(certFile, 'tls.certFile'), read(keyFile, 'tls.keyFile'), certFile, true);
    const x = new X509Certificate(m.cert);
    const missing = names.filter((n) => !(isIP(n) ? x.checkIP(n) : x.checkHost(n)));
    const expiring = m.validTo.getTime() - Date.now() < RENEW_DAYS * DAY;
    if (!missing.length && !expiring) return m;
    log(`[historian] TLS: renewing the self-signed certificate (${expiring ? `expires ${m.validTo.toISOString()}` : `does not cover ${missing.join(', ')}`})`);
  }
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: names[0] }, { name: 'organizationName', value: 'Historian (self-signed)' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: new Date(now - 5 * 60_000), notAfterDate: new Date(now + VALID_DAYS * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // key first, each through a temp file and rename: a crash leaves the old pair or none
  writeAtomic(keyFile, pems.private, 0o600);
  writeAtomic(certFile, pems.cert, 0o644);
  chmodSync(keyFile, 0o600);
  return material(pems.cert, pems.private, certFile, true);
}

function writeAtomic(file: string, text: string, mode: number): void {
  writeFileAtomic(file, text, { mode });
}

function read(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${field}: cannot read ${file} (${(e as Error).message})`);
  }
}

function material(cert: string, key: string, certFile: string, generated: boolean): TlsMaterial {
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`tls.certFile: ${certFile} is not a PEM certificate (${(e as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw new Error(`tls.keyFile: not a PEM private key (${(e as Error).message})`);
  }
  if (!x.checkPrivateKey(privateKey)) throw new Error(`tls.keyFile: the key does not belong to the certificate ${certFile}`);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert, key, fingerprint256: x.fingerprint256, validTo: new Date(x.validTo),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    certFile, generated, names: x.subjectAltName ?? `CN ${x.subject}`,
  };
}
