// Acceptance: OPC UA message security, user identities and the server certificate store,
// against node-opcua servers that require Sign or SignAndEncrypt.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { disposeCertificateManagers, listCertificates, rejectCertificate, trustCertificate } from '../../../runtime/devices/opcua/cert-store';
import { validateSecurity, validateUser, type OpcuaUser, type SecurityPolicyName } from '../../../runtime/devices/opcua/security';
import { browseEndpoint, OpcuaSubscriber } from '../../../runtime/devices/opcua/subscriber';
import type { Sample } from '../../../runtime/model';
import { OPENSSL, requireBinary } from '../../helpers/binaries';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { startOpcuaServer, type TestOpcuaServer } from './opcua-server';

const POLICIES: SecurityPolicyName[] = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];
let dir: string;
let opensslBin = 'openssl';
let pki: string;
let signOnly: TestOpcuaServer;
let encrypted: TestOpcuaServer;
const userCert = { certificateFile: '', privateKeyFile: '' };
const strangerCert = { certificateFile: '', privateKeyFile: '' };

function makeUserCert(name: string): { certificateFile: string; privateKeyFile: string } {
  const certificateFile = path.join(dir, `${name}.pem`);
  const privateKeyFile = path.join(dir, `${name}.key`);
  execFileSync(opensslBin, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', privateKeyFile, '-out', certificateFile, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment', '-addext', `subjectAltName=URI:urn:historian:user:${name}`], { stdio: 'pipe' });
  return { certificateFile, privateKeyFile };
}

beforeAll(async () => {
  opensslBin = requireBinary(OPENSSL);
  dir = await makeTempDir('historian-opcua-sec-');
  pki = path.join(dir, 'data', 'opcua-pki');
  Object.assign(userCert, makeUserCert('historian-user'));
  Object.assign(strangerCert, makeUserCert('stranger'));
  const common = {
    securityPolicies: POLICIES.map((p) => SecurityPolicy[p]), allowAnonymous: false, users: { engineer: 'correct horse' },
    trustedUserCertificates: [new X509Certificate(fs.readFileSync(userCert.certificateFile)).raw],
  };
  signOnly = await startOpcuaServer({ ...common, securityModes: [MessageSecurityMode.Sign] });
  encrypted = await startOpcuaServer({ ...common, securityModes: [MessageSecurityMode.SignAndEncrypt] });
}, 120_000);
afterAll(async () => {
  await signOnly?.dispose();
  await encrypted?.dispose();
  await disposeCertificateManagers();
  if (dir) await removeTempDir(dir);
});

const thumb = (der: Buffer) => createHash('sha1').update(der).digest('hex');

async function readOnce(srv: TestOpcuaServer, mode: 'Sign' | 'SignAndEncrypt', policy: SecurityPolicyName, user: OpcuaUser): Promise<Sample[]> {
  const samples: Sample[] = [];
  const sub = new OpcuaSubscriber({
    endpoint: srv.endpoint, pkiDir: pki, samplingInterval: 100, reconnectInitialMs: 100, reconnectMaxMs: 500,
    security: validateSecurity({ mode, policy }), user, items: [{ nodeId: 'ns=1;s=Line1.Temperature', tag: 'sec.temperature' }],
    emit: (ss) => samples.push(...ss),
  });
  try {
    await sub.start();
    await waitFor(() => samples.length >= 1, { what: `a value over ${mode}/${policy}` });
    return samples;
  } finally {
    await sub.close();
  }
}

