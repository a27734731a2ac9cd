// One error type for the audit domain: `field` names the offending input so callers can
// answer a precise 400; `code` is stable for tests and clients.
import { DomainError } from '../platform';

export type AuditErrorCode = 'validation' | 'closed' | 'key' | 'corrupt';

export class AuditError extends DomainError {
  constructor(readonly code: AuditErrorCode, message: string, readonly field?: string) {
    // only bad input is the caller's doing; a closed, keyless or corrupt trail is a fault
    super(code === 'validation' ? 'invalid' : 'failure', message, field ? { field } : {});
    this.name = 'AuditError';
  }
}

export function invalid(field: string, message: string): AuditError {
  return new AuditError('validation', `${field}: ${message}`, field);
}
