// The process-level audit trail, for code that is not handed it directly (Node-RED nodes):
// a slot of the process registry (runtime/registry).
import { services } from '../registry';
import type { AuditTrail } from './audit-trail';

/** Set by the server at start-up (and to null at shutdown). */
export function setProcessAuditTrail(trail: AuditTrail | null): void {
  services().auditTrail = trail;
}

/** The process's audit trail, or null before start-up / after shutdown. */
export function processAuditTrail(): AuditTrail | null {
  const t = services().auditTrail;
  return t && t.isOpen ? t : null;
}
