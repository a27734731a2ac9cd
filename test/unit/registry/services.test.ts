// The one process registry: the audit trail and the alarm service are its slots, and nodes
// reach the registry the server handed Node-RED before falling back to the process one.
import { afterEach, describe, expect, it } from 'vitest';
import { processAuditTrail, setProcessAuditTrail } from '../../../runtime/audit/process-trail';
import { resetServices, services, SERVICES_SETTING } from '../../../runtime/registry';
import { servicesOf } from '../../../nodes/lib/services';

afterEach(() => { resetServices(); });

describe('process registry', () => {
  it('holds the audit trail in its typed slot', () => {
    const trail = { isOpen: true } as never;
    setProcessAuditTrail(trail);
    expect(services().auditTrail).toBe(trail);
    expect(processAuditTrail()).toBe(trail);
    (trail as { isOpen: boolean }).isOpen = false;
    expect(processAuditTrail()).toBeNull();
  });

  it('gives nodes the registry injected in the Node-RED settings, else the process one', () => {
    const injected = resetServices();
    const other = { ...injected, dataDir: '/elsewhere' };
    expect(servicesOf({ settings: { [SERVICES_SETTING]: other } })).toBe(other);
    expect(servicesOf({ settings: {} })).toBe(services());
  });
});
