// One error type for the whole auth domain, a member of the API's error family (HttpError):
// `code` is stable (tests and clients switch on it), `status` is the HTTP answer, and the
// message is safe to show: it never says whether an unknown user or a wrong password
// caused a failed login.
import { HttpError, retryAfterHeader } from '../http';

export type UnauthenticatedReason =
  | 'missing' | 'malformed' | 'expired' | 'idle' | 'revoked' | 'bad_signature' | 'unknown_token' | 'disabled';

export type AuthErrorCode =
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'locked'
  | 'rate_limited'
  | 'forbidden'
  | 'password_change_required'
  | 'service_account'
  | 'password_policy'
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'last_admin';

const STATUS: Record<AuthErrorCode, number> = {
  unauthenticated: 401,
  invalid_credentials: 401,
  locked: 429,
  rate_limited: 429,
  forbidden: 403,
  password_change_required: 403,
  service_account: 403,
  password_policy: 400,
  validation: 400,
  not_found: 404,
  conflict: 409,
  last_admin: 409,
};

export interface AuthErrorDetails {
  reason?: UnauthenticatedReason;
  /** For 429: seconds until a new attempt can succeed. */
  retryAfterSec?: number;
  /** For password_policy: every rule the password broke. */
  problems?: string[];
  /** For validation: the offending field. */
  field?: string;
  /** For forbidden: the missing permission. */
  permission?: string;
}

export class AuthError extends HttpError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, details: AuthErrorDetails = {}) {
    super(STATUS[code], code, message, { ...details }, STATUS[code] === 429 ? retryAfterHeader(details.retryAfterSec) : {});
    this.name = 'AuthError';
  }

  get details(): AuthErrorDetails {
    return this.extra as AuthErrorDetails;
  }
}

export function unauthenticated(reason: UnauthenticatedReason, message: string): AuthError {
  return new AuthError('unauthenticated', message, { reason });
}

export function isAuthError(e: unknown): e is AuthError {
  return e instanceof AuthError;
}
