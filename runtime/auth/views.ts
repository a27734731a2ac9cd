// The JSON shapes the API and the CLI show for users and tokens: no hashes, ISO times.
import type { ApiTokenRecord } from './api-token-store';
import type { Permission, Role } from './permissions';
import type { UserRecord } from './user-store';
import type { AccountLock } from './login-guard';

export interface UserView {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled: boolean;
  mustChangePassword: boolean;
  passwordChangedAt: string;
  /** When password aging will force a change; null without aging. */
  passwordExpiresAt: string | null;
  maxAgeDays: number | null;
  createdAt: string;
  updatedAt: string;
  /** failed-login lock now (README "Login throttling"); null when none; lifted by unlock */
  locked: { everywhere: boolean; addresses: number; until: string } | null;
}

export interface TokenView {
  id: string;
  name: string;
  userId: string;
  username: string;
  prefix: string;
  scopes: Permission[];
  tagPattern: string | null;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function userView(u: UserRecord, defaultMaxAgeDays: number | null, mustChange: boolean, lock: AccountLock | null = null): UserView {
  const days = u.maxAgeDays ?? defaultMaxAgeDays;
  return {
    id: u.id, username: u.username, name: u.name, role: u.role, disabled: u.disabled,
    mustChangePassword: mustChange,
    passwordChangedAt: iso(u.passwordChangedAt),
    passwordExpiresAt: days && days > 0 ? iso(u.passwordChangedAt + days * 86_400_000) : null,
    maxAgeDays: u.maxAgeDays,
    createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt),
    locked: lock && { everywhere: lock.everywhere, addresses: lock.addresses, until: iso(lock.until) },
  };
}

export function tokenView(t: ApiTokenRecord, username: string, now: number): TokenView {
  const status = t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'active';
  return {
    id: t.id, name: t.name, userId: t.userId, username, prefix: t.prefix, scopes: t.scopes, tagPattern: t.tagPattern,
    status, createdAt: iso(t.createdAt), createdBy: t.createdBy, expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt), lastUsedAt: isoOrNull(t.lastUsedAt),
  };
}
