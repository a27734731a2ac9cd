// What the auth domain tells the outside world. The audit trail subscribes to these and
// turns each into a chained entry; the auth domain itself keeps no log. `actor` is who
// acted (absent for anonymous login attempts), `subject` the account acted on.
import type { Role } from './permissions';

export type AuthEventType =
  | 'login'
  | 'login_failed'
  | 'account_locked'
  | 'address_blocked'
  | 'logout'
  | 'password_changed'
  | 'password_reset'
  | 'user_created'
  | 'user_role_changed'
  | 'user_disabled'
  | 'user_enabled'
  | 'user_renamed'
  | 'user_updated'
  | 'account_unlocked'
  | 'token_created'
  | 'token_revoked'
  | 'reauth'
  | 'reauth_failed';

export interface Actor {
  /** 'user' for an authenticated person or token; 'cli' for the local command line; 'system' for start-up. */
  kind: 'user' | 'token' | 'cli' | 'system';
  userId?: string;
  username: string;
  name?: string;
  role?: Role;
}

export interface AuthEvent {
  type: AuthEventType;
  /** Epoch milliseconds from the service clock. */
  at: number;
  actor?: Actor;
  /** The account acted on (or attempted). */
  subject?: { userId?: string; username: string; name?: string };
  address?: string;
  /** Why it failed, for the audit trail only (never sent to the client). */
  reason?: string;
  before?: unknown;
  after?: unknown;
  /** Login source, token id, jti... */
  detail?: Record<string, unknown>;
  /**
   * The electronic signature the request carried (an audit signature manifestation, opaque
   * here): the audit trail binds it to the entry of the action it was given for.
   */
  signature?: unknown;
}

/** What a request may bring along to the events of the change it makes. */
export interface ChangeMeta {
  signature?: unknown;
}

export type AuthEventSink = (event: AuthEvent) => void;

export const SYSTEM_ACTOR: Actor = { kind: 'system', username: 'system' };
