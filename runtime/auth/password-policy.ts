// Password rules. Length over composition (NIST SP 800-63B): a long passphrase is fine,
// a short one with symbols is not. The maximum length comes from the hasher: Argon2id takes
// any length (1024 bytes here, so one request cannot carry megabytes into the hash); the
// bcrypt fallback reads only the first 72 bytes, so there longer passwords are refused
// rather than silently truncated.
import { randomBytes } from 'node:crypto';

export interface PasswordPolicy {
  /** Minimum length in characters. Default 12. */
  minLength: number;
  /** A new password must differ from the current one and the previous historySize - 1. Default 5. */
  historySize: number;
  /** Passwords older than this must be changed at the next login; null = no aging. */
  maxAgeDays: number | null;
  /** Maximum length in UTF-8 bytes. Default: what the password hasher takes whole (1024 for Argon2id, 72 for bcrypt). */
  maxBytes: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, historySize: 5, maxAgeDays: null, maxBytes: 1024 };

/** Rules that need no stored hashes. Returns every broken rule, empty when the password is fine. */
export function passwordProblems(policy: PasswordPolicy, username: string, password: unknown): string[] {
  if (typeof password !== 'string') return ['password must be a string'];
  const problems: string[] = [];
  if ([...password].length < policy.minLength) {
    problems.push(`password must be at least ${policy.minLength} characters long`);
  }
  if (Buffer.byteLength(password) > policy.maxBytes) {
    problems.push(`password must be at most ${policy.maxBytes} bytes long`);
  }
  const lower = password.toLowerCase();
  const user = username.toLowerCase();
  if (user.length > 0 && lower === user) problems.push('password must not be the user name');
  else if (user.length >= 3 && lower.includes(user)) problems.push('password must not contain the user name');
  if (password.length > 0 && new Set(password).size === 1) problems.push('password must not be one repeated character');
  return problems;
}

export function historyProblem(policy: PasswordPolicy): string {
  return `password must not be one of the last ${policy.historySize} passwords`;
}

/** A random password that satisfies the default policy (24 characters, ~143 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function passwordExpired(policy: PasswordPolicy, changedAt: number, userMaxAgeDays: number | null, now: number): boolean {
  const days = userMaxAgeDays ?? policy.maxAgeDays;
  if (days === null || days <= 0) return false;
  return now - changedAt > days * 86_400_000;
}
