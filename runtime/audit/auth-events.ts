// Records the identity service's events in the trail: logins, logouts, failed logins,
// lockouts, re-authentications, user, role and token changes. The auth domain keeps no
// log of its own; this subscription is its audit trail.
import type { AuthService } from '../auth/auth-service';
import type { AuthEvent, AuthEventType } from '../auth/events';
import type { AuditTrail } from './audit-trail';
import type { AuditEntryInput } from './entry';

/** The trail's action name for each auth event. */
export const AUTH_EVENT_ACTIONS: Record<AuthEventType, string> = {
  login: 'auth.login',
  login_failed: 'auth.login.failed',
  account_locked: 'auth.account.locked',
  address_blocked: 'auth.address.blocked',
  logout: 'auth.logout',
  password_changed: 'auth.password.change',
  password_reset: 'users.password.reset',
  user_created: 'users.create',
  user_role_changed: 'users.role.change',
  user_disabled: 'users.disable',
  user_enabled: 'users.enable',
  user_renamed: 'users.rename',
  account_unlocked: 'users.unlock',
  token_created: 'tokens.create',
  token_revoked: 'tokens.revoke',
  reauth: 'auth.reauth',
  reauth_failed: 'auth.reauth.failed',
};

export function entryOfAuthEvent(e: AuthEvent): AuditEntryInput {
  // Failed attempts have no authenticated actor: the attempted account is who it concerns.
  const who = e.actor ?? (e.subject ? { userId: e.subject.userId, username: e.subject.username, name: e.subject.name } : undefined);
  const tokenId = typeof e.detail?.tokenId === 'string' ? e.detail.tokenId : null;
  const target = tokenId ? `token:${tokenId}` : e.subject ? `user:${e.subject.username}` : e.address ? `address:${e.address}` : null;
  let newValue: unknown = e.after ?? null;
  if (e.detail && Object.keys(e.detail).length > 0) newValue = e.after === undefined ? { detail: e.detail } : { value: e.after, detail: e.detail };
  return {
    ts: Number.isInteger(e.at) ? e.at : undefined,
    userId: who?.userId ?? null,
    username: who?.username ?? null,
    userName: who?.name ?? null,
    role: e.actor?.role ?? (e.actor ? e.actor.kind.toUpperCase() : null),
    action: AUTH_EVENT_ACTIONS[e.type] ?? `auth.${String(e.type)}`,
    target,
    previousValue: e.before ?? null,
    newValue,
    reason: e.reason ?? null,
    clientAddress: e.address ?? null,
  };
}

/** Subscribes the trail to the auth events; returns the unsubscribe function. */
export function attachAuthEvents(trail: AuditTrail, auth: Pick<AuthService, 'onEvent'>): () => void {
  return auth.onEvent((e) => {
    if (!trail.isOpen) return;
    trail.append(entryOfAuthEvent(e));
  });
}
