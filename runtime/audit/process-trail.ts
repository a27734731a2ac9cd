// The process-level audit trail, for code that is not handed it directly (Node-RED nodes).
// Kept on globalThis like the service registry, so a second copy of this module (tests
// loading sources while a server runs from dist/) sees the same trail.
import type { AuditTrail } from './audit-trail';

const KEY = Symbol.for('historian.audit.trail');

type Holder = Record<symbol, AuditTrail | null | undefined>;

/** Set by the server at start-up (and to null at shutdown). */
export function setProcessAuditTrail(trail: AuditTrail | null): void {
  (globalThis as unknown as Holder)[KEY] = trail;
}

/** The process's audit trail, or null before start-up / after shutdown. */
export function processAuditTrail(): AuditTrail | null {
  const t = (globalThis as unknown as Holder)[KEY];
  return t && t.isOpen ? t : null;
}
