// OPC UA message security and user identity for our subscriber: which mode/policy pairs
// are allowed, and how a user name/password or a user certificate becomes node-opcua's
// UserIdentityInfo. Validation errors name the config field.
import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { MessageSecurityMode, SecurityPolicy, UserTokenType, type UserIdentityInfo } from 'node-opcua';

export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type SecurityModeName = (typeof SECURITY_MODES)[number];
/** Policies offered: the current ones node-opcua implements (Basic128Rsa15/Basic256 are deprecated by the OPC Foundation). */
export const SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];

export interface OpcuaSecurity {
  mode: SecurityModeName;
  policy: SecurityPolicyName;
}

export type OpcuaUser =
  | { kind: 'anonymous' }
  | { kind: 'username'; userName: string; password: string }
  | { kind: 'certificate'; certificateFile: string; privateKeyFile: string };

export function validateSecurity(input: { mode?: unknown; policy?: unknown }): OpcuaSecurity {
  const mode = String(input.mode ?? 'None') as SecurityModeName;
  if (!SECURITY_MODES.includes(mode)) throw new Error(`securityMode: must be one of ${SECURITY_MODES.join(', ')} (got ${JSON.stringify(input.mode)})`);
  const policy = String(input.policy ?? (mode === 'None' ? 'None' : 'Basic256Sha256')) as SecurityPolicyName;
  if (!SECURITY_POLICIES.includes(policy)) throw new Error(`securityPolicy: must be one of ${SECURITY_POLICIES.join(', ')} (got ${JSON.stringify(input.policy)})`);
  if (mode === 'None' && policy !== 'None') throw new Error(`securityPolicy: must be None when securityMode is None (got ${policy})`);
  if (mode !== 'None' && policy === 'None') throw new Error(`securityPolicy: ${mode} needs a policy such as Basic256Sha256 (got None)`);
  return { mode, policy };
}

export function validateUser(input: { kind?: unknown; userName?: unknown; password?: unknown; certificateFile?: unknown; privateKeyFile?: unknown }): OpcuaUser {
  const kind = String(input.kind ?? 'anonymous');
  if (kind === 'anonymous' || kind === '') return { kind: 'anonymous' };
  if (kind === 'username') {
    const userName = String(input.userName ?? '').trim();
    if (!userName) throw new Error('userName: must not be empty for user name authentication');
    return { kind, userName, password: String(input.password ?? '') };
  }
  if (kind === 'certificate') {
    const certificateFile = String(input.certificateFile ?? '').trim();
    const privateKeyFile = String(input.privateKeyFile ?? '').trim();
    if (!certificateFile) throw new Error('userCertificate: a certificate file (PEM or DER) is needed for certificate authentication');
    if (!privateKeyFile) throw new Error('userPrivateKey: a private key file (PEM) is needed for certificate authentication');
    return { kind, certificateFile, privateKeyFile };
  }
  throw new Error(`userAuth: must be anonymous, username or certificate (got ${JSON.stringify(input.kind)})`);
}

export function toMessageSecurityMode(m: SecurityModeName): MessageSecurityMode {
  return m === 'Sign' ? MessageSecurityMode.Sign : m === 'SignAndEncrypt' ? MessageSecurityMode.SignAndEncrypt : MessageSecurityMode.None;
}

export function toSecurityPolicy(p: SecurityPolicyName): SecurityPolicy {
  return SecurityPolicy[p];
}

/** Reads the user certificate and key files; errors name the field and the file. */
export function toUserIdentity(u: OpcuaUser): UserIdentityInfo {
  if (u.kind === 'anonymous') return { type: UserTokenType.Anonymous };
  if (u.kind === 'username') return { type: UserTokenType.UserName, userName: u.userName, password: u.password };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(fs.readFileSync(u.certificateFile));
  } catch (e) {
    throw new Error(`userCertificate: cannot read a certificate from ${u.certificateFile} (${(e as Error).message})`);
  }
  let key: string;
  try {
    key = fs.readFileSync(u.privateKeyFile, 'utf8');
  } catch (e) {
    throw new Error(`userPrivateKey: cannot read ${u.privateKeyFile} (${(e as Error).message})`);
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) throw new Error(`userPrivateKey: ${u.privateKeyFile} is not a PEM private key`);
  return { type: UserTokenType.Certificate, certificateData: cert.raw, privateKey: key };
}
