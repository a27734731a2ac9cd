// The one table from a domain's kind of failure (runtime/platform DomainError) to its HTTP
// answer, and the one function that applies it: every route, whatever capability throws,
// answers the same kind the same way (sendError calls it), so no route file carries its
// own error switch.
import { DomainError, type DomainErrorKind } from '../platform';
import { HttpError, retryAfterHeader } from './errors';

/** Status and default `error` code of each kind; null: a fault, answered as a 500 by the app. */
export const DOMAIN_ERROR_ANSWERS: Readonly<Record<DomainErrorKind, { status: number; code: string } | null>> = {
  invalid: { status: 400, code: 'bad_request' },
  not_found: { status: 404, code: 'not_found' },
  forbidden: { status: 403, code: 'forbidden' },
  conflict: { status: 409, code: 'conflict' },
  unavailable: { status: 503, code: 'unavailable' },
  storage_full: { status: 507, code: 'insufficient_storage' },
  failure: null,
};

/**
 * The HttpError an error is answered with: an HttpError as it is, a DomainError by the
 * table (`error` is its reason or the kind's code; body members: field, then extra;
 * Retry-After when it says when to try again); null for anything else (a bug: 500).
 */
export function toHttpError(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (!(e instanceof DomainError)) return null;
  const answer = DOMAIN_ERROR_ANSWERS[e.kind];
  if (!answer) return null;
  const { field, reason, extra, retryAfterSec } = e.detail;
  return new HttpError(answer.status, reason ?? answer.code, e.message, { ...(field !== undefined ? { field } : {}), ...extra }, retryAfterHeader(retryAfterSec));
}
