// Records the identity service's events in the trail: logins, logouts, failed logins,
// lockouts, re-authentications, user, role and token changes. The auth domain keeps no
// log of its own; this subscription is its audit trail.
import type { AuthService } from '../auth';
import type { AuthEvent, AuthEventType } from '../auth';
import type { AuditTrail } from './audit-trail';
import type { AuditEntryInput, SignatureManifestation } from './entry';

function isManifestation(s: unknown): s is SignatureManifestation {
  return typeof s === 'object' && s !== null && typeof (s as SignatureManifestation).signatureId === 'string' && typeof (s as SignatureManifestation).action === 'string';
}

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
  user_updated: 'users.update',
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
  const action = AUTH_EVENT_ACTIONS[e.type] ?? `auth.${String(e.type)}`;
  // one signature, one entry: the one of the action (and target) it was given for
  const signature = isManifestation(e.signature) && e.signature.action === action && (e.signature.target ?? null) === target ? e.signature : null;
  return {
    ts: Number.isInteger(e.at) ? e.at : undefined,
    userId: who?.userId ?? null,
    username: who?.username ?? null,
    userName: who?.name ?? null,
    role: e.actor?.role ?? (e.actor ? e.actor.kind.toUpperCase() : null),
    action,
    target,
    previousValue: e.before ?? null,
    newValue,
    reason: e.reason ?? null,
    clientAddress: e.address ?? null,
    signature,
  };
}

/** Subscribes the trail to the auth events; returns the unsubscribe function. */
export function attachAuthEvents(trail: AuditTrail, auth: Pick<AuthService, 'onEvent'>): () => void {
  return auth.onEvent((e) => {
    if (!trail.isOpen) return;
    trail.append(entryOfAuthEvent(e));
  });
}