describe('OPC UA security', () => {
  it('an unknown server certificate is rejected into the store, listed, and trusted by thumbprint; then the session works', async () => {
    const states: string[] = [];
    const samples: Sample[] = [];
    const sub = new OpcuaSubscriber({
      endpoint: encrypted.endpoint, pkiDir: pki, samplingInterval: 100, reconnectInitialMs: 100, reconnectMaxMs: 400,
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' }, user: { kind: 'username', userName: 'engineer', password: 'correct horse' },
      items: [{ nodeId: 'ns=1;s=Line1.Temperature', tag: 'sec.temperature' }], emit: (ss) => samples.push(...ss), onState: (s, d) => states.push(`${s}${d ? `: ${d}` : ''}`),
    });
    const started = sub.start().catch((e: Error) => e);
    try {
      const serverThumb = thumb(encrypted.certificate());
      await waitFor(() => listCertificates(pki).rejected.some((c) => c.thumbprint === serverThumb), { what: 'server certificate in rejected/', timeoutMs: 20_000 });
      const listed = listCertificates(pki);
      expect(listed.trusted.map((c) => c.thumbprint)).not.toContain(serverThumb);
      expect(listed.rejected.find((c) => c.thumbprint === serverThumb)!.applicationUri).toBe('urn:historian:test-server');
      expect(listed.own).toHaveLength(1); // our application certificate, to hand to the server's administrator
      // Until trusted: no data, the tag is BAD_NOT_CONNECTED and the state names the cause.
      await waitFor(() => states.some((x) => /^disconnected: .*BadCertificateUntrusted/.test(x)), { what: 'state names the untrusted certificate' });
      expect(samples.map((x) => x.quality)).toEqual([0x8001]);
      await trustCertificate(pki, serverThumb);
      expect(listCertificates(pki).trusted.map((c) => c.thumbprint)).toContain(serverThumb);
      await waitFor(() => samples.some((x) => x.quality === 0), { what: 'values after trusting', timeoutMs: 30_000 });
      expect(samples.at(-1)).toMatchObject({ tag: 'sec.temperature', value: 20.5, quality: 0 });
      expect(await started).toBeUndefined();
    } finally {
      await sub.close();
    }
  }, 60_000);

  for (const policy of POLICIES) {
    for (const mode of ['Sign', 'SignAndEncrypt'] as const) {
      it(`${mode} with ${policy}: user name and certificate identities are accepted by a server requiring ${mode}`, async () => {
        const srv = mode === 'Sign' ? signOnly : encrypted;
        const t = thumb(srv.certificate());
        if (!listCertificates(pki).trusted.some((c) => c.thumbprint === t)) {
          // first contact with this server: the attempt fails and files its certificate under rejected/
          await expect(browseEndpoint(srv.endpoint, { pkiDir: pki, security: { mode, policy }, user: { kind: 'username', userName: 'engineer', password: 'correct horse' } })).rejects.toThrow(/BadCertificateUntrusted/);
          await trustCertificate(pki, t);
        }
        const s1 = await readOnce(srv, mode, policy, { kind: 'username', userName: 'engineer', password: 'correct horse' });
        expect(s1[0]).toMatchObject({ value: 20.5, quality: 0 });
        const s2 = await readOnce(srv, mode, policy, validateUser({ kind: 'certificate', ...userCert }));
        expect(s2[0]).toMatchObject({ value: 20.5, quality: 0 });
      }, 60_000);
    }
  }

  it('wrong password, anonymous, an untrusted user certificate and security None are refused with a clear error', async () => {
    const attempt = (user: OpcuaUser, mode: 'None' | 'SignAndEncrypt' = 'SignAndEncrypt') => browseEndpoint(encrypted.endpoint, {
      pkiDir: pki, security: validateSecurity({ mode, policy: mode === 'None' ? 'None' : 'Aes256_Sha256_RsaPss' }), user,
    });
    await expect(attempt({ kind: 'username', userName: 'engineer', password: 'wrong' })).rejects.toThrow(/BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/);
    await expect(attempt({ kind: 'anonymous' })).rejects.toThrow(/Cannot find ANONYMOUS user token policy|BadIdentityTokenInvalid|BadIdentityTokenRejected/);
    await expect(attempt({ kind: 'certificate', ...strangerCert })).rejects.toThrow(/Bad/);
    await expect(attempt({ kind: 'username', userName: 'engineer', password: 'correct horse' }, 'None')).rejects.toThrow();
    const vars = await attempt({ kind: 'username', userName: 'engineer', password: 'correct horse' });
    expect(vars.map((v) => v.browsePath)).toContain('Plant/Line1/Temperature');
  }, 60_000);

  it('rejecting a trusted server certificate makes new connections fail again', async () => {
    const t = thumb(encrypted.certificate());
    await trustCertificate(pki, t).catch(() => {});
    await rejectCertificate(pki, t);
    expect(listCertificates(pki).rejected.map((c) => c.thumbprint)).toContain(t);
    await expect(browseEndpoint(encrypted.endpoint, { pkiDir: pki, security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' }, user: { kind: 'username', userName: 'engineer', password: 'correct horse' } })).rejects.toThrow();
    await trustCertificate(pki, t);
  }, 60_000);

  it('configuration errors name the field', async () => {
    expect(() => validateSecurity({ mode: 'Sign', policy: 'None' })).toThrow('securityPolicy: Sign needs a policy such as Basic256Sha256');
    expect(() => validateSecurity({ mode: 'None', policy: 'Basic256Sha256' })).toThrow('securityPolicy: must be None when securityMode is None');
    expect(() => validateSecurity({ mode: 'Encrypt' })).toThrow('securityMode: must be one of None, Sign, SignAndEncrypt');
    expect(() => validateUser({ kind: 'username', userName: '' })).toThrow('userName: must not be empty');
    expect(() => validateUser({ kind: 'certificate', certificateFile: 'a.pem' })).toThrow('userPrivateKey:');
    await expect(trustCertificate(pki, 'xyz')).rejects.toThrow('thumbprint: must be 40 hex digits');
  });
});
