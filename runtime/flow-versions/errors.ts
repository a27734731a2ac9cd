// Errors of the flow version store, each with a code the HTTP layer maps to a status:
// not_found → 404, corrupt → 409 (the file is there but cannot be trusted),
// not_restorable → 422 (node types missing), invalid → 400.
export type FlowVersionErrorCode = 'not_found' | 'corrupt' | 'not_restorable' | 'invalid';

export class FlowVersionError extends Error {
  constructor(readonly code: FlowVersionErrorCode, message: string, readonly detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'FlowVersionError';
  }
}
