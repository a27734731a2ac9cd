// Connects the process alarm service to the rest of the server: transitions go to live
// WebSocket clients, signed commands are checked against the signature service, operator
// commands are recorded in the audit trail, and a damaged audit chain raises a system alarm.
import { openProcessAlarmService, type ProcessAlarmService } from '../alarm';
import type { AlarmAction } from '../alarm';
import { actorFields, type SignatureManifestation } from '../audit';
import type { LiveSocket } from '../live';
import type { ComplianceLayer } from './compliance';
import { alarmSubject, type EventPublisher } from './system-events';
import type { AlarmRouteDeps } from './routes/alarm-routes';
import { signatureFor } from './routes/audit-routes';

const SIGNED_ACTION: Partial<Record<AlarmAction, string>> = { shelve: 'alarms.shelve', outOfService: 'alarms.out_of_service' };

/** The system alarm raised when the audit chain fails verification. */
export const AUDIT_ALARM = {
  id: 'sys.historian.audit:DISCRETE', tag: 'sys.historian.audit.chain_ok', type: 'DISCRETE', equals: 0, priority: 'urgent',
  message: 'Audit trail verification failed: the audit database was altered outside Historian',
  consequence: 'Records required by 21 CFR Part 11 may have been tampered with',
  correctiveAction: 'Stop changes, run GET /api/v1/audit/verify, notify QA; an administrator acknowledges the damage (POST /api/v1/audit/acknowledge, signed) once it is investigated',
};

function isManifestation(sig: unknown): sig is SignatureManifestation {
  return typeof sig === 'object' && sig !== null && 'signatureId' in sig && 'action' in sig;
}

export function openAlarms(dataDir: string, compliance: ComplianceLayer, live: LiveSocket, events: EventPublisher | null): { service: ProcessAlarmService; routeDeps: Omit<AlarmRouteDeps, 'service'>; close(): void } {
  const service = openProcessAlarmService({
    dataDir,
    policy: {
      requireSignature: (action) => !!SIGNED_ACTION[action] && compliance.signatures!.requiresSignature(SIGNED_ACTION[action]!),
      // The route consumed the signing token already; here only its binding is checked.
      verifySignature: (sig, action, alarmId) => isManifestation(sig) && sig.action === SIGNED_ACTION[action] && sig.target === alarmId,
    },
  });
  const off = service.onTransition((t) => {
    live.broadcast({ type: 'alarm', transition: t });
    events?.publish(alarmSubject(t.tag), t);
  });
  service.configure('system', [AUDIT_ALARM]);
  const raise = (ok: boolean) => service.evaluate([{ tag: AUDIT_ALARM.tag, ts: Date.now(), value: ok ? 1 : 0, quality: 0 }]);
  raise(compliance.lastVerify?.ok ?? true);
  // A damaged trail keeps failing verification until an administrator acknowledges the
  // damage (signed); only then does the alarm's condition clear.
  let shown = AUDIT_ALARM.message;
  compliance.onChainResult((r) => {
    // the operator reads what was found, not only that something was
    const d = r.damage;
    const message = !r.ok && d ? `Audit trail verification failed: ${d.kind} at entry ${d.seq} (${d.message})`.slice(0, 500) : shown;
    if (message !== shown) {
      service.configure('system', [{ ...AUDIT_ALARM, message }]);
      shown = message;
    }
    raise(r.ok);
  });
  return {
    service,
    routeDeps: {
      sign: (ctx, action, alarmId) => signatureFor(ctx, compliance.signatures!, action, alarmId),
      record: (ctx, action, alarmId, detail, signature) => compliance.trail.appendAsync({
          action, target: alarmId, ...actorFields(ctx.principal), previousValue: null, newValue: detail ?? null,
          reason: (detail as { reason?: string } | null)?.reason ?? null, clientAddress: ctx.req?.ip ?? null,
          signature: (signature as SignatureManifestation | null) ?? null,
      }).then(() => undefined),
    },
    close() {
      off();
      service.close();
    },
  };
}
