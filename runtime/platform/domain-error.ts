// The one base of errors a capability reports to its callers: what kind of failure it is
// (bad input, nothing by that name, a conflict with the present state, ...), the field it
// names, and any detail a client needs. It says nothing about HTTP: runtime/http maps each
// kind to one status in one table (domain-errors.ts), so no route translates errors itself.

/**
 * - invalid: the input is wrong (names the field)
 * - not_found: nothing by that name
 * - forbidden: a policy refuses this caller
 * - conflict: not possible in the present state
 * - unavailable: the work could not be done now (busy, over its budget); try again later
 * - storage_full: refused because the data disk is below its low-space watermark; reads go on
 * - failure: the capability itself failed (closed, corrupt): a fault, not the caller's doing
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict' | 'unavailable' | 'storage_full' | 'failure';

export interface DomainErrorDetail {
  /** the input the error is about */
  field?: string;
  /** a stable machine-readable reason, when more precise than the kind (e.g. "exists") */
  reason?: string;
  /** more members for the client (ids, limits) */
  extra?: Record<string, unknown>;
  /** seconds after which trying again makes sense (unavailable) */
  retryAfterSec?: number;
}

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly detail: DomainErrorDetail;

  constructor(kind: DomainErrorKind, message: string, detail: DomainErrorDetail = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.detail = detail;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
