// The OPC UA certificate store in the data directory (<dataDir>/opcua-pki, node-opcua's PKI
// layout): our application certificate under own/, server certificates an engineer trusted
// under trusted/certs/, and the ones seen but not trusted under rejected/. An unknown server
// certificate is never accepted silently: the first connection puts it into rejected/ and
// fails; the node's editor lists it and an engineer trusts (or keeps rejecting) it by
// thumbprint. One certificate manager per folder is shared by every client of the process,
// so a trust decision reaches a connection that is retrying without a redeploy.
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { OPCUACertificateManager } from 'node-opcua';

export interface CertificateInfo {
  /** SHA-1 of the DER certificate, lower-case hex (what OPC UA calls the thumbprint) */
  thumbprint: string;
  subject: string;
  issuer: string;
  /** application URI from subjectAltName, when present */
  applicationUri: string | null;
  validFrom: string;
  validTo: string;
  file: string;
}

export interface CertificateList {
  own: CertificateInfo[];
  trusted: CertificateInfo[];
  rejected: CertificateInfo[];
}

const managers = new Map<string, Promise<OPCUACertificateManager>>();

/** The process-wide certificate manager of a PKI folder (created and initialised on first use). */
export function sharedCertificateManager(pkiDir: string): Promise<OPCUACertificateManager> {
  const key = path.resolve(pkiDir);
  let m = managers.get(key);
  if (!m) {
    m = (async () => {
      const cm = new OPCUACertificateManager({ rootFolder: key, automaticallyAcceptUnknownCertificate: false });
      await cm.initialize();
      return cm;
    })();
    managers.set(key, m);
  }
  return m;
}

/** Releases the managers (their folder watchers); for tests and shutdown. */
export async function disposeCertificateManagers(): Promise<void> {
  const all = [...managers.values()];
  managers.clear();
  for (const m of all) {
    try { await (await m).dispose(); } catch { /* already gone */ }
  }
}

function parse(file: string): CertificateInfo | null {
  let x: X509Certificate;
  try {
    x = new X509Certificate(fs.readFileSync(file));
  } catch {
    return null; // keys, CRLs, half-written files
  }
  const uri = /URI:([^,\s]+)/.exec(x.subjectAltName ?? '');
  return {
    thumbprint: x.fingerprint.replace(/:/g, '').toLowerCase(), subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '),
    applicationUri: uri ? uri[1] : null, validFrom: new Date(x.validFrom).toISOString(), validTo: new Date(x.validTo).toISOString(), file: path.basename(file),
  };
}

function listDir(dir: string): CertificateInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /\.(pem|der|crt)$/i.test(n)).map((n) => parse(path.join(dir, n))).filter((c): c is CertificateInfo => c !== null);
}

export function listCertificates(pkiDir: string): CertificateList {
  return {
    own: listDir(path.join(pkiDir, 'own', 'certs')),
    trusted: listDir(path.join(pkiDir, 'trusted', 'certs')),
    rejected: listDir(path.join(pkiDir, 'rejected')),
  };
}

function findDer(pkiDir: string, thumbprint: string): Buffer {
  const t = String(thumbprint).replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(t)) throw new Error(`thumbprint: must be 40 hex digits (got ${JSON.stringify(thumbprint)})`);
  for (const dir of [path.join(pkiDir, 'rejected'), path.join(pkiDir, 'trusted', 'certs')]) {
    for (const c of listDir(dir)) if (c.thumbprint === t) return new X509Certificate(fs.readFileSync(path.join(dir, c.file))).raw;
  }
  throw new Error(`thumbprint: no server certificate ${t} in the store`);
}

/** Moves a server certificate (by thumbprint) to trusted/. */
export async function trustCertificate(pkiDir: string, thumbprint: string): Promise<void> {
  const der = findDer(pkiDir, thumbprint);
  await (await sharedCertificateManager(pkiDir)).trustCertificate(der);
}

/** Moves a server certificate (by thumbprint) to rejected/: connections to that server fail again. */
export async function rejectCertificate(pkiDir: string, thumbprint: string): Promise<void> {
  const der = findDer(pkiDir, thumbprint);
  await (await sharedCertificateManager(pkiDir)).rejectCertificate(der);
}
