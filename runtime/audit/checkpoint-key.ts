// The checkpoint key: 32 random bytes kept apart from the database, so someone who can
// rewrite audit.db cannot also forge the checkpoints. Default location
// <dataDir>/secrets/audit-checkpoint.key (directory 0700, file 0600, generated on first
// use); HISTORIAN_AUDIT_KEY_FILE names a file provisioned by the operator instead.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuditError } from './errors';

export const KEY_ENV = 'HISTORIAN_AUDIT_KEY_FILE';

export function defaultKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'audit-checkpoint.key');
}

/** The key file to use: explicit option, then the environment variable, then the default. */
export function resolveKeyFile(dataDir: string, explicit?: string): { file: string; provisioned: boolean } {
  if (explicit) return { file: explicit, provisioned: false };
  const env = process.env[KEY_ENV];
  if (env) return { file: env, provisioned: true };
  return { file: defaultKeyFile(dataDir), provisioned: false };
}

export function parseKey(text: Buffer, file: string): Buffer {
  const s = text.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64,}$/.test(s) && s.length % 2 === 0) return Buffer.from(s, 'hex');
  if (text.length >= 32) return text;
  throw new AuditError('key', `${file}: the audit checkpoint key must be at least 32 bytes (or 64 hex digits)`);
}

/** Loads the key, generating it when the default (not an operator-provisioned) file is missing. */
export function loadOrCreateKey(file: string, provisioned: boolean): Buffer {
  if (existsSync(file)) return parseKey(readFileSync(file), file);
  if (provisioned) {
    throw new AuditError('key', `${KEY_ENV} names ${file}, which does not exist; provision the key (64 hex digits) or unset the variable`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function loadKey(file: string): Buffer {
  if (!existsSync(file)) throw new AuditError('key', `audit checkpoint key ${file} does not exist`);
  return parseKey(readFileSync(file), file);
}
