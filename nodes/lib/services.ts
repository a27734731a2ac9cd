// How a node reaches the process registry (runtime/registry): the one the server handed
// Node-RED in its settings (`historianServices`, set in runtime/server/app.ts), else the
// process's own (a runtime started without our server: node tests, an embedding).
import { services, SERVICES_SETTING, type Services } from '../../runtime/registry';
import type { AuditTrail } from '../../runtime/audit';
import type { ProcessAlarmService } from '../../runtime/alarm';
import type { RED } from './red';

export function servicesOf(RED: Pick<RED, 'settings'>): Services {
  let injected: unknown;
  try {
    injected = RED.settings?.[SERVICES_SETTING];
  } catch {
    injected = undefined; // Node-RED's settings throw for unknown keys before they load
  }
  return (injected as Services | undefined) ?? services();
}

/** The process's audit trail, or null before start-up / after shutdown. */
export function auditTrailOf(RED: Pick<RED, 'settings'>): AuditTrail | null {
  const t = servicesOf(RED).auditTrail;
  return t && t.isOpen ? t : null;
}

/** The process alarm service, or null before it is opened / after it is closed. */
export function alarmServiceOf(RED: Pick<RED, 'settings'>): ProcessAlarmService | null {
  const s = servicesOf(RED).alarmService;
  return s && !s.isClosed ? s : null;
}
