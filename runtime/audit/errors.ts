// One error type for the audit domain: `field` names the offending input so callers can
// answer a precise 400; `code` is stable for tests and clients.
export type AuditErrorCode = 'validation' | 'closed' | 'key' | 'corrupt';

export class AuditError extends Error {
  constructor(readonly code: AuditErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'AuditError';
  }
}

export function invalid(field: string, message: string): AuditError {
  return new AuditError('validation', `${field}: ${message}`, field);
}
